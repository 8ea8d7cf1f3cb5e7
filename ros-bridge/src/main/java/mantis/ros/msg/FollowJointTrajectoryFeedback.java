package mantis.ros.msg;

import java.util.List;
import java.util.Objects;

/**
 * {@code control_msgs/FollowJointTrajectoryFeedback}: where the joints should be, are, and the
 * difference, in {@code jointNames} order.
 *
 * @param header stamp of the sample
 * @param jointNames joint order of the three points
 * @param desired the trajectory's sample now
 * @param actual the measured state
 * @param error desired minus actual
 */
public record FollowJointTrajectoryFeedback(
    Header header,
    List<String> jointNames,
    JointTrajectoryPoint desired,
    JointTrajectoryPoint actual,
    JointTrajectoryPoint error) {
  public FollowJointTrajectoryFeedback {
    Objects.requireNonNull(header, "header must not be null");
    jointNames = Checks.list(jointNames, "joint_names");
    Objects.requireNonNull(desired, "desired must not be null");
    Objects.requireNonNull(actual, "actual must not be null");
    Objects.requireNonNull(error, "error must not be null");
  }
}
