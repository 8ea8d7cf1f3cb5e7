package mantis.ros.msg;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The actionlib message types of {@code control_msgs/FollowJointTrajectory}, for an action client
 * over plain topics ({@code <ns>/goal}, {@code <ns>/cancel}, {@code <ns>/status}, {@code
 * <ns>/feedback}, {@code <ns>/result}).
 *
 * <p>The md5sums are computed as for {@link RosMessages}, from {@code actionlib_msgs}' {@code .msg}
 * texts and from {@link #FOLLOW_JOINT_TRAJECTORY_ACTION}, the {@code .action} text of ROS 1 {@code
 * control_msgs} (1.5, with {@code error_string}), expanded into its seven message types the way
 * {@code genaction} does ({@link #expandAction}). They are kept apart from {@link RosMessages#ALL}
 * because Debian packages no {@code control_msgs} for {@code rosmsg} to check them against; the
 * tests check them against genpy's classes generated from the same text.
 */
public final class ActionMessages {
  /**
   * {@code control_msgs/action/FollowJointTrajectory.action} (ROS 1, control_msgs 1.5), without its
   * comments: goal, {@code ---}, result, {@code ---}, feedback.
   */
  public static final String FOLLOW_JOINT_TRAJECTORY_ACTION =
      """
      trajectory_msgs/JointTrajectory trajectory
      JointTolerance[] path_tolerance
      JointTolerance[] goal_tolerance
      duration goal_time_tolerance
      ---
      int32 error_code
      int32 SUCCESSFUL = 0
      int32 INVALID_GOAL = -1
      int32 INVALID_JOINTS = -2
      int32 OLD_HEADER_TIMESTAMP = -3
      int32 PATH_TOLERANCE_VIOLATED = -4
      int32 GOAL_TOLERANCE_VIOLATED = -5
      string error_string
      ---
      Header header
      string[] joint_names
      trajectory_msgs/JointTrajectoryPoint desired
      trajectory_msgs/JointTrajectoryPoint actual
      trajectory_msgs/JointTrajectoryPoint error
      """;

  /** {@code control_msgs/JointTolerance.msg}, without its comments. */
  public static final String JOINT_TOLERANCE_MSG =
      """
      string name
      float64 position
      float64 velocity
      float64 acceleration
      """;

  private static final Map<String, String> TEXTS = texts();

  private static final MsgDefinitions DEFS = MsgDefinitions.standardWith(TEXTS);

  private static final int MIN_STATUS_BYTES = 8 + 4 + 1 + 4;
  private static final int MIN_TOLERANCE_BYTES = 4 + 3 * 8;

  public static final RosMessageType<GoalId> GOAL_ID =
      new Codec<>(
          DEFS,
          "actionlib_msgs/GoalID",
          GoalId.class,
          ActionMessages::writeGoalId,
          ActionMessages::readGoalId);

  public static final RosMessageType<GoalStatus> GOAL_STATUS =
      new Codec<>(
          DEFS,
          "actionlib_msgs/GoalStatus",
          GoalStatus.class,
          ActionMessages::writeStatus,
          ActionMessages::readStatus);

  public static final RosMessageType<GoalStatusArray> GOAL_STATUS_ARRAY =
      new Codec<>(
          DEFS,
          "actionlib_msgs/GoalStatusArray",
          GoalStatusArray.class,
          (out, m) -> {
            out.header(m.header());
            out.uint32(m.statusList().size());
            for (GoalStatus s : m.statusList()) {
              writeStatus(out, s);
            }
          },
          in ->
              new GoalStatusArray(
                  in.header(),
                  in.array("status_list", MIN_STATUS_BYTES, ActionMessages::readStatus)));

  public static final RosMessageType<JointTolerance> JOINT_TOLERANCE =
      new Codec<>(
          DEFS,
          "control_msgs/JointTolerance",
          JointTolerance.class,
          ActionMessages::writeTolerance,
          ActionMessages::readTolerance);

  public static final RosMessageType<FollowJointTrajectoryGoal> FOLLOW_JOINT_TRAJECTORY_GOAL =
      new Codec<>(
          DEFS,
          "control_msgs/FollowJointTrajectoryGoal",
          FollowJointTrajectoryGoal.class,
          ActionMessages::writeGoal,
          ActionMessages::readGoal);

  public static final RosMessageType<FollowJointTrajectoryResult> FOLLOW_JOINT_TRAJECTORY_RESULT =
      new Codec<>(
          DEFS,
          "control_msgs/FollowJointTrajectoryResult",
          FollowJointTrajectoryResult.class,
          ActionMessages::writeResult,
          ActionMessages::readResult);

  public static final RosMessageType<FollowJointTrajectoryFeedback>
      FOLLOW_JOINT_TRAJECTORY_FEEDBACK =
          new Codec<>(
              DEFS,
              "control_msgs/FollowJointTrajectoryFeedback",
              FollowJointTrajectoryFeedback.class,
              ActionMessages::writeFeedback,
              ActionMessages::readFeedback);

  public static final RosMessageType<FollowJointTrajectoryActionGoal>
      FOLLOW_JOINT_TRAJECTORY_ACTION_GOAL =
          new Codec<>(
              DEFS,
              "control_msgs/FollowJointTrajectoryActionGoal",
              FollowJointTrajectoryActionGoal.class,
              (out, m) -> {
                out.header(m.header());
                writeGoalId(out, m.goalId());
                writeGoal(out, m.goal());
              },
              in -> new FollowJointTrajectoryActionGoal(in.header(), readGoalId(in), readGoal(in)));

  public static final RosMessageType<FollowJointTrajectoryActionResult>
      FOLLOW_JOINT_TRAJECTORY_ACTION_RESULT =
          new Codec<>(
              DEFS,
              "control_msgs/FollowJointTrajectoryActionResult",
              FollowJointTrajectoryActionResult.class,
              (out, m) -> {
                out.header(m.header());
                writeStatus(out, m.status());
                writeResult(out, m.result());
              },
              in ->
                  new FollowJointTrajectoryActionResult(
                      in.header(), readStatus(in), readResult(in)));

  public static final RosMessageType<FollowJointTrajectoryActionFeedback>
      FOLLOW_JOINT_TRAJECTORY_ACTION_FEEDBACK =
          new Codec<>(
              DEFS,
              "control_msgs/FollowJointTrajectoryActionFeedback",
              FollowJointTrajectoryActionFeedback.class,
              (out, m) -> {
                out.header(m.header());
                writeStatus(out, m.status());
                writeFeedback(out, m.feedback());
              },
              in ->
                  new FollowJointTrajectoryActionFeedback(
                      in.header(), readStatus(in), readFeedback(in)));

  /** Every type above. */
  public static final List<RosMessageType<?>> ALL =
      List.of(
          GOAL_ID,
          GOAL_STATUS,
          GOAL_STATUS_ARRAY,
          JOINT_TOLERANCE,
          FOLLOW_JOINT_TRAJECTORY_GOAL,
          FOLLOW_JOINT_TRAJECTORY_RESULT,
          FOLLOW_JOINT_TRAJECTORY_FEEDBACK,
          FOLLOW_JOINT_TRAJECTORY_ACTION_GOAL,
          FOLLOW_JOINT_TRAJECTORY_ACTION_RESULT,
          FOLLOW_JOINT_TRAJECTORY_ACTION_FEEDBACK);

  private ActionMessages() {}

  /**
   * The seven {@code .msg} texts {@code genaction} makes of an {@code .action} text, keyed by full
   * type name: {@code <Name>Goal}, {@code <Name>Result}, {@code <Name>Feedback} (the three parts),
   * {@code <Name>ActionGoal} (header, {@code actionlib_msgs/GoalID goal_id}, goal), {@code
   * <Name>ActionResult} and {@code <Name>ActionFeedback} (header, {@code actionlib_msgs/GoalStatus
   * status}, result or feedback), and {@code <Name>Action} (the three Action messages).
   *
   * @param type the action's full name, e.g. {@code control_msgs/FollowJointTrajectory}
   * @param actionText the {@code .action} file's text
   * @throws IllegalArgumentException when the text does not have exactly three parts
   */
  public static Map<String, String> expandAction(String type, String actionText) {
    String[] parts = actionText.split("(?m)^---[ \\t]*$\\n?", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          type + ": an .action text has three parts separated by '---' lines, got " + parts.length);
    }
    String name = type.substring(type.indexOf('/') + 1);
    Map<String, String> out = new LinkedHashMap<>();
    out.put(type + "Goal", parts[0]);
    out.put(type + "Result", parts[1]);
    out.put(type + "Feedback", parts[2]);
    out.put(
        type + "ActionGoal",
        "Header header\nactionlib_msgs/GoalID goal_id\n" + name + "Goal goal\n");
    out.put(
        type + "ActionResult",
        "Header header\nactionlib_msgs/GoalStatus status\n" + name + "Result result\n");
    out.put(
        type + "ActionFeedback",
        "Header header\nactionlib_msgs/GoalStatus status\n" + name + "Feedback feedback\n");
    out.put(
        type + "Action",
        name
            + "ActionGoal action_goal\n"
            + name
            + "ActionResult action_result\n"
            + name
            + "ActionFeedback action_feedback\n");
    return out;
  }

  private static Map<String, String> texts() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("actionlib_msgs/GoalID", "time stamp\nstring id\n");
    t.put(
        "actionlib_msgs/GoalStatus",
        """
        GoalID goal_id
        uint8 status
        uint8 PENDING         = 0
        uint8 ACTIVE          = 1
        uint8 PREEMPTED       = 2
        uint8 SUCCEEDED       = 3
        uint8 ABORTED         = 4
        uint8 REJECTED        = 5
        uint8 PREEMPTING      = 6
        uint8 RECALLING       = 7
        uint8 RECALLED        = 8
        uint8 LOST            = 9
        string text
        """);
    t.put("actionlib_msgs/GoalStatusArray", "Header header\nGoalStatus[] status_list\n");
    t.put("control_msgs/JointTolerance", JOINT_TOLERANCE_MSG);
    t.putAll(expandAction("control_msgs/FollowJointTrajectory", FOLLOW_JOINT_TRAJECTORY_ACTION));
    return t;
  }

  /** The md5sum of {@code control_msgs/FollowJointTrajectoryAction}, which no topic carries. */
  public static String followJointTrajectoryActionMd5sum() {
    return DEFS.md5sum("control_msgs/FollowJointTrajectoryAction");
  }

  private static void writeGoalId(RosWriter out, GoalId id) {
    out.time(id.stamp());
    out.string(id.id());
  }

  private static GoalId readGoalId(RosReader in) {
    return new GoalId(in.time("goal_id.stamp"), in.string("goal_id.id"));
  }

  private static void writeStatus(RosWriter out, GoalStatus s) {
    writeGoalId(out, s.goalId());
    out.uint8(s.status());
    out.string(s.text());
  }

  private static GoalStatus readStatus(RosReader in) {
    return new GoalStatus(readGoalId(in), in.uint8("status"), in.string("text"));
  }

  private static void writeTolerance(RosWriter out, JointTolerance t) {
    out.string(t.name());
    out.float64(t.position());
    out.float64(t.velocity());
    out.float64(t.acceleration());
  }

  private static JointTolerance readTolerance(RosReader in) {
    return new JointTolerance(
        in.string("tolerance.name"),
        in.float64("tolerance.position"),
        in.float64("tolerance.velocity"),
        in.float64("tolerance.acceleration"));
  }

  private static void writeGoal(RosWriter out, FollowJointTrajectoryGoal g) {
    byte[] trajectory = RosMessages.JOINT_TRAJECTORY.encode(g.trajectory());
    out.raw(trajectory);
    out.uint32(g.pathTolerance().size());
    for (JointTolerance t : g.pathTolerance()) {
      writeTolerance(out, t);
    }
    out.uint32(g.goalTolerance().size());
    for (JointTolerance t : g.goalTolerance()) {
      writeTolerance(out, t);
    }
    out.duration(g.goalTimeTolerance());
  }

  private static FollowJointTrajectoryGoal readGoal(RosReader in) {
    JointTrajectory trajectory = RosMessages.readTrajectory(in);
    return new FollowJointTrajectoryGoal(
        trajectory,
        in.array("path_tolerance", MIN_TOLERANCE_BYTES, ActionMessages::readTolerance),
        in.array("goal_tolerance", MIN_TOLERANCE_BYTES, ActionMessages::readTolerance),
        in.duration("goal_time_tolerance"));
  }

  private static void writeResult(RosWriter out, FollowJointTrajectoryResult r) {
    out.int32(r.errorCode());
    out.string(r.errorString());
  }

  private static FollowJointTrajectoryResult readResult(RosReader in) {
    return new FollowJointTrajectoryResult(in.int32("error_code"), in.string("error_string"));
  }

  private static void writeFeedback(RosWriter out, FollowJointTrajectoryFeedback f) {
    out.header(f.header());
    out.stringArray(f.jointNames());
    RosMessages.writePoint(out, f.desired());
    RosMessages.writePoint(out, f.actual());
    RosMessages.writePoint(out, f.error());
  }

  private static FollowJointTrajectoryFeedback readFeedback(RosReader in) {
    return new FollowJointTrajectoryFeedback(
        in.header(),
        in.stringArray("joint_names"),
        RosMessages.readPoint(in),
        RosMessages.readPoint(in),
        RosMessages.readPoint(in));
  }
}
