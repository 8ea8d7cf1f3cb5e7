package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.ros.bridge.BridgeConfig;
import mantis.ros.bridge.BridgeNode;
import mantis.ros.node.RosNode;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.server.MantisServer;
import mantis.server.policy.Policies;
import mantis.sim.TaskFamily;
import mantis.simros.RosSimRobot;
import mantis.teleop.dashboard.DashboardServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teleop of a bridged arm against real peers: a real roscore, the simulator as a ROS robot (camera,
 * joint states, {@code /arm_controller/command}), a {@link BridgeNode} serving ArmService, and a
 * Mantis server for the shadow policy. The bridge's own policy loop talks to a second server that
 * only ever holds, so any motion in POLICY mode is the teleop's.
 */
class BridgedTeleopTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private static final List<String> ROS_JOINTS =
      List.of("shoulder_joint", "elbow_joint", "wrist_joint");

  @TempDir Path dir;

  @Tag("ros")
  @Tag("slow")
  @Test
  void theDashboardControlsDriveABridgedArmThroughItsArmServiceAndItsLatch() throws Exception {
    RosInstallation ros = RequireRos.installation();
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros);
        MantisServer policyServer = server("visual-servo");
        MantisServer holdServer = server("hold")) {
      core.start();
      policyServer.start();
      holdServer.start();
      assertTrue(policyServer.awaitServing(30, TimeUnit.SECONDS));
      assertTrue(holdServer.awaitServing(30, TimeUnit.SECONDS));
      int armPort = freePort();
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
            watchdog_timeout_ms: 300
          arm_service:
            port: %d
          """
              .formatted(core.uri(), holdServer.port(), armPort);
      BridgeConfig config = BridgeConfig.parse(yaml, "teleop.yaml", dir, Map.of());
      ManagedChannel policyChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", policyServer.port()).usePlaintext().build();
      ManagedChannel probeChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", armPort).usePlaintext().build();
      try (RosNode simNode =
          RosNode.builder()
              .setName("sim_robot")
              .setMasterUri(core.uri())
              .optHost("127.0.0.1")
              .build()) {
        simNode.start();
        try (RosSimRobot robot =
                RosSimRobot.builder()
                    .setNode(simNode)
                    .setFamily(TaskFamily.REACH)
                    .setSeed(11)
                    .optImageRateHz(10)
                    .optImageSize(160, 120)
                    .optJointNames(ROS_JOINTS)
                    .optNextEpisodeWhenDone(false)
                    .build();
            BridgeNode bridge = BridgeNode.builder().setConfig(config).build()) {
          robot.start();
          bridge.start();
          BridgedTeleop teleop =
              BridgedTeleop.builder()
                  .setPolicyChannel(policyChannel)
                  .setArmTarget("127.0.0.1:" + armPort)
                  .setRosMaster(core.uri())
                  .setImageTopic("/camera/image_raw")
                  .setRobot(ROBOT)
                  .optRosHost("127.0.0.1")
                  .build();
          try (teleop) {
            teleop.start();

            // Frames and the instruction arrive from ROS; the live view is the camera, aspect kept.
            await(() -> teleop.state().frameSeq() >= 3, "camera frames reach the teleop");
            TeleopState s = teleop.state();
            assertEquals(robot.instruction(), s.instruction());
            assertEquals(BridgedTeleop.FAMILY, s.family());
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(teleop.framePng()));
            assertEquals(
                List.of(256, 192),
                List.of(png.getWidth(), png.getHeight()),
                "160x120 fitted to 256 px");
            await(
                () -> teleop.state().stageMillis().containsKey("policy"),
                "the shadow policy answers");

            // A shoulder jog, toward the middle of its range, moves the ROS arm's shoulder that
            // way.
            double[] q0 = robot.jointPositionsRad().clone();
            double v = q0[0] > 0 ? -0.8 : 0.8;
            jogFor(teleop, new double[] {v, 0, 0}, 1000);
            Thread.sleep(500);
            double[] q1 = robot.jointPositionsRad().clone();
            assertTrue(
                (q1[0] - q0[0]) * Math.signum(v) > 0.25,
                "shoulder moved the way it was pushed: "
                    + Arrays.toString(q0)
                    + " -> "
                    + Arrays.toString(q1));
            assertEquals(q0[1], q1[1], 0.05, "elbow stayed");
            assertEquals(q0[2], q1[2], 0.05, "wrist stayed");
            assertTrue(
                teleop.state().episodeAgreement().samples() > 0, "the person's ticks are compared");
            assertEquals(
                q1[0],
                teleop.state().jointPositionsRad().get(0),
                0.05,
                "joint states come back through ArmService");

            // E-stop through the teleop, mid-jog, latches in the bridge: jogs refused, the arm
            // holds, and
            // the bridge drops even another ArmService client's command.
            BlockingArmProbe probe = new BlockingArmProbe(probeChannel);
            assertTrue(teleop.jog(List.of(v, 0.0, 0.0), 2000));
            Thread.sleep(300);
            teleop.estop("test e-stop");
            assertTrue(teleop.state().estopped());
            assertFalse(teleop.jog(List.of(v, 0.0, 0.0), 500), "jog refused while latched");
            await(
                () -> probe.latest() != null && probe.latest().getEstopped(),
                "the bridge reports its latch");
            Thread.sleep(300); // braking
            double[] held = robot.jointPositionsRad().clone();
            for (int i = 0; i < 8; i++) {
              probe.send(held, held[0] > 0 ? -0.3 : 0.3);
              Thread.sleep(100);
            }
            assertArrayNear(held, robot.jointPositionsRad(), 0.01, "the arm holds while latched");

            // The dashboard's recording button gets the reason, as a 409.
            try (DashboardServer dash =
                DashboardServer.builder().setTeleop(teleop).optPort(0).build().start()) {
              HttpResponse<String> r =
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(URI.create(dash.url() + "api/recordings/start"))
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofString("{}"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
              assertEquals(409, r.statusCode(), r.body());
              assertTrue(r.body().contains("not available for a bridged arm"), r.body());
            }
            assertThrows(UnsupportedOperationException.class, teleop::startRecording);

            // Reset clears the bridge's latch; jogs are accepted again.
            teleop.reset();
            assertFalse(teleop.state().estopped());
            await(() -> !probe.latest().getEstopped(), "the bridge's latch is cleared");
            assertTrue(teleop.jog(List.of(0.0, 0.0, 0.0), 100), "jogs accepted after reset");
            probe.close();

            // POLICY mode: the shadow policy's chunks drive the arm, no jogs (the bridge's own loop
            // only holds).
            double[] p0 = robot.jointPositionsRad().clone();
            teleop.setMode(ControlMode.POLICY);
            await(() -> distance(p0, robot.jointPositionsRad()) > 0.1, "the policy moves the arm");
            assertTrue(
                teleop.state().history().stream().anyMatch(c -> c.mode() == ControlMode.POLICY));
          }

          // Control: with the teleop gone and nothing latched, the same command from another client
          // does move the arm, so the hold above was the bridge's latch.
          BlockingArmProbe free = new BlockingArmProbe(probeChannel);
          double[] f0 = robot.jointPositionsRad().clone();
          double delta = f0[0] > 0 ? -0.3 : 0.3;
          for (int i = 0; i < 8; i++) {
            free.send(f0, delta);
            Thread.sleep(100);
          }
          double moved = (robot.jointPositionsRad()[0] - f0[0]) * Math.signum(delta);
          free.close();
          assertTrue(
              moved > 0.15,
              "an unlatched bridge executes the same command: moved " + moved + " rad");
        }
      } finally {
        policyChannel.shutdownNow();
        probeChannel.shutdownNow();
      }
    }
  }

  /**
   * The bridge's ArmService is down: the dashboard's E-STOP and Reset answer 503 with the gRPC
   * status (before this change: 500 "internal error: StatusRuntimeException" and a WARN with a
   * stack trace per click).
   */
  @Tag("ros")
  @Test
  void withTheBridgesArmServiceDownTheDashboardsEStopAndResetAnswer503() throws Exception {
    RosInstallation ros = RequireRos.installation();
    int armPort = freePort(); // nothing listens there
    ManagedChannel policyChannel =
        NettyChannelBuilder.forAddress("127.0.0.1", freePort()).usePlaintext().build();
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros)) {
      core.start();
      BridgedTeleop teleop =
          BridgedTeleop.builder()
              .setPolicyChannel(policyChannel)
              .setArmTarget("127.0.0.1:" + armPort)
              .setRosMaster(core.uri())
              .setImageTopic("/camera/image_raw")
              .setRobot(ROBOT)
              .optRosHost("127.0.0.1")
              .build();
      try (teleop;
          DashboardServer dash = DashboardServer.builder().setTeleop(teleop).optPort(0).build()) {
        teleop.start();
        dash.start();
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("api/estop", "api/reset")) {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create(dash.url() + path))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertEquals(503, r.statusCode(), path + ": " + r.body());
          assertTrue(r.body().contains("\"grpc_status\":\"UNAVAILABLE\""), r.body());
        }
        assertTrue(
            teleop.state().estopped(), "the session latched the e-stop it could not deliver");
      }
    } finally {
      policyChannel.shutdownNow();
    }
  }

  @Test
  void theBuilderNamesWhatIsMissingOrMalformed() {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", 1).usePlaintext().build();
    try {
      URI master = URI.create("http://127.0.0.1:11311/");
      assertTrue(
          assertThrows(
                  IllegalStateException.class,
                  () ->
                      BridgedTeleop.builder()
                          .setPolicyChannel(ch)
                          .setRosMaster(master)
                          .setImageTopic("/camera/image_raw")
                          .build())
              .getMessage()
              .contains("setArmTarget"));
      assertTrue(
          assertThrows(
                  IllegalStateException.class,
                  () ->
                      BridgedTeleop.builder()
                          .setPolicyChannel(ch)
                          .setArmTarget("127.0.0.1:50052")
                          .setRosMaster(master)
                          .build())
              .getMessage()
              .contains("exactly one"));
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () ->
                      BridgedTeleop.builder()
                          .setPolicyChannel(ch)
                          .setArmTarget("bridge-without-port")
                          .setRosMaster(master)
                          .setImageTopic("/c")
                          .build())
              .getMessage()
              .contains("HOST:PORT"));
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () ->
                      BridgedTeleop.builder()
                          .setPolicyChannel(ch)
                          .setArmTarget("localhost:50052")
                          .setRosMaster(URI.create("localhost:11311"))
                          .setImageTopic("/c")
                          .build())
              .getMessage()
              .contains("http://host:port/"));
      BridgedTeleop notStarted =
          BridgedTeleop.builder()
              .setPolicyChannel(ch)
              .setArmTarget("localhost:50052")
              .setRosMaster(master)
              .optCompressedImageTopic("/camera/image_raw/compressed")
              .build();
      assertThrows(IllegalStateException.class, notStarted::state, "nothing runs before start()");
      notStarted.close();
    } finally {
      ch.shutdownNow();
    }
  }

  private static MantisServer server(String policy) {
    return MantisServer.builder()
        .setPolicy(Policies.create(policy, ROBOT, 128, MonotonicClock.system()))
        .setRobot(ROBOT)
        .optHost("127.0.0.1")
        .optPort(0)
        .optWarmupPredictions(1)
        .build();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Holds a jog for {@code millis}, renewing it like keyboard auto-repeat. */
  private static void jogFor(Teleop t, double[] v, long millis) throws InterruptedException {
    List<Double> vel = Arrays.stream(v).boxed().toList();
    long end = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      assertTrue(t.jog(vel, 200), "jog accepted");
      Thread.sleep(50);
    }
  }

  private static double distance(double[] a, double[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Math.abs(a[i] - b[i]);
    }
    return d;
  }

  private static void assertArrayNear(double[] expected, double[] actual, double tol, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i],
          actual[i],
          tol,
          what + ": " + Arrays.toString(expected) + " vs " + Arrays.toString(actual));
    }
  }

  /** A second ArmService client that only listens: what the bridge itself reports. */
  private static final class BlockingArmProbe implements AutoCloseable {
    private final StreamObserver<JointCommand> requests;
    private volatile JointStateMsg latest;

    BlockingArmProbe(ManagedChannel channel) {
      requests =
          ArmServiceGrpc.newStub(channel)
              .streamCommands(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(JointStateMsg value) {
                      latest = value;
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
    }

    JointStateMsg latest() {
      return latest;
    }

    /** Commands the shoulder {@code deltaRad} away from {@code q} within half a second. */
    void send(double[] q, double deltaRad) {
      ActionPoint.Builder p =
          ActionPoint.newBuilder()
              .setTimeFromStartNanos(500_000_000L)
              .addPositionsRad(q[0] + deltaRad)
              .addPositionsRad(q[1])
              .addPositionsRad(q[2]);
      requests.onNext(
          JointCommand.newBuilder()
              .setRobotId("arm")
              .setChunk(
                  ActionChunk.newBuilder()
                      .addAllJointNames(ROBOT.jointNames())
                      .addPoints(p)
                      .setValidForNanos(1_000_000_000L))
              .build());
    }

    @Override
    public void close() {
      requests.onCompleted();
    }
  }
}
