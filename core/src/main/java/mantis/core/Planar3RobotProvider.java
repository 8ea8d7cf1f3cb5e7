package mantis.core;

import java.util.List;
import mantis.core.spi.RobotProvider;

/**
 * The simulator's planar 3-joint arm ({@value RobotSpecs#MANTIS_PLANAR3_RESOURCE}), known as
 * {@value #NAME} and by its description's own name. Registered in {@code
 * META-INF/services/mantis.core.spi.RobotProvider}; look robots up through {@link
 * mantis.core.spi.RobotRegistry}, not through this class.
 */
public final class Planar3RobotProvider implements RobotProvider {
  /** The name the bundled arm is known by, and the robot used when none is named. */
  public static final String NAME = "planar3";

  /** For {@link java.util.ServiceLoader}. */
  public Planar3RobotProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> aliases() {
    return List.of(robot().name());
  }

  @Override
  public String description() {
    return "the simulator's planar 3-joint arm, with a round pusher at the tip";
  }

  @Override
  public RobotSpec robot() {
    return RobotSpecs.mantisPlanar3();
  }
}
