package mantis.ros.msg;

/**
 * {@code control_msgs/FollowJointTrajectoryResult}.
 *
 * @param errorCode {@link #SUCCESSFUL} or one of the negative codes
 * @param errorString the server's explanation (which joint broke which tolerance, ...)
 */
public record FollowJointTrajectoryResult(int errorCode, String errorString) {
  public static final int SUCCESSFUL = 0;
  public static final int INVALID_GOAL = -1;
  public static final int INVALID_JOINTS = -2;
  public static final int OLD_HEADER_TIMESTAMP = -3;
  public static final int PATH_TOLERANCE_VIOLATED = -4;
  public static final int GOAL_TOLERANCE_VIOLATED = -5;

  public FollowJointTrajectoryResult {
    Checks.string(errorString, "error_string");
  }

  /** The constant's name ({@code "PATH_TOLERANCE_VIOLATED"}), or {@code "error_code 7"}. */
  public static String codeName(int errorCode) {
    switch (errorCode) {
      case SUCCESSFUL:
        return "SUCCESSFUL";
      case INVALID_GOAL:
        return "INVALID_GOAL";
      case INVALID_JOINTS:
        return "INVALID_JOINTS";
      case OLD_HEADER_TIMESTAMP:
        return "OLD_HEADER_TIMESTAMP";
      case PATH_TOLERANCE_VIOLATED:
        return "PATH_TOLERANCE_VIOLATED";
      case GOAL_TOLERANCE_VIOLATED:
        return "GOAL_TOLERANCE_VIOLATED";
      default:
        return "error_code " + errorCode;
    }
  }
}
