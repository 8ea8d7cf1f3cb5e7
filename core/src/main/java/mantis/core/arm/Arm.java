package mantis.core.arm;

import mantis.core.ActionChunk;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;

/**
 * An arm as a controller sees it: it plays action chunks through its own safety filter, holds,
 * latches an e-stop until reset, and reports its joint states. Implementations are thread-safe;
 * every method returns promptly.
 *
 * <p>Commands come through a {@link Session}: a controller opens one, sends chunks through it and
 * sees the joint states while it is open; closing it gives control back (the arm decides what that
 * means: the simulated arm holds when its last session closes, the ROS bridge lets the policy drive
 * again). Where an arm writes an audit log it reads the caller's identity from the calling thread's
 * context during {@link #hold}, {@link #estop}, {@link #reset} and {@link #openSession}.
 */
public interface Arm {
  /** This arm's id; a request naming another arm is not for it. */
  String robotId();

  /** The robot this arm is: joint names, order and limits. */
  RobotSpec robot();

  /**
   * The clock chunk validity ({@link ActionChunk#validUntilNanos()}) and joint-state stamps are on.
   */
  MonotonicClock clock();

  /** What the arm is doing now. */
  ArmState state();

  /**
   * Holds the current position now, dropping the playing chunk.
   *
   * @param reason why, from the caller; may be empty (the arm words a default)
   */
  void hold(String reason);

  /**
   * Latches the e-stop and holds: every command is a hold until {@link #reset()}.
   *
   * @param reason why, from the caller; may be empty (the arm words a default)
   */
  void estop(String reason);

  /** Clears the e-stop latch; the arm keeps holding until the next command. */
  void reset();

  /**
   * Opens a command session; {@code listener} sees every joint state from now until the session is
   * closed.
   *
   * @throws IllegalStateException when the arm cannot take a controller (the adapter refuses the
   *     call)
   */
  Session openSession(ArmListener listener);

  /** One controller's command session. Thread-safe; {@link #close} is idempotent. */
  interface Session {
    /**
     * Plays {@code chunk} from now on, replacing the current one, after the arm's safety filter
     * (which may hold instead). Its validity must already be on the arm's {@link Arm#clock()}.
     */
    void command(ActionChunk chunk);

    /**
     * Ends the session: its listener sees nothing more and the controller gives control back.
     *
     * @param outcome how the session ended, one word for logs and audit (e.g. the transport's
     *     status code: "OK", "CANCELLED")
     */
    void close(String outcome);
  }
}
