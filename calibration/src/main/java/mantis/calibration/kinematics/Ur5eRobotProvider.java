package mantis.calibration.kinematics;

import java.util.List;
import mantis.core.RobotSpec;
import mantis.core.spi.RobotProvider;

/**
 * The bundled UR5e-like 6-joint arm ({@value RobotModels#UR5E_RESOURCE}), known as {@value
 * RobotModels#UR5E} and by its description's name. Registered in {@code
 * META-INF/services/mantis.core.spi.RobotProvider}; look robots up through {@link
 * mantis.core.spi.RobotRegistry}.
 */
public final class Ur5eRobotProvider implements RobotProvider {
  /** For {@link java.util.ServiceLoader}. */
  public Ur5eRobotProvider() {}

  @Override
  public String name() {
    return RobotModels.UR5E;
  }

  @Override
  public List<String> aliases() {
    return List.of(robot().name());
  }

  @Override
  public String description() {
    return "a UR5e-like 6-joint arm from the bundled URDF, with a pusher on its flange";
  }

  @Override
  public RobotSpec robot() {
    return RobotModels.ur5e().spec();
  }
}
