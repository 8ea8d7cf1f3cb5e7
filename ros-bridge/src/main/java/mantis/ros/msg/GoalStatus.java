package mantis.ros.msg;

import java.util.Objects;

/**
 * {@code actionlib_msgs/GoalStatus}: where one goal stands.
 *
 * @param goalId the goal
 * @param status one of the constants ({@link #PENDING} ... {@link #LOST}), uint8
 * @param text the server's words, often empty
 */
public record GoalStatus(GoalId goalId, int status, String text) {
  public static final int PENDING = 0;
  public static final int ACTIVE = 1;
  public static final int PREEMPTED = 2;
  public static final int SUCCEEDED = 3;
  public static final int ABORTED = 4;
  public static final int REJECTED = 5;
  public static final int PREEMPTING = 6;
  public static final int RECALLING = 7;
  public static final int RECALLED = 8;
  public static final int LOST = 9;

  private static final String[] NAMES = {
    "PENDING",
    "ACTIVE",
    "PREEMPTED",
    "SUCCEEDED",
    "ABORTED",
    "REJECTED",
    "PREEMPTING",
    "RECALLING",
    "RECALLED",
    "LOST"
  };

  public GoalStatus {
    Objects.requireNonNull(goalId, "goal_id must not be null");
    Checks.uint8(status, "status");
    Checks.string(text, "text");
  }

  /**
   * True for the states a goal never leaves: PREEMPTED, SUCCEEDED, ABORTED, REJECTED, RECALLED,
   * LOST.
   */
  public boolean terminal() {
    return isTerminal(status);
  }

  /** True for the terminal states (see {@link #terminal()}). */
  public static boolean isTerminal(int status) {
    return status == PREEMPTED
        || status == SUCCEEDED
        || status == ABORTED
        || status == REJECTED
        || status == RECALLED
        || status == LOST;
  }

  /** The constant's name ({@code "ABORTED"}), or {@code "status 42"} for an unknown value. */
  public static String name(int status) {
    return status >= 0 && status < NAMES.length ? NAMES[status] : "status " + status;
  }
}
