package mantis.core.arm;

import mantis.core.JointState;

/**
 * Sees every measured joint state of an arm while a {@link Arm.Session} is open. Called on the
 * arm's own thread (physics tick, ROS subscriber), never under a lock a caller could need; must be
 * quick and must not call back into the arm's session.
 */
@FunctionalInterface
public interface ArmListener {
  /**
   * @param jointState the measured state, stamped on the arm's {@link Arm#clock()}
   * @param state the arm's state when the joint state was measured
   */
  void onJointState(JointState jointState, ArmState state);
}
