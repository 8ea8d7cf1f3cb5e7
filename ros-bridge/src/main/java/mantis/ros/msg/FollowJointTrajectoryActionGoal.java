package mantis.ros.msg;

import java.util.Objects;

/**
 * {@code control_msgs/FollowJointTrajectoryActionGoal}: a goal as sent on {@code <ns>/goal}.
 *
 * @param header stamp of the request
 * @param goalId the goal's id and stamp
 * @param goal the goal
 */
public record FollowJointTrajectoryActionGoal(
    Header header, GoalId goalId, FollowJointTrajectoryGoal goal) {
  public FollowJointTrajectoryActionGoal {
    Objects.requireNonNull(header, "header must not be null");
    Objects.requireNonNull(goalId, "goal_id must not be null");
    Objects.requireNonNull(goal, "goal must not be null");
  }
}
