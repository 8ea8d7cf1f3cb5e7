package mantis.ros.msg;

import java.util.Objects;

/**
 * {@code control_msgs/FollowJointTrajectoryActionResult}: a goal's end, on {@code <ns>/result}.
 *
 * @param header stamp of the report
 * @param status the goal and its terminal state
 * @param result the server's result
 */
public record FollowJointTrajectoryActionResult(
    Header header, GoalStatus status, FollowJointTrajectoryResult result) {
  public FollowJointTrajectoryActionResult {
    Objects.requireNonNull(header, "header must not be null");
    Objects.requireNonNull(status, "status must not be null");
    Objects.requireNonNull(result, "result must not be null");
  }
}
