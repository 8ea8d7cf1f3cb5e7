package mantis.teleop;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import mantis.security.Principal;
import mantis.security.Role;

/**
 * A teleop session: one arm, driven by a person or by the policy, with the policy always predicting
 * in shadow mode on the same frames. Every command reaches the arm through {@code ArmService} and
 * its safety filter. Thread-safe: the dashboard calls it from HTTP threads.
 *
 * <p>Every call that changes something takes the {@link Principal} it is done for (the dashboard's
 * logged-in person): a session given an audit log writes who took over, e-stopped, reset, started
 * driving the arm and recorded (see {@code docs/TELEOP.md}). The forms without a principal are for
 * Java callers inside the process and act as {@link #IN_PROCESS}. Roles are not checked here: the
 * dashboard does that before calling.
 */
public interface Teleop extends AutoCloseable {
  /** Who the calls without a principal are attributed to: code in this process. */
  Principal IN_PROCESS = new Principal("in-process (Java API)", Role.ADMIN, "");

  /** A consistent snapshot of everything the page shows. */
  TeleopState state();

  /**
   * The newest camera frame with the SoM marks and ToM traces drawn, as PNG; its sequence number is
   * {@link TeleopState#frameSeq()} of the state taken at the same time or later.
   */
  byte[] framePng();

  /**
   * Person's input: joint velocities (rad/s, one per joint, clamped to the robot's limits) held for
   * {@code holdMillis} (keyboard auto-repeat or a held button renews it), then zero. Ignored
   * (returns false) in {@link ControlMode#POLICY} mode or while the e-stop is latched.
   */
  default boolean jog(List<Double> velocitiesRadPerS, long holdMillis) {
    return jog(velocitiesRadPerS, holdMillis, IN_PROCESS);
  }

  /**
   * {@link #jog(List, long)} by {@code by}. The first accepted jog of a person after the policy, an
   * e-stop or a pause drove the arm is audited as a {@code COMMAND_SOURCE} (once, not per request).
   */
  boolean jog(List<Double> velocitiesRadPerS, long holdMillis, Principal by);

  /** Hands control over; the switch is smooth (the safety filter's rate limits apply). */
  default void setMode(ControlMode mode) {
    setMode(mode, IN_PROCESS);
  }

  /**
   * {@link #setMode(ControlMode)} by {@code by}; an actual switch is audited as {@code TAKEOVER}.
   */
  void setMode(ControlMode mode, Principal by);

  /** Latches the e-stop: the arm holds until {@link #reset()}. */
  default void estop(String reason) {
    estop(reason, IN_PROCESS);
  }

  /** {@link #estop(String)} by {@code by}; audited as {@code ESTOP} with the reason. */
  void estop(String reason, Principal by);

  /** Clears the e-stop; control stays in the current mode, the arm holds until the next command. */
  default void reset() {
    reset(IN_PROCESS);
  }

  /**
   * {@link #reset()} by {@code by}; audited as {@code RESET} once the arm has cleared its latch.
   */
  void reset(Principal by);

  /**
   * The tasks {@link #newEpisode(String, long)} accepts, by canonical name (upper case with
   * underscores, e.g. {@code PUSH_DIRECTION}); the arm behind the session decides what they are.
   */
  List<String> tasks();

  /**
   * Starts a new episode of {@code task}, one of {@link #tasks()} (the current recording, if any,
   * is finished first).
   *
   * @throws IllegalArgumentException when {@code task} is not one of {@link #tasks()}
   */
  default void newEpisode(String task, long seed) {
    newEpisode(task, seed, IN_PROCESS);
  }

  /**
   * {@link #newEpisode(String, long)} by {@code by} (a recording it finishes is audited as theirs).
   */
  void newEpisode(String task, long seed, Principal by);

  /** {@code task} if it is one of {@code tasks}, else an IllegalArgumentException naming them. */
  static String requireTask(String task, List<String> tasks) {
    if (task == null || !tasks.contains(task)) {
      throw new IllegalArgumentException("unknown task '" + task + "'; this arm offers " + tasks);
    }
    return task;
  }

  /** Starts recording the current episode from now; returns the recording's name. */
  default String startRecording() {
    return startRecording(IN_PROCESS);
  }

  /** {@link #startRecording()} by {@code by}; audited as {@code RECORDING_START}. */
  String startRecording(Principal by);

  /** Finishes the recording in progress; returns its summary. */
  default RecordingInfo stopRecording() {
    return stopRecording(IN_PROCESS);
  }

  /** {@link #stopRecording()} by {@code by}; audited as {@code RECORDING_STOP}. */
  RecordingInfo stopRecording(Principal by);

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
