package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code trajectory_msgs/JointTrajectoryPoint}: targets for every joint of the enclosing
 * trajectory, in its joint order; each list is empty or one entry per joint.
 *
 * @param positions rad or m
 * @param velocities rad/s or m/s
 * @param accelerations rad/s² or m/s²
 * @param effort N·m or N
 * @param timeFromStart when to reach the point, from the trajectory header's stamp
 */
public record JointTrajectoryPoint(
    List<Double> positions,
    List<Double> velocities,
    List<Double> accelerations,
    List<Double> effort,
    RosDuration timeFromStart) {
  public JointTrajectoryPoint {
    positions = Checks.list(positions, "positions");
    velocities = Checks.list(velocities, "velocities");
    accelerations = Checks.list(accelerations, "accelerations");
    effort = Checks.list(effort, "effort");
    Objects.requireNonNull(timeFromStart, "time_from_start must not be null");
  }
}
