/**
 * Built-in policies and the factory that turns a policy name from the command line or the config into
 * a {@link mantis.core.Policy}: {@code visual-servo} (the classical baseline), {@code hold} and
 * {@code random}.
 */
package mantis.server.policy;
