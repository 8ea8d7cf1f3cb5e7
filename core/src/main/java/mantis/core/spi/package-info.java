/**
 * Service-provider interfaces for what the {@code mantis} command and the bridge know by name:
 * policies ({@link mantis.core.spi.PolicyProvider}, found through {@link
 * mantis.core.spi.PolicyRegistry}) and robots ({@link mantis.core.spi.RobotProvider}, found through
 * {@link mantis.core.spi.RobotRegistry}).
 *
 * <p>A module that owns a policy or a robot registers its provider in {@code
 * META-INF/services/mantis.core.spi.PolicyProvider} (or {@code ...RobotProvider}); the registries
 * find every provider on the class path with {@link java.util.ServiceLoader}, so adding a policy or
 * a robot changes no switch anywhere. Names must be unique: two providers claiming the same name
 * fail the registry's construction, naming both. The shaded {@code mantis.jar} merges the service
 * files of every module.
 *
 * <p>Nothing here depends on an engine (DJL, OpenCV): a request carries only core values.
 */
package mantis.core.spi;
