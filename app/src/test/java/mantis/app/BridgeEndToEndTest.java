package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mantis.ros.bridge.BridgeConfig;
import mantis.ros.bridge.BridgeNode;
import mantis.ros.node.RosNode;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.sim.TaskFamily;
import mantis.simros.RosSimRobot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole ROS path against a real master: the simulator publishes the camera and joint states as
 * a ROS robot, the bridge streams them to a Mantis server serving the shipped model, and a rospy
 * controller stub checks every trajectory the bridge publishes on {@code /arm_controller/command}.
 */
@Tag("ros")
class BridgeEndToEndTest {
  @TempDir Path dir;

  @Test
  void aRospyControllerGetsValidTrajectoriesFromABridgeDrivenByTheServerAndAHoldWhenItStops()
      throws Exception {
    RosInstallation ros = RequireRos.installation();
    MantisConfig cfg = ServeCommand.resolve(null, "127.0.0.1", 0, "mantis", null, null, -1, null);
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros);
        MantisServer server = ServerFactory.build(cfg, null)) {
      core.start();
      server.start();
      assertTrue(server.awaitServing(60, java.util.concurrent.TimeUnit.SECONDS), "server warms up");

      Path stub = dir.resolve("controller_stub.py");
      try (InputStream in = getClass().getResourceAsStream("controller_stub.py")) {
        Files.copy(in, stub);
      }
      List<String> joints = List.of("shoulder_joint", "elbow_joint", "wrist_joint");
      try (RosProcess controller =
              RosProcess.python(
                  ros,
                  core.environment(),
                  stub,
                  "/arm_controller/command",
                  String.join(",", joints),
                  "2.6");
          RosNode simNode =
              RosNode.builder()
                  .setName("sim_robot")
                  .setMasterUri(core.uri())
                  .optHost("127.0.0.1")
                  .build()) {
        assertTrue(controller.awaitOutput("READY", Duration.ofSeconds(30)), controller.output());
        simNode.start();
        try (RosSimRobot robot =
            RosSimRobot.builder()
                .setNode(simNode)
                .setFamily(TaskFamily.REACH)
                .setSeed(2_000_000L)
                .optJointNames(joints)
                .build()) {
          robot.start();
          double[] before = robot.jointPositionsRad().clone();

          String yaml =
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
                target: 127.0.0.1:%d
              """
                  .formatted(core.uri(), server.port());
          BridgeConfig config = BridgeConfig.parse(yaml, "e2e.yaml", dir, Map.of());
          BridgeNode bridge = BridgeNode.builder().setConfig(config).build();
          try {
            bridge.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() < deadline && okCount(controller.output()) < 10) {
              Thread.sleep(100);
            }
          } finally {
            bridge.close();
          }
          Thread.sleep(500);
          String out = controller.output();
          assertTrue(
              okCount(out) >= 10, "valid trajectories seen by the rospy controller:\n" + out);
          assertTrue(!out.contains("TRAJ bad"), out);
          List<String> lines = out.lines().filter(l -> l.startsWith("TRAJ")).toList();
          assertEquals(
              "TRAJ ok points=1",
              lines.get(lines.size() - 1),
              "the bridge's last word is a one-point hold:\n" + out);
          assertTrue(robot.trajectoriesAccepted() >= 10, "the simulated arm executed them");
          double moved = 0;
          double[] after = robot.jointPositionsRad();
          for (int i = 0; i < after.length; i++) {
            moved += Math.abs(after[i] - before[i]);
          }
          assertTrue(moved > 0.05, "the arm moved, by " + moved + " rad");
        }
      }
    }
  }

  private static long okCount(String output) {
    return output.lines().filter(l -> l.startsWith("TRAJ ok")).count();
  }
}
