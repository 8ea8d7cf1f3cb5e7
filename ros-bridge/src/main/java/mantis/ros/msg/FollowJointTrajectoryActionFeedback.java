package mantis.ros.msg;

import java.util.Objects;

/**
 * {@code control_msgs/FollowJointTrajectoryActionFeedback}: a running goal's feedback, on {@code
 * <ns>/feedback}.
 *
 * @param header stamp of the report
 * @param status the goal and its state
 * @param feedback the server's feedback
 */
public record FollowJointTrajectoryActionFeedback(
    Header header, GoalStatus status, FollowJointTrajectoryFeedback feedback) {
  public FollowJointTrajectoryActionFeedback {
    Objects.requireNonNull(header, "header must not be null");
    Objects.requireNonNull(status, "status must not be null");
    Objects.requireNonNull(feedback, "feedback must not be null");
  }
}
