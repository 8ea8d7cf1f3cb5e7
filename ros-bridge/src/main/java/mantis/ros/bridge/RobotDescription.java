package mantis.ros.bridge;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import mantis.calibration.kinematics.SerialChain;
import mantis.calibration.kinematics.UrdfReader;
import mantis.calibration.kinematics.UrdfRobot;
import mantis.core.RobotSpec;

/**
 * {@code robot.from_parameter}: the robot built from the URDF that a ROS parameter holds (normally
 * {@code /robot_description}), read once when the bridge starts. The URDF is parsed by {@link
 * UrdfReader}; the serial chain from {@code base_link} to {@code tool_link} (or the URDF's only
 * chain) gives the joints, in chain order, with their URDF names as the ROS joint names and their
 * position and velocity limits; every joint gets {@code robot.max_acceleration_rad_per_s2} (URDF
 * has no acceleration limits). Every failure is an {@link IllegalStateException} whose message
 * names the parameter and what is wrong.
 */
final class RobotDescription {
  private RobotDescription() {}

  /** Reads a parameter from the ROS master (empty when it is not set). */
  interface Parameters {
    Optional<Object> get(String key) throws IOException;
  }

  /**
   * {@code robot} resolved from the parameter it names; a robot that is already resolved is
   * returned as it is.
   *
   * @param where the master, for messages
   * @throws IllegalStateException when the parameter is missing, not a string, not a usable URDF,
   *     or its joints differ from {@code robot.joints}
   */
  static BridgeConfig.Robot resolve(BridgeConfig.Robot robot, Parameters params, String where) {
    if (robot.resolved() || robot.fromParameter().isEmpty()) {
      return robot;
    }
    BridgeConfig.FromParameter fp = robot.fromParameter().get();
    String key = fp.parameter();
    String prefix = "robot.from_parameter " + key + ": ";
    Optional<Object> value;
    try {
      value = params.get(key);
    } catch (IOException e) {
      throw new IllegalStateException(
          prefix + "cannot read it from the ROS master " + where + ": " + e.getMessage(), e);
    }
    if (value.isEmpty()) {
      throw new IllegalStateException(
          prefix
              + "the parameter is not set on the ROS master "
              + where
              + "; load the robot's URDF first (e.g. rosparam set "
              + key
              + " \"$(cat robot.urdf)\", or the robot's description launch file)");
    }
    if (!(value.get() instanceof String xml)) {
      throw new IllegalStateException(
          prefix + "the parameter holds a " + describe(value.get()) + ", not a URDF string");
    }
    RobotSpec spec;
    List<String> joints;
    String name;
    try {
      UrdfRobot urdf = UrdfReader.parse(xml, "parameter " + key);
      SerialChain chain =
          fp.baseLink().isPresent()
              ? urdf.serialChain(fp.baseLink().get(), fp.toolLink().orElseThrow())
              : urdf.serialChain();
      if (chain.jointCount() == 0) {
        throw new IllegalArgumentException("the chain has no moving joints");
      }
      spec = chain.robotSpec(urdf.name(), fp.maxAccelerationRadPerS2());
      joints = chain.jointNames();
      name = urdf.name();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(prefix + "not a usable URDF: " + e.getMessage(), e);
    }
    if (!robot.joints().isEmpty() && !robot.joints().equals(joints)) {
      throw new IllegalStateException(
          prefix
              + "robot.joints "
              + robot.joints()
              + " differ from the URDF chain's joints "
              + joints
              + "; leave robot.joints out to use the URDF's names");
    }
    return robot.resolvedWith("parameter " + key + " (URDF robot " + name + ")", spec, joints);
  }

  private static String describe(Object v) {
    if (v instanceof java.util.Map) {
      return "namespace of parameters " + ((java.util.Map<?, ?>) v).keySet();
    }
    return v.getClass().getSimpleName() + " (" + v + ")";
  }
}
