package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The bridge node in a real ROS graph: a roscore, a rospy stand-in robot ({@code fake_robot.py}:
 * camera, joint states at a fixed position, optionally /clock; it prints every trajectory the
 * bridge sends and, optionally, the bridge's /rosout lines), {@code rosnode}/{@code rosparam}, and
 * a fake policy server over Netty gRPC.
 */
@Tag("ros")
class BridgeNodeRosTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String JOINTS = "shoulder_joint,elbow_joint,wrist_joint";
  private static final String MEASURED = "0.1,-0.2,0.3";
  private static final Pattern CMD =
      Pattern.compile("^CMD stamp=(\\d+)\\.(\\d{9}) clock=(\\S+) points=(\\d+) last=(\\S*)$");

  private static RosInstallation ros;
  private static RosCoreProcess core;
  @TempDir static Path dir;

  /** One trajectory as the rospy robot received it. */
  record Cmd(double stampSecs, Optional<Double> clockSecs, int points, String last) {
    static List<Cmd> parse(String output) {
      List<Cmd> out = new ArrayList<>();
      for (String line : output.lines().toList()) {
        Matcher m = CMD.matcher(line);
        if (m.matches()) {
          double stamp = Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) * 1e-9;
          Optional<Double> clock =
              m.group(3).equals("-")
                  ? Optional.empty()
                  : Optional.of(Double.parseDouble(m.group(3)));
          out.add(new Cmd(stamp, clock, Integer.parseInt(m.group(4)), m.group(5)));
        }
      }
      return out;
    }
  }

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

  private static RosProcess robot(String... extra) throws IOException {
    Path script = dir.resolve("fake_robot.py");
    if (!Files.exists(script)) {
      try (InputStream in = BridgeNodeRosTest.class.getResourceAsStream("fake_robot.py")) {
        Files.copy(in, script);
      }
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--joints",
                JOINTS,
                "--positions",
                MEASURED,
                "--command",
                "/arm_controller/command"));
    args.addAll(List.of(extra));
    RosProcess p = RosProcess.python(ros, core.environment(), script, args.toArray(String[]::new));
    assertTrue(p.awaitOutput("READY", WAIT), p.output());
    return p;
  }

  private static BridgeNode bridge(FakePolicyServer server) throws Exception {
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
          id: arm
          spec: planar3
          joints: [shoulder_joint, elbow_joint, wrist_joint]
        server:
          target: %s
        bridge:
          default_instruction: reach the block
        """
                .formatted(core.uri(), server.target()),
            "bridge.yaml",
            dir,
            Map.of());
    BridgeNode bridge = BridgeNode.builder().setConfig(config).build();
    bridge.start();
    return bridge;
  }

  private static void await(RosProcess robot, Predicate<String> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.test(robot.output())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no " + what + " within " + WAIT + "; robot printed:\n" + robot.output());
      }
      Thread.sleep(50);
    }
  }

  private static long chunks(String output) {
    return Cmd.parse(output).stream().filter(c -> c.points() == 2).count();
  }

  private static void run(List<String> command) throws IOException {
    try (RosProcess p = RosProcess.start(core.environment(), command)) {
      assertEquals(0, p.waitFor(WAIT), String.join(" ", command) + ":\n" + p.output());
    }
  }

  private static String tool(String name) {
    return ros.rostopic().resolveSibling(name).toString();
  }

  @Test
  void rosnodeKillMakesTheBridgeHoldAtTheMeasuredPositionAndStop() throws Exception {
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot = robot()) {
      BridgeNode bridge = bridge(server);
      try {
        await(robot, out -> chunks(out) >= 3, "3 motion chunks");
        run(List.of(tool("rosnode"), "kill", "/mantis_bridge"));
        Optional<String> why = bridge.awaitShutdown(WAIT);
        assertTrue(why.isPresent(), "the bridge stopped");
        assertEquals("shutdown requested by /rosnode (user request)", why.get());
        assertTrue(core.isUp());
        Thread.sleep(1000); // anything still in flight reaches the robot
        List<Cmd> cmds = Cmd.parse(robot.output());
        Cmd last = cmds.get(cmds.size() - 1);
        assertEquals(
            1, last.points(), "the last trajectory is a one-point hold:\n" + robot.output());
        assertEquals(MEASURED, last.last(), "held at the measured position");
      } finally {
        bridge.close();
      }
      assertTrue(bridge.isStopped());
    }
  }

  @Test
  void underUseSimTimeTrajectoryStampsFollowClock() throws Exception {
    run(List.of(tool("rosparam"), "set", "/use_sim_time", "true"));
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot = robot("--clock-start", "1000")) {
      BridgeNode bridge = bridge(server);
      try {
        await(robot, out -> chunks(out) >= 10, "10 motion chunks");
      } finally {
        bridge.close();
      }
      List<Cmd> cmds = Cmd.parse(robot.output());
      for (Cmd c : cmds) {
        // 0 is allowed before the bridge's first /clock; the wall clock (~1.7e9 s) never.
        assertTrue(
            c.stampSecs() == 0 || c.stampSecs() >= 1000 && c.stampSecs() < 100_000,
            "a stamp off the simulated clock: " + c + "\n" + robot.output());
      }
      long tracking =
          cmds.stream()
              .filter(
                  c ->
                      c.clockSecs().isPresent()
                          && Math.abs(c.stampSecs() - c.clockSecs().get()) < 0.5)
              .count();
      assertTrue(
          tracking >= 10, "stamps within 0.5 s of /clock: " + tracking + "\n" + robot.output());
    } finally {
      run(List.of(tool("rosparam"), "delete", "/use_sim_time"));
    }
  }

  @Test
  void theBridgesLogLinesReachRosoutWithItsNameAndLevel() throws Exception {
    ch.qos.logback.classic.Logger bridgeLogs =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("mantis.ros.bridge");
    Level before = bridgeLogs.getLevel();
    bridgeLogs.setLevel(Level.INFO); // this module's tests log WARN and up; rosout follows SLF4J
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot = robot("--rosout", "/mantis_bridge")) {
      BridgeNode bridge = bridge(server);
      try {
        await(
            robot,
            out -> chunks(out) >= 1 && out.contains("ROSOUT level=2 name=/mantis_bridge"),
            "a chunk and an INFO line on /rosout");
        server.stop(); // the stream fails: a WARN, then an INFO hold
        await(
            robot,
            out -> out.contains("ROSOUT level=4 name=/mantis_bridge"),
            "a WARN line on /rosout");
      } finally {
        bridge.close();
      }
      String warn =
          robot
              .output()
              .lines()
              .filter(l -> l.startsWith("ROSOUT level=4"))
              .findFirst()
              .orElseThrow();
      assertTrue(
          warn.startsWith(
              "ROSOUT level=4 name=/mantis_bridge file=BridgeCore.java "
                  + "function=mantis.ros.bridge.BridgeCore."),
          warn);
      assertTrue(warn.matches(".* line=[1-9][0-9]* msg=server stream lost .*"), warn);
      assertTrue(
          robot
              .output()
              .lines()
              .anyMatch(
                  l ->
                      l.startsWith("ROSOUT level=2 name=/mantis_bridge")
                          && l.contains("msg=hold: server lost")),
          robot.output());
    } finally {
      bridgeLogs.setLevel(before);
    }
  }
}
