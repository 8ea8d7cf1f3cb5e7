package mantis.core.spi;

import java.util.List;
import mantis.core.RobotSpec;

/**
 * A robot known by name (its joint names and limits). Implementations are registered in {@code
 * META-INF/services/mantis.core.spi.RobotProvider} of the module that owns the robot's description,
 * need a public no-argument constructor, and are thread-safe.
 */
public interface RobotProvider {
  /** The name this robot is known by ({@code planar3}). */
  String name();

  /**
   * Further names it answers to (such as the description's own {@link RobotSpec#name()}); none by
   * default.
   */
  default List<String> aliases() {
    return List.of();
  }

  /** One line for help output: what the robot is. */
  String description();

  /**
   * The robot's description.
   *
   * @throws IllegalStateException when a bundled description cannot be read (a broken build)
   */
  RobotSpec robot();
}
