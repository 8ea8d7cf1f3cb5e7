package mantis.calibration.kinematics;

import java.util.Objects;
import mantis.core.RobotSpec;

/**
 * A robot Mantis can drive: its joint limits ({@link RobotSpec}), its kinematics, and how its tool
 * reaches the table ({@link TableReach}). Immutable and thread-safe; get one from {@link
 * RobotModels}.
 */
public final class RobotModel {
  private final RobotSpec spec;
  private final Kinematics kinematics;
  private final TableReach reach;

  RobotModel(RobotSpec spec, Kinematics kinematics, TableReach reach) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.kinematics = Objects.requireNonNull(kinematics, "kinematics");
    this.reach = Objects.requireNonNull(reach, "reach");
    if (!spec.jointNames().equals(kinematics.jointNames())) {
      throw new IllegalArgumentException(
          "robot "
              + spec.name()
              + ": joint names "
              + spec.jointNames()
              + " differ from the kinematics' "
              + kinematics.jointNames());
    }
    if (reach.jointCount() != spec.jointCount()) {
      throw new IllegalArgumentException(
          "robot " + spec.name() + ": table reach has " + reach.jointCount() + " joints");
    }
  }

  /** The robot's name ({@link RobotSpec#name()}). */
  public String name() {
    return spec.name();
  }

  /** Joint names and limits. */
  public RobotSpec spec() {
    return spec;
  }

  /** FK, Jacobian and IK in the robot's base frame. */
  public Kinematics kinematics() {
    return kinematics;
  }

  /** The tool tip on the table, and joints for table points. */
  public TableReach reach() {
    return reach;
  }

  @Override
  public String toString() {
    return "RobotModel[" + spec.name() + ", " + spec.jointCount() + " joints]";
  }
}
