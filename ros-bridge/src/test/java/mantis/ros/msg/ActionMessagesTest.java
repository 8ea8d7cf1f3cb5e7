package mantis.ros.msg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionMessagesTest {
  /**
   * genpy's md5sums of the classes it generates from the same .action text (printed by {@code
   * fjt_action_server.py --md5}; {@code ActionMessagesRosTest} checks them live); the
   * actionlib_msgs ones are those of Debian's python3-actionlib-msgs. They equal ROS 1 control_msgs
   * 1.5's.
   */
  private static final Map<String, String> GENPY_MD5 =
      Map.ofEntries(
          Map.entry("actionlib_msgs/GoalID", "302881f31927c1df708a2dbab0e80ee8"),
          Map.entry("actionlib_msgs/GoalStatus", "d388f9b87b3c471f784434d671988d4a"),
          Map.entry("actionlib_msgs/GoalStatusArray", "8b2b82f13216d0a8ea88bd3af735e619"),
          Map.entry("control_msgs/JointTolerance", "f544fe9c16cf04547e135dd6063ff5be"),
          Map.entry("control_msgs/FollowJointTrajectoryGoal", "69636787b6ecbde4d61d711979bc7ecb"),
          Map.entry("control_msgs/FollowJointTrajectoryResult", "493383b18409bfb604b4e26c676401d2"),
          Map.entry(
              "control_msgs/FollowJointTrajectoryFeedback", "10817c60c2486ef6b33e97dcd87f4474"),
          Map.entry(
              "control_msgs/FollowJointTrajectoryActionGoal", "cff5c1d533bf2f82dd0138d57f4304bb"),
          Map.entry(
              "control_msgs/FollowJointTrajectoryActionResult", "c4fb3b000dc9da4fd99699380efcc5d9"),
          Map.entry(
              "control_msgs/FollowJointTrajectoryActionFeedback",
              "d8920dc4eae9fc107e00999cce4be641"));

  static JointTrajectory trajectory() {
    return new JointTrajectory(
        new Header(3, new RosTime(1700000000, 5), "base"),
        List.of("a", "b"),
        List.of(
            new JointTrajectoryPoint(
                List.of(0.1, -0.2),
                List.of(1.0, 2.0),
                List.of(),
                List.of(),
                new RosDuration(0, 100_000_000)),
            new JointTrajectoryPoint(
                List.of(0.2, -0.1),
                List.of(0.0, 0.0),
                List.of(),
                List.of(),
                new RosDuration(0, 200_000_000))));
  }

  static List<Object> samples() {
    GoalId id = new GoalId(new RosTime(12, 34), "/mantis_bridge-1-12.000000034");
    GoalStatus status = new GoalStatus(id, GoalStatus.ABORTED, "path tolerance");
    FollowJointTrajectoryGoal goal =
        new FollowJointTrajectoryGoal(
            trajectory(),
            List.of(new JointTolerance("a", 0.1, 0.2, 0.3)),
            List.of(new JointTolerance("b", 0.01, -1, 0)),
            new RosDuration(0, 500_000_000));
    FollowJointTrajectoryResult result =
        new FollowJointTrajectoryResult(
            FollowJointTrajectoryResult.PATH_TOLERANCE_VIOLATED, "a off by 0.2 rad");
    JointTrajectoryPoint p =
        new JointTrajectoryPoint(
            List.of(1.0, 2.0), List.of(), List.of(), List.of(), RosDuration.ZERO);
    FollowJointTrajectoryFeedback feedback =
        new FollowJointTrajectoryFeedback(
            new Header(1, new RosTime(5, 6), ""), List.of("a", "b"), p, p, p);
    Header h = new Header(7, new RosTime(8, 9), "");
    return List.of(
        id,
        status,
        new GoalStatusArray(h, List.of(status, new GoalStatus(id, GoalStatus.ACTIVE, ""))),
        new JointTolerance("a", 0.1, 0.2, 0.3),
        goal,
        result,
        feedback,
        new FollowJointTrajectoryActionGoal(h, id, goal),
        new FollowJointTrajectoryActionResult(h, status, result),
        new FollowJointTrajectoryActionFeedback(h, status, feedback));
  }

  @Test
  void everyMd5sumEqualsWhatGenpyComputesForTheSameDefinitions() {
    assertEquals(GENPY_MD5.size(), ActionMessages.ALL.size());
    for (RosMessageType<?> t : ActionMessages.ALL) {
      assertEquals(GENPY_MD5.get(t.type()), t.md5sum(), t.type());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyTypeSurvivesARoundTripThroughItsEncoding() {
    List<Object> samples = samples();
    assertEquals(ActionMessages.ALL.size(), samples.size());
    for (int i = 0; i < samples.size(); i++) {
      RosMessageType<Object> type = (RosMessageType<Object>) ActionMessages.ALL.get(i);
      Object m = samples.get(i);
      assertEquals(m, type.decode(type.encode(m)), type.type());
    }
  }

  @Test
  void aGoalIsEncodedAsItsTrajectoryFollowedByTolerancesAndTheDuration() {
    FollowJointTrajectoryGoal goal =
        new FollowJointTrajectoryGoal(trajectory(), List.of(), List.of(), new RosDuration(1, 2));
    byte[] t = RosMessages.JOINT_TRAJECTORY.encode(trajectory());
    byte[] g = ActionMessages.FOLLOW_JOINT_TRAJECTORY_GOAL.encode(goal);
    assertEquals(t.length + 4 + 4 + 8, g.length);
    for (int i = 0; i < t.length; i++) {
      assertEquals(t[i], g[i], "byte " + i);
    }
  }

  @Test
  void aTruncatedActionGoalIsRefusedWithTheTypeName() {
    byte[] bytes =
        ActionMessages.FOLLOW_JOINT_TRAJECTORY_ACTION_GOAL.encode(
            (FollowJointTrajectoryActionGoal) samples().get(7));
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    MessageFormatException e =
        assertThrows(
            MessageFormatException.class,
            () -> ActionMessages.FOLLOW_JOINT_TRAJECTORY_ACTION_GOAL.decode(cut));
    assertTrue(e.getMessage().contains("FollowJointTrajectoryActionGoal"), e.getMessage());
  }

  @Test
  void expandingAnActionGivesGenactionsSevenTypes() {
    Map<String, String> m =
        ActionMessages.expandAction("p/Do", "int32 a\n---\nint32 b\n---\nint32 c\n");
    assertEquals(
        List.of(
            "p/DoGoal",
            "p/DoResult",
            "p/DoFeedback",
            "p/DoActionGoal",
            "p/DoActionResult",
            "p/DoActionFeedback",
            "p/DoAction"),
        List.copyOf(m.keySet()));
    assertEquals(
        "Header header\nactionlib_msgs/GoalID goal_id\nDoGoal goal\n", m.get("p/DoActionGoal"));
    assertEquals("int32 b\n", m.get("p/DoResult"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ActionMessages.expandAction("p/Do", "int32 a\n---\n"));
    assertTrue(e.getMessage().contains("three parts"), e.getMessage());
  }

  @Test
  void terminalStatusesAreTheOnesAGoalNeverLeaves() {
    assertTrue(GoalStatus.isTerminal(GoalStatus.ABORTED));
    assertTrue(GoalStatus.isTerminal(GoalStatus.PREEMPTED));
    assertTrue(!GoalStatus.isTerminal(GoalStatus.ACTIVE));
    assertTrue(!GoalStatus.isTerminal(GoalStatus.PREEMPTING));
    assertEquals("ABORTED", GoalStatus.name(4));
    assertEquals("PATH_TOLERANCE_VIOLATED", FollowJointTrajectoryResult.codeName(-4));
  }
}
