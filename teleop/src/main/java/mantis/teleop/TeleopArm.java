package mantis.teleop;

import mantis.core.Frame;
import mantis.core.JointState;
import mantis.proto.v1.JointStateMsg;

/**
 * The arm side of a teleop session, as {@link TeleopLoop} sees it: where the camera frame, the
 * instruction and the episode's outcome come from. Commands, e-stop and joint states go only
 * through the arm's {@code ArmService} channel, which the session opens itself. Package-private:
 * {@link SimTeleop} and {@link BridgedTeleop} implement it.
 */
interface TeleopArm {
  /** {@code robot_id} for the arm's ArmService calls and the policy's observations. */
  String robotId();

  /**
   * What one control tick reads, or null when there is nothing to act on yet (no frame or joint
   * state, or they are stale): the tick then sends nothing and the arm's watchdog holds it.
   *
   * @param nowNanos the tick's time on the session's monotonic clock
   * @param latest the newest joint state streamed back by the arm's ArmService, or null
   * @param latestArrivalNanos when {@code latest} arrived, on the same clock
   */
  Snapshot snapshot(long nowNanos, JointStateMsg latest, long latestArrivalNanos);

  /**
   * Whether, in {@link ControlMode#TELEOP} with no jog, the session keeps commanding a hold at the
   * position where the arm came to rest instead of falling silent. A bridged arm needs it: its
   * bridge drives the arm with its own policy loop whenever no ArmService client is commanding.
   */
  boolean holdsWhenIdle();

  /** The recording in progress, or empty. */
  String recordingName();

  /**
   * What a tick reads.
   *
   * @param input the frame sent to the policy (its input size)
   * @param display the frame the live view draws on (marks are scaled from {@code input})
   * @param joints measured joints, names and order of the robot spec
   * @param commandedRad the target the arm is executing (the measured position when unknown)
   * @param success the task's success predicate (false when unknown)
   * @param done the episode ended (false when unknown)
   * @param instruction what the policy is asked to do (blank: the shadow policy is skipped)
   * @param captureNanos when the frame was taken or arrived, on the session's clock
   */
  record Snapshot(
      Frame input,
      Frame display,
      JointState joints,
      double[] commandedRad,
      boolean success,
      boolean done,
      String instruction,
      long captureNanos) {}
}
