package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code control_msgs/FollowJointTrajectoryGoal}.
 *
 * @param trajectory the points to follow
 * @param pathTolerance tolerances while the trajectory runs (empty: the server's defaults)
 * @param goalTolerance tolerances at the last point (empty: the server's defaults)
 * @param goalTimeTolerance how long after the last point's time the goal tolerances may still be
 *     reached (zero: the server's default)
 */
public record FollowJointTrajectoryGoal(
    JointTrajectory trajectory,
    List<JointTolerance> pathTolerance,
    List<JointTolerance> goalTolerance,
    RosDuration goalTimeTolerance) {
  public FollowJointTrajectoryGoal {
    Objects.requireNonNull(trajectory, "trajectory must not be null");
    pathTolerance = Checks.list(pathTolerance, "path_tolerance");
    goalTolerance = Checks.list(goalTolerance, "goal_tolerance");
    Objects.requireNonNull(goalTimeTolerance, "goal_time_tolerance must not be null");
  }
}
