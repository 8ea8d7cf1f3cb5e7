package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mantis.ros.master.MasterClient;
import mantis.ros.msg.ActionMessages;
import mantis.ros.msg.RosMessageType;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge as a FollowJointTrajectory action client against a real rospy actionlib
 * SimpleActionServer ({@code fjt_action_server.py}, whose control_msgs classes genpy generates from
 * the .action text at test time), with a roscore, the rospy stand-in robot ({@code fake_robot.py})
 * and a fake policy server; and the robot read from {@code /robot_description}.
 */
@Tag("ros")
class FollowJointTrajectoryRosTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NS = "/arm_controller/follow_joint_trajectory";
  private static final Pattern GOAL =
      Pattern.compile(
          "^GOAL n=(\\d+) id=(\\S+) joints=(\\S+) points=(\\d+) positions=(\\S+) velocities=(\\S+)"
              + " tfs=(\\S+) path_tol=(\\S*) goal_tol=(\\S*) gtt=(\\S+)$",
          Pattern.MULTILINE);

  private static RosInstallation ros;
  private static RosCoreProcess core;
  @TempDir static Path dir;

  @BeforeAll
  static void startMaster() throws Exception {
    ros = RequireRos.installation();
    core = RosCoreProcess.onFreePort(ros);
    core.start();
  }

  @AfterAll
  static void stopMaster() {
    if (core != null) {
      core.close();
    }
  }

  private static Path script(String name) throws IOException {
    Path script = dir.resolve(name);
    if (!Files.exists(script)) {
      try (InputStream in = FollowJointTrajectoryRosTest.class.getResourceAsStream(name)) {
        Files.copy(in, script);
      }
    }
    return script;
  }

  private static RosProcess robot() throws IOException {
    RosProcess p =
        RosProcess.python(
            ros,
            core.environment(),
            script("fake_robot.py"),
            "--joints",
            "shoulder_joint,elbow_joint,wrist_joint",
            "--positions",
            "0.1,-0.2,0.3",
            "--command",
            "/unused/command");
    assertTrue(p.awaitOutput("READY", WAIT), p.output());
    return p;
  }

  private static RosProcess actionServer(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("--ns", NS));
    a.addAll(List.of(args));
    RosProcess p =
        RosProcess.python(
            ros, core.environment(), script("fjt_action_server.py"), a.toArray(String[]::new));
    assertTrue(p.awaitOutput("READY", WAIT), p.output());
    return p;
  }

  private static BridgeNode bridge(FakePolicyServer server, String robot, String controller)
      throws Exception {
    BridgeConfig config =
        BridgeConfig.parse(
            """
        ros:
          master_uri: %s
          node_name: mantis_bridge
          host: 127.0.0.1
        topics:
          image: /camera/image_raw
          joint_states: /joint_states
          controller: /arm_controller
        robot:
        %s
        server:
          target: %s
        bridge:
          default_instruction: reach the block
        controller:
        %s
        """
                .formatted(core.uri(), robot, server.target(), controller),
            "bridge.yaml",
            dir,
            Map.of());
    BridgeNode bridge = BridgeNode.builder().setConfig(config).build();
    bridge.start();
    return bridge;
  }

  private static final String PLANAR3 =
      "  id: arm\n  spec: planar3\n  joints: [shoulder_joint, elbow_joint, wrist_joint]";

  private static final String ACTION =
      """
        interface: follow_joint_trajectory
        path_tolerance: {position: 0.1}
        goal_tolerance: {position: 0.01, velocity: 0.05}
        goal_time_tolerance_ms: 250
      """;

  private static void await(BooleanSupplier done, String what, RosProcess... shown)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder sb = new StringBuilder("no " + what + " within " + WAIT);
        for (RosProcess p : shown) {
          sb.append("\n--- peer printed:\n").append(p.output());
        }
        throw new AssertionError(sb.toString());
      }
      Thread.sleep(50);
    }
  }

  private static List<Matcher> goals(String output) {
    List<Matcher> out = new ArrayList<>();
    Matcher m = GOAL.matcher(output);
    while (m.find()) {
      out.add(GOAL.matcher(m.group()));
      out.get(out.size() - 1).matches();
    }
    return out;
  }

  private static double[] numbers(String csv) {
    String[] parts = csv.split(",");
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Double.parseDouble(parts[i]);
    }
    return out;
  }

  private static void rostopicPub(String topic, String type, String value) throws Exception {
    List<String> cmd = List.of(ros.rostopic().toString(), "pub", "-1", topic, type, value);
    try (RosProcess p = RosProcess.start(core.environment(), cmd)) {
      assertEquals(0, p.waitFor(WAIT), String.join(" ", cmd) + ":\n" + p.output());
    }
  }

  @Test
  void theBridgesMd5sumsEqualThoseOfGenpysClassesGeneratedFromTheActionText() throws Exception {
    List<String> cmd =
        List.of(ros.python().toString(), script("fjt_action_server.py").toString(), "--md5");
    Map<String, String> md5 = new HashMap<>();
    try (RosProcess p = RosProcess.start(core.environment(), cmd)) {
      assertEquals(0, p.waitFor(WAIT), p.output());
      for (String line : p.output().lines().toList()) {
        String[] f = line.split(" ");
        if (f.length == 3 && f[0].equals("MD5")) {
          md5.put(f[1], f[2]);
        }
      }
    }
    for (RosMessageType<?> t : ActionMessages.ALL) {
      assertEquals(md5.get(t.type()), t.md5sum(), t.type() + " against genpy: " + md5);
    }
    assertEquals(
        md5.get("control_msgs/FollowJointTrajectoryAction"),
        ActionMessages.followJointTrajectoryActionMd5sum());
  }

  @Test
  void goalsCarryJointsPositionsVelocitiesTimesAndTolerancesAndEachNewChunkPreemptsTheLast()
      throws Exception {
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot = robot();
        RosProcess fjt = actionServer("--mode", "run")) {
      BridgeNode bridge = bridge(server, PLANAR3, ACTION);
      try {
        FollowJointTrajectoryClient client = bridge.actionClient().orElseThrow();
        await(
            () -> goals(fjt.output()).size() >= 4 && fjt.output().contains("new_goal=True"),
            "4 goals and a preemption by a new goal",
            fjt);
        Matcher g = goals(fjt.output()).get(0);
        assertTrue(g.group(2).startsWith("/mantis_bridge-1-"), g.group(2));
        assertEquals("shoulder_joint,elbow_joint,wrist_joint", g.group(3));
        int n = Integer.parseInt(g.group(4));
        assertTrue(n >= 1, g.group());
        String[] positions = g.group(5).split("\\|");
        String[] velocities = g.group(6).split("\\|");
        double[] tfs = numbers(g.group(7));
        assertEquals(n, positions.length);
        assertEquals(n, tfs.length);
        for (int i = 1; i < n; i++) {
          assertTrue(tfs[i] > tfs[i - 1], "time_from_start increases: " + g.group(7));
        }
        assertTrue(tfs[0] > 0, g.group(7));
        for (double v : numbers(velocities[n - 1])) {
          assertEquals(0.0, v, 0.0, "the last point comes to rest");
        }
        if (n >= 2) {
          double[] p0 = numbers(positions[0]);
          double[] p1 = numbers(positions[1]);
          double[] v0 = numbers(velocities[0]);
          for (int j = 0; j < 3; j++) {
            assertEquals((p1[j] - p0[j]) / (tfs[1] - tfs[0]), v0[j], 1e-3, "joint " + j);
          }
        }
        assertEquals("shoulder_joint:0.1:0:0|elbow_joint:0.1:0:0|wrist_joint:0.1:0:0", g.group(8));
        assertEquals(
            "shoulder_joint:0.01:0.05:0|elbow_joint:0.01:0.05:0|wrist_joint:0.01:0.05:0",
            g.group(9));
        assertEquals("0.250", g.group(10));
        await(() -> client.counts().preempted() >= 1, "a PREEMPTED result", fjt);
        await(() -> client.counts().feedbacks() >= 1, "feedback", fjt);

        // An e-stop cancels the active goal, and no goal follows it.
        rostopicPub("/mantis/estop", "std_msgs/Bool", "data: true");
        await(() -> fjt.output().contains("CANCELMSG id=/mantis_bridge-"), "a cancel", fjt);
        await(() -> fjt.output().contains("new_goal=False"), "the goal cancelled", fjt);
        Matcher cancel =
            Pattern.compile("CANCELMSG id=(\\S+) stamp=0\\.000000000").matcher(fjt.output());
        assertTrue(cancel.find(), "cancelled by id with a zero stamp:\n" + fjt.output());
        int goalsAtEstop = goals(fjt.output()).size();
        String lastGoal = goals(fjt.output()).get(goalsAtEstop - 1).group(2);
        assertTrue(
            fjt.output().contains("CANCELMSG id=" + lastGoal + " "),
            "the newest goal " + lastGoal + " is cancelled:\n" + fjt.output());
        Thread.sleep(700);
        assertEquals(goalsAtEstop, goals(fjt.output()).size(), "no goal while e-stopped");
        assertFalse(client.counts().failures() > 0, client.statusText());
      } finally {
        bridge.close();
      }
    }
  }

  @Test
  void closingTheBridgeCancelsItsActiveGoal() throws Exception {
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot = robot();
        RosProcess fjt = actionServer("--mode", "run")) {
      BridgeNode bridge = bridge(server, PLANAR3, ACTION);
      try {
        await(() -> goals(fjt.output()).size() >= 2, "2 goals", fjt);
      } finally {
        bridge.close();
      }
      List<Matcher> sent = goals(fjt.output());
      String last = sent.get(sent.size() - 1).group(2);
      await(
          () -> fjt.output().contains("CANCELMSG id=" + last + " "),
          "the last goal " + last + " cancelled",
          fjt);
    }
  }

  @Test
  void succeededAndAbortedResultsAreSurfacedWithTheErrorCodeAndString() throws Exception {
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot = robot();
        RosProcess fjt = actionServer("--mode", "finish", "--abort-every", "3")) {
      BridgeNode bridge = bridge(server, PLANAR3, ACTION);
      try {
        FollowJointTrajectoryClient client = bridge.actionClient().orElseThrow();
        await(
            () -> client.counts().succeeded() >= 2 && client.counts().aborted() >= 1,
            "2 successes and an abort",
            fjt);
        String failure = client.lastFailure().orElseThrow();
        assertTrue(
            failure.contains(
                "ABORTED: error_code -4 (PATH_TOLERANCE_VIOLATED), error_string \"shoulder_joint path"
                    + " tolerance violated by 0.25 rad\""),
            failure);
        assertTrue(client.counts().failures() >= 1);
        assertTrue(client.statusText().contains("action_aborted="), client.statusText());
        // The heartbeat on /mantis/status carries the action's counters, as rostopic sees it.
        // The topic is latched at 2 Hz: the first message rostopic gets may predate the abort, so
        // read three (the last is published after this point) and check the newest.
        List<String> echo = List.of(ros.rostopic().toString(), "echo", "-n", "3", "/mantis/status");
        try (RosProcess p = RosProcess.start(core.environment(), echo)) {
          assertEquals(0, p.waitFor(WAIT), p.output());
          assertTrue(p.output().contains("action_goals="), p.output());
          assertTrue(p.output().contains("action_server=connected"), p.output());
          Matcher aborted = Pattern.compile("action_aborted=(\\d+)").matcher(p.output());
          int newest = -1;
          while (aborted.find()) {
            newest = Integer.parseInt(aborted.group(1));
          }
          assertTrue(newest >= 1, p.output());
        }
      } finally {
        bridge.close();
      }
    }
  }

  @Test
  void theRobotIsBuiltFromTheUrdfInRobotDescription() throws Exception {
    MasterClient master = new MasterClient(core.uri(), "/fjt_test", Duration.ofSeconds(5));
    master.setParam("/robot_description", RobotDescriptionTest.URDF);
    String robot =
        "  id: arm\n  from_parameter: /robot_description\n  max_acceleration_rad_per_s2: 5";
    try (FakePolicyServer server = new FakePolicyServer(0).start()) {
      BridgeNode bridge = bridge(server, robot, "  interface: topic");
      try {
        BridgeConfig.Robot r = bridge.config().robot();
        assertEquals(List.of("shoulder_joint", "elbow_joint", "wrist_joint"), r.joints());
        assertEquals("arm3", r.spec().name());
        assertEquals(2.5, r.spec().joint(0).maxPositionRad());
        assertEquals(5.0, r.spec().joint(2).maxAccelerationRadPerS2());
      } finally {
        bridge.close();
      }
      master.setParam("/bad_description", "<robot name='x'><link name='a'/>");
      for (String[] c :
          new String[][] {
            {"/no_such_description", "the parameter is not set on the ROS master " + core.uri()},
            {"/bad_description", "not a usable URDF"}
          }) {
        BridgeConfig config =
            BridgeConfig.parse(
                """
                ros: {master_uri: %s, host: 127.0.0.1}
                topics: {image: /cam, controller: /arm_controller}
                robot: {from_parameter: %s, max_acceleration_rad_per_s2: 5}
                server: {target: %s}
                """
                    .formatted(core.uri(), c[0], server.target()),
                "bridge.yaml",
                dir,
                Map.of());
        BridgeNode b = BridgeNode.builder().setConfig(config).build();
        try {
          IllegalStateException e = assertThrows(IllegalStateException.class, b::start);
          assertTrue(
              e.getMessage().startsWith("robot.from_parameter " + c[0] + ": "), e.getMessage());
          assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        } finally {
          b.close();
        }
      }
    }
  }
}
