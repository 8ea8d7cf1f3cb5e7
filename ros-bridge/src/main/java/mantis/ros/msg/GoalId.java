package mantis.ros.msg;

import java.util.Objects;

/**
 * {@code actionlib_msgs/GoalID}: names one goal of an action.
 *
 * @param stamp when the goal was requested; in a cancel request, a non-zero stamp also cancels
 *     every goal stamped at or before it (actionlib's rule), so cancels of one goal send zero
 * @param id the goal's unique id; empty in a cancel request means "by stamp only"
 */
public record GoalId(RosTime stamp, String id) {
  public GoalId {
    Objects.requireNonNull(stamp, "goal_id.stamp must not be null");
    Checks.string(id, "goal_id.id");
  }
}
