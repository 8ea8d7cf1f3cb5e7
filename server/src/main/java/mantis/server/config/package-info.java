/**
 * The server's configuration: one typed object, loaded from YAML, overridden by command-line flags.
 */
package mantis.server.config;
