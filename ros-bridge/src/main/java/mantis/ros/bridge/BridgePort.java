package mantis.ros.bridge;

import mantis.ros.msg.JointTrajectory;

/**
 * The bridge core's outputs to ROS: the controller's command topic and the status topic. {@link
 * BridgeNode} implements it with ROS publishers; tests record what is published. Implementations
 * must not block (ROS publishers queue).
 */
interface BridgePort {
  /** Publishes on {@code <controller>/command}. */
  void publishTrajectory(JointTrajectory trajectory);

  /** Publishes the heartbeat on the status topic. */
  void publishStatus(String status);
}
