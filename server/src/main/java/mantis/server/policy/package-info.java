/**
 * Built-in policies and the facade that turns a policy name from the command line or the config
 * into a {@link mantis.core.Policy} through the {@link mantis.core.spi.PolicyRegistry}: {@code
 * hold} (also {@code no-op}) and {@code random} are provided here ({@link
 * mantis.server.policy.HoldPolicyProvider}, {@link mantis.server.policy.RandomPolicyProvider});
 * {@code visual-servo} comes from module {@code baseline}, {@code mantis} and {@code bundle:DIR}
 * from module {@code model}.
 */
package mantis.server.policy;
