package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mantis.ros.msg.FollowJointTrajectoryActionFeedback;
import mantis.ros.msg.FollowJointTrajectoryActionGoal;
import mantis.ros.msg.FollowJointTrajectoryActionResult;
import mantis.ros.msg.FollowJointTrajectoryFeedback;
import mantis.ros.msg.FollowJointTrajectoryResult;
import mantis.ros.msg.GoalId;
import mantis.ros.msg.GoalStatus;
import mantis.ros.msg.GoalStatusArray;
import mantis.ros.msg.Header;
import mantis.ros.msg.JointTolerance;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.RosDuration;
import mantis.ros.msg.RosTime;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FollowJointTrajectoryClientTest {
  private final List<FollowJointTrajectoryActionGoal> goals = new ArrayList<>();
  private final List<GoalId> cancels = new ArrayList<>();
  private long nowNanos = 1_700_000_000_000_000_123L;

  private FollowJointTrajectoryClient client(BridgeConfig.Controller c) {
    return new FollowJointTrajectoryClient(
        "/mantis_bridge",
        c,
        goals::add,
        cancels::add,
        () -> nowNanos,
        LoggerFactory.getLogger(FollowJointTrajectoryClientTest.class));
  }

  private static BridgeConfig.Controller action(
      BridgeConfig.Tolerance path, BridgeConfig.Tolerance goal, long gttMs) {
    return new BridgeConfig.Controller(
        BridgeConfig.Interface.FOLLOW_JOINT_TRAJECTORY,
        Optional.of("/arm_controller/follow_joint_trajectory"),
        path,
        goal,
        gttMs);
  }

  private static JointTrajectory chunk() {
    return new JointTrajectory(
        new Header(0, new RosTime(5, 0), ""),
        List.of("a", "b"),
        List.of(
            new JointTrajectoryPoint(
                List.of(0.1, 0.2),
                List.of(),
                List.of(),
                List.of(),
                new RosDuration(0, 100_000_000)),
            new JointTrajectoryPoint(
                List.of(0.2, 0.2),
                List.of(),
                List.of(),
                List.of(),
                new RosDuration(0, 200_000_000))));
  }

  private static FollowJointTrajectoryActionResult result(
      String id, int status, int code, String s) {
    return new FollowJointTrajectoryActionResult(
        new Header(0, RosTime.ZERO, ""),
        new GoalStatus(new GoalId(RosTime.ZERO, id), status, ""),
        new FollowJointTrajectoryResult(code, s));
  }

  @Test
  void eachTrajectoryBecomesAGoalWithAUniqueIdVelocitiesAndTheTolerances() {
    FollowJointTrajectoryClient c =
        client(action(new BridgeConfig.Tolerance(0.1, 0, 0), BridgeConfig.Tolerance.NONE, 250));
    String first = c.send(chunk());
    nowNanos += 1_000;
    String second = c.send(chunk());
    assertNotEquals(first, second);
    assertTrue(first.startsWith("/mantis_bridge-1-1700000000."), first);
    assertTrue(second.startsWith("/mantis_bridge-2-"), second);
    FollowJointTrajectoryActionGoal g = goals.get(0);
    assertEquals(first, g.goalId().id());
    assertEquals(RosTime.ofNanos(1_700_000_000_000_000_123L), g.goalId().stamp());
    assertEquals(List.of(1.0, 0.0), g.goal().trajectory().points().get(0).velocities());
    assertEquals(List.of(0.0, 0.0), g.goal().trajectory().points().get(1).velocities());
    assertEquals(
        List.of(new JointTolerance("a", 0.1, 0, 0), new JointTolerance("b", 0.1, 0, 0)),
        g.goal().pathTolerance());
    assertEquals(List.of(), g.goal().goalTolerance(), "all-zero tolerances: the server's defaults");
    assertEquals(RosDuration.ofNanos(250_000_000L), g.goal().goalTimeTolerance());
    assertEquals(List.of(), cancels, "a new goal preempts the old one on the server: no cancel");
  }

  @Test
  void cancelCancelsEveryUnfinishedGoalByIdWithAZeroStamp() {
    FollowJointTrajectoryClient c =
        client(action(BridgeConfig.Tolerance.NONE, BridgeConfig.Tolerance.NONE, 0));
    String first = c.send(chunk());
    String second = c.send(chunk());
    c.onResult(result(first, GoalStatus.PREEMPTED, 0, ""));
    assertEquals(1, c.cancel("e-stop"));
    assertEquals(List.of(new GoalId(RosTime.ZERO, second)), cancels);
    c.onStatus(
        new GoalStatusArray(
            new Header(0, RosTime.ZERO, ""),
            List.of(new GoalStatus(new GoalId(RosTime.ZERO, second), GoalStatus.RECALLED, ""))));
    assertEquals(List.of(), c.openGoals());
    assertEquals(0, c.cancel("again"), "nothing left to cancel");
  }

  @Test
  void anAbortedGoalIsAFailureReportedWithItsCodeAndErrorString() {
    FollowJointTrajectoryClient c =
        client(action(BridgeConfig.Tolerance.NONE, BridgeConfig.Tolerance.NONE, 0));
    String id = c.send(chunk());
    c.onResult(
        result(
            id,
            GoalStatus.ABORTED,
            FollowJointTrajectoryResult.PATH_TOLERANCE_VIOLATED,
            "a off by 0.3 rad"));
    assertEquals(1, c.counts().aborted());
    assertEquals(1, c.counts().failures());
    String failure = c.lastFailure().orElseThrow();
    assertTrue(
        failure.contains(
            "goal "
                + id
                + " ABORTED: error_code -4 (PATH_TOLERANCE_VIOLATED), error_string \"a off by 0.3 rad\""),
        failure);
    assertTrue(c.statusText().contains("action_failures=1"), c.statusText());
    assertTrue(c.statusText().contains("action_error="), c.statusText());
    String next = c.send(chunk());
    c.onResult(result(next, GoalStatus.SUCCEEDED, 0, ""));
    assertFalse(c.statusText().contains("action_error="), "a success clears the error");
    assertEquals(1, c.counts().succeeded());
  }

  @Test
  void aSucceededResultWithANonZeroErrorCodeIsAFailureToo() {
    FollowJointTrajectoryClient c =
        client(action(BridgeConfig.Tolerance.NONE, BridgeConfig.Tolerance.NONE, 0));
    String id = c.send(chunk());
    c.onResult(
        result(id, GoalStatus.SUCCEEDED, FollowJointTrajectoryResult.GOAL_TOLERANCE_VIOLATED, ""));
    assertEquals(1, c.counts().failures());
  }

  @Test
  void resultsAndFeedbackOfOtherClientsAreIgnored() {
    FollowJointTrajectoryClient c =
        client(action(BridgeConfig.Tolerance.NONE, BridgeConfig.Tolerance.NONE, 0));
    c.onResult(result("/moveit-1-5.0", GoalStatus.ABORTED, -1, "not ours"));
    JointTrajectoryPoint p =
        new JointTrajectoryPoint(List.of(0.5), List.of(), List.of(), List.of(), RosDuration.ZERO);
    c.onFeedback(
        new FollowJointTrajectoryActionFeedback(
            new Header(0, RosTime.ZERO, ""),
            new GoalStatus(new GoalId(RosTime.ZERO, "/moveit-1-5.0"), GoalStatus.ACTIVE, ""),
            new FollowJointTrajectoryFeedback(
                new Header(0, RosTime.ZERO, ""), List.of("a"), p, p, p)));
    assertEquals(0, c.counts().failures());
    assertEquals(0, c.counts().feedbacks());
    String id = c.send(chunk());
    c.onFeedback(
        new FollowJointTrajectoryActionFeedback(
            new Header(0, RosTime.ZERO, ""),
            new GoalStatus(new GoalId(RosTime.ZERO, id), GoalStatus.ACTIVE, ""),
            new FollowJointTrajectoryFeedback(
                new Header(0, RosTime.ZERO, ""), List.of("a"), p, p, p)));
    assertEquals(1, c.counts().feedbacks());
    assertTrue(c.statusText().contains("action_max_error=0.5000"), c.statusText());
  }
}
