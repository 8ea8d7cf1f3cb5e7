package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mantis bridge} as its own process in a real ROS graph, stopped with {@code rosnode kill}:
 * the controller's last message is a one-point hold at the measured position, the command logs who
 * asked, and the process exits 0. The robot is the rospy stand-in of the ros-bridge tests; the
 * policy is a fake PolicyService that answers each observation with a small motion.
 */
@Tag("ros")
@Tag("slow")
class BridgeCommandRosnodeKillTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String MEASURED = "0.1,-0.2,0.3";
  private static final Path ROBOT =
      Path.of("../ros-bridge/src/test/resources/mantis/ros/bridge/fake_robot.py");

  @TempDir Path dir;

  /** Answers every observation with a two-point motion valid for 500 ms. */
  static final class MovingPolicy extends PolicyServiceGrpc.PolicyServiceImplBase {
    @Override
    public StreamObserver<Observation> control(StreamObserver<ActionChunk> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(Observation o) {
          double q0 = o.getJointState().getPositionsRad(0);
          ActionChunk.Builder c =
              ActionChunk.newBuilder()
                  .addAllJointNames(o.getJointState().getNamesList())
                  .setStep(o.getStep())
                  .setValidForNanos(500_000_000L)
                  .setModelVersion("moving")
                  .setSource(ChunkSource.CHUNK_SOURCE_REPLY);
          for (int i = 1; i <= 2; i++) {
            c.addPoints(
                ActionPoint.newBuilder()
                    .setTimeFromStartNanos(i * 100_000_000L)
                    .addPositionsRad(q0 + 0.01 * i)
                    .addPositionsRad(-0.2)
                    .addPositionsRad(0.3));
          }
          out.onNext(c.build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  @Test
  void rosnodeKillMakesMantisBridgeHoldAtTheMeasuredPositionLogWhoAskedAndExitZero()
      throws Exception {
    RosInstallation ros = RequireRos.installation();
    assertTrue(Files.exists(ROBOT), ROBOT.toAbsolutePath().toString());
    Server policy =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(new MovingPolicy())
            .build()
            .start();
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros)) {
      core.start();
      Path config = dir.resolve("bridge.yaml");
      Files.writeString(
          config,
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
            joints: [shoulder_joint, elbow_joint, wrist_joint]
          server:
            target: 127.0.0.1:%d
          bridge:
            default_instruction: reach the block
          """
              .formatted(core.uri(), policy.getPort()));
      String java = ProcessHandle.current().info().command().orElse("java");
      try (RosProcess robot =
              RosProcess.python(
                  ros,
                  core.environment(),
                  ROBOT,
                  "--joints",
                  "shoulder_joint,elbow_joint,wrist_joint",
                  "--positions",
                  MEASURED,
                  "--command",
                  "/arm_controller/command");
          // The shipped logging config (INFO), not the tests' (WARN): the exit line is INFO.
          RosProcess bridge =
              RosProcess.start(
                  core.environment(),
                  List.of(
                      java,
                      "-Xmx256m",
                      "-Dlogback.configurationFile="
                          + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
                      "-cp",
                      System.getProperty("java.class.path"),
                      MantisCommand.class.getName(),
                      "bridge",
                      "--config",
                      config.toString()))) {
        assertTrue(robot.awaitOutput("READY", WAIT), robot.output());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (motionChunks(robot.output()) < 3) {
          assertTrue(
              System.nanoTime() < deadline,
              "no motion chunks reached the robot; bridge:\n"
                  + bridge.output()
                  + "\nrobot:\n"
                  + robot.output());
          assertTrue(bridge.isAlive(), "the bridge died:\n" + bridge.output());
          Thread.sleep(100);
        }
        try (RosProcess kill =
            RosProcess.start(
                core.environment(),
                List.of(
                    ros.rostopic().resolveSibling("rosnode").toString(),
                    "kill",
                    "/mantis_bridge"))) {
          assertEquals(0, kill.waitFor(WAIT), kill.output());
        }
        assertEquals(
            0,
            bridge.waitFor(Duration.ofSeconds(15)),
            "mantis bridge exits 0:\n" + bridge.output());
        assertTrue(
            bridge.output().contains("stopped (shutdown requested by /rosnode (user request))"),
            bridge.output());
        Thread.sleep(500);
        List<String> cmds = robot.output().lines().filter(l -> l.startsWith("CMD ")).toList();
        String last = cmds.get(cmds.size() - 1);
        assertTrue(
            last.endsWith(" points=1 last=" + MEASURED),
            "the last trajectory is a one-point hold at the measured position:\n" + robot.output());
      }
    } finally {
      policy.shutdownNow();
      policy.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static long motionChunks(String output) {
    return output.lines().filter(l -> l.startsWith("CMD ") && l.contains(" points=2 ")).count();
  }
}
