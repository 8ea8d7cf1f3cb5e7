package mantis.server.teleop;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import mantis.sim.TaskFamily;

/**
 * A teleop session: one arm, driven by a person or by the policy, with the policy always predicting
 * in shadow mode on the same frames. Every command reaches the arm through {@code ArmService} and
 * its safety filter. Thread-safe: the dashboard calls it from HTTP threads.
 */
public interface Teleop extends AutoCloseable {
  /** A consistent snapshot of everything the page shows. */
  TeleopState state();

  /**
   * The newest camera frame with the SoM marks and ToM traces drawn, as PNG; its sequence number
   * is {@link TeleopState#frameSeq()} of the state taken at the same time or later.
   */
  byte[] framePng();

  /**
   * Person's input: joint velocities (rad/s, one per joint, clamped to the robot's limits) held
   * for {@code holdMillis} (keyboard auto-repeat or a held button renews it), then zero. Ignored
   * (returns false) in {@link ControlMode#POLICY} mode or while the e-stop is latched.
   */
  boolean jog(List<Double> velocitiesRadPerS, long holdMillis);

  /** Hands control over; the switch is smooth (the safety filter's rate limits apply). */
  void setMode(ControlMode mode);

  /** Latches the e-stop: the arm holds until {@link #reset()}. */
  void estop(String reason);

  /** Clears the e-stop; control stays in the current mode, the arm holds until the next command. */
  void reset();

  /** Starts a new episode (the current recording, if any, is finished first). */
  void newEpisode(TaskFamily family, long seed);

  /** Starts recording the current episode from now; returns the recording's name. */
  String startRecording();

  /** Finishes the recording in progress; returns its summary. */
  RecordingInfo stopRecording();

  /** Finished recordings, newest first. */
  List<RecordingInfo> recordings();

  /**
   * Writes the named recording as a zip (its episode.json, steps.jsonl and frames) to {@code out}.
   *
   * @throws java.util.NoSuchElementException if there is no such recording
   */
  void writeRecordingZip(String name, OutputStream out) throws IOException;

  @Override
  void close();
}
