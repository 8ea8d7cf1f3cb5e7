package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code sensor_msgs/JointState}. Each of position, velocity and effort is either empty or as long
 * as {@code name}, as the message's documentation requires.
 *
 * @param header time the state was recorded
 * @param name joint names
 * @param position rad or m
 * @param velocity rad/s or m/s
 * @param effort N·m or N
 */
public record JointState(
    Header header,
    List<String> name,
    List<Double> position,
    List<Double> velocity,
    List<Double> effort) {
  public JointState {
    Objects.requireNonNull(header, "header must not be null");
    name = Checks.list(name, "name");
    position = Checks.sameSizeOrEmpty(position, name.size(), "position", "name");
    velocity = Checks.sameSizeOrEmpty(velocity, name.size(), "velocity", "name");
    effort = Checks.sameSizeOrEmpty(effort, name.size(), "effort", "name");
  }
}
