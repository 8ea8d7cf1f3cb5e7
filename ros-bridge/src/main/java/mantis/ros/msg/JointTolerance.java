package mantis.ros.msg;

/**
 * {@code control_msgs/JointTolerance}: how far one joint may stray. 0 keeps the server's default,
 * -1 removes the tolerance.
 *
 * @param name joint name
 * @param position rad or m
 * @param velocity rad/s or m/s
 * @param acceleration rad/s² or m/s²
 */
public record JointTolerance(String name, double position, double velocity, double acceleration) {
  public JointTolerance {
    Checks.string(name, "name");
  }
}
