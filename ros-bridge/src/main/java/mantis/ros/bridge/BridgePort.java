package mantis.ros.bridge;

import mantis.ros.msg.JointTrajectory;

/**
 * The bridge core's outputs to ROS: the controller's command topic and the status topic. {@link
 * BridgeNode} implements it with ROS publishers; tests record what is published. Implementations
 * must not block (ROS publishers queue).
 */
interface BridgePort {
  /**
   * Sends a motion trajectory to the controller: on {@code <controller>/command}, or as a new
   * FollowJointTrajectory goal (which preempts the previous one).
   */
  void publishTrajectory(JointTrajectory trajectory);

  /**
   * Tells the controller to hold: {@code hold} is a one-point trajectory at the measured position
   * (or an empty one, "stop here", when none was measured). The command topic publishes it like any
   * trajectory (the default); the FollowJointTrajectory action cancels the bridge's active goal
   * instead, which makes joint_trajectory_controller hold where the arm is.
   *
   * @param reason why, for logs
   */
  default void publishHold(JointTrajectory hold, String reason) {
    publishTrajectory(hold);
  }

  /** Publishes the heartbeat on the status topic. */
  void publishStatus(String status);
}
