package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.ros.master.MasterClient;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge node's ArmService security in a real ROS graph: the bind rule, tokens on every call,
 * and the audit trail of ArmService callers and of the ROS e-stop and reset topics (with the
 * publisher's caller id). The robot is the rospy stand-in ({@code fake_robot.py}); the policy a
 * fake PolicyService over Netty.
 */
@Tag("ros")
class BridgeNodeSecurityRosTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String OPERATOR = TokenStore.newToken();
  private static final String ADMIN = TokenStore.newToken();

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

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String yaml(String target, String armService, String bridge) {
    return """
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
        arm_service:
        %s
        bridge:
          default_instruction: reach the block
        %s
        """
        .formatted(
            core.uri(),
            target,
            armService.indent(2).stripTrailing(),
            bridge.indent(2).stripTrailing());
  }

  private static ManagedChannel plain(int port) {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
        .build();
  }

  private static ManagedChannel withToken(int port, String token) {
    return Grpc.newChannelBuilderForAddress(
            "127.0.0.1",
            port,
            new ClientSecurity(Optional.empty(), Optional.of(BearerToken.of(token)))
                .channelCredentials())
        .build();
  }

  private static ArmServiceGrpc.ArmServiceBlockingStub blocking(ManagedChannel ch) {
    return ArmServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private static void await(Predicate<String> done, RosProcess p, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.test(p.output())) {
      assertTrue(
          System.nanoTime() < deadline, "no " + what + " within " + WAIT + ":\n" + p.output());
      Thread.sleep(50);
    }
  }

  private static List<JsonNode> audit(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(file)) {
      out.add(json.readTree(line));
    }
    return out;
  }

  private static void rostopicPub(String topic, String type, String value) throws Exception {
    try (RosProcess p =
        RosProcess.start(
            core.environment(),
            List.of(ros.rostopic().toString(), "pub", "-1", topic, type, value))) {
      assertEquals(0, p.waitFor(WAIT), p.output());
    }
  }

  /**
   * The finding on 1d41b63: docker/bridge.yaml served the ArmService on 0.0.0.0 without TLS or
   * tokens, so anyone who could reach the port could Reset an e-stop. Such a bridge now refuses to
   * start, before it joins the graph, and nothing listens on the port.
   */
  @Test
  void anArmServiceOnEveryInterfaceWithoutTlsAndTokensRefusesToStartSoNoClientCanResetAnEStop()
      throws Exception {
    int port = freePort();
    BridgeConfig cfg =
        BridgeConfig.parse(
            yaml("127.0.0.1:1", "port: " + port + "\nhost: 0.0.0.0", ""),
            "bridge.yaml",
            dir,
            Map.of());
    BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
    ManagedChannel ch = plain(port);
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              bridge::start,
              "a bridge whose ArmService any client on the network could reach (and Reset) must not start");
      assertTrue(
          e.getMessage().contains("refusing to listen on every network interface (0.0.0.0)"),
          e.getMessage());
      Status.Code code =
          assertThrows(
                  StatusRuntimeException.class,
                  () -> blocking(ch).reset(ResetRequest.getDefaultInstance()))
              .getStatus()
              .getCode();
      assertEquals(Status.Code.UNAVAILABLE, code, "nothing listens on the ArmService port");
    } finally {
      ch.shutdownNow();
      bridge.close();
    }
  }

  @Test
  void anArmServicePortInUseStopsTheBridgeWithOneLineBeforeItJoinsTheGraph() throws Exception {
    try (ServerSocket taken =
        new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      BridgeConfig cfg =
          BridgeConfig.parse(
              yaml("127.0.0.1:1", "port: " + port, "")
                  .replace("node_name: mantis_bridge", "node_name: mantis_bridge_port_taken"),
              "bridge.yaml",
              dir,
              Map.of());
      BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
      try {
        ArmServiceBindException e = assertThrows(ArmServiceBindException.class, bridge::start);
        assertEquals(
            "cannot bind the bridge's ArmService to 127.0.0.1:"
                + port
                + " (arm_service.host, arm_service.port): address already in use",
            e.getMessage());
        MasterClient master = new MasterClient(core.uri(), "/security_test", Duration.ofSeconds(2));
        assertEquals(
            Optional.empty(),
            master.lookupNode("/mantis_bridge_port_taken"),
            "the bridge never registered with the master");
        assertFalse(
            master
                .getSystemState()
                .subscribersOf("/joint_states")
                .contains("/mantis_bridge_port_taken"));
      } finally {
        bridge.close("test");
      }
    }
  }

  /**
   * ROS 1 has no authentication: any node on the graph could publish the reset topic. Unless the
   * file names one, the bridge does not subscribe to it, and a message on /mantis/reset leaves the
   * e-stop latched.
   */
  @Test
  void withoutTopicsResetNoRosNodeCanClearTheEStop() throws Exception {
    int port = freePort();
    BridgeConfig cfg =
        BridgeConfig.parse(
            yaml("127.0.0.1:1", "port: " + port, "")
                .replace("node_name: mantis_bridge", "node_name: mantis_bridge_no_reset"),
            "bridge.yaml",
            dir,
            Map.of());
    assertTrue(cfg.topics().reset().isEmpty());
    BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
    ManagedChannel ch = plain(port);
    try {
      bridge.start();
      MasterClient master = new MasterClient(core.uri(), "/security_test", Duration.ofSeconds(2));
      assertTrue(
          master
              .getSystemState()
              .subscribersOf("/mantis/estop")
              .contains("/mantis_bridge_no_reset"),
          "the e-stop topic is subscribed");
      assertFalse(
          master
              .getSystemState()
              .subscribersOf("/mantis/reset")
              .contains("/mantis_bridge_no_reset"),
          "the reset topic is not");
      blocking(ch).eStop(EStopRequest.newBuilder().setReason("test").build());
      rostopicPub("/mantis/reset", "std_msgs/Empty", "{}");
      assertTrue(
          blocking(ch).hold(HoldRequest.getDefaultInstance()).getEstopped(), "still latched");
    } finally {
      ch.shutdownNow();
      bridge.close();
    }
  }

  @Test
  void withInsecureTheSameBridgeStartsAndWarns() throws Exception {
    int port = freePort();
    BridgeConfig cfg =
        BridgeConfig.parse(
                yaml("127.0.0.1:1", "port: " + port + "\nhost: 0.0.0.0", ""),
                "bridge.yaml",
                dir,
                Map.of())
            .withArmServiceInsecure();
    BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
    try {
      bridge.start();
      assertEquals(port, bridge.armServicePort());
    } finally {
      bridge.close();
    }
  }

  @Test
  void tokensGuardEveryArmServiceCallAndTheAuditLogNamesEveryCallerAndRosPublisher()
      throws Exception {
    Path auditFile = dir.resolve("bridge-audit.jsonl");
    int port = freePort();
    Path script = dir.resolve("fake_robot.py");
    if (!Files.exists(script)) {
      try (InputStream in = BridgeNodeSecurityRosTest.class.getResourceAsStream("fake_robot.py")) {
        Files.copy(in, script);
      }
    }
    try (FakePolicyServer server = new FakePolicyServer(0).start();
        RosProcess robot =
            RosProcess.python(
                ros,
                core.environment(),
                script,
                "--joints",
                "shoulder_joint,elbow_joint,wrist_joint",
                "--positions",
                "0.1,-0.2,0.3",
                "--command",
                "/arm_controller/command")) {
      assertTrue(robot.awaitOutput("READY", WAIT), robot.output());
      BridgeConfig cfg =
          BridgeConfig.parse(
              yaml(
                      server.target(),
                      """
          port: %d
          tokens:
            - {name: lab-operator, role: operator, sha256: %s}
            - {name: lab-admin, role: admin, sha256: %s}
          """
                          .formatted(
                              port, TokenStore.sha256Hex(OPERATOR), TokenStore.sha256Hex(ADMIN)),
                      "audit_log: " + auditFile.getFileName())
                  .replace(
                      "  controller: /arm_controller\n",
                      "  controller: /arm_controller\n  reset: /mantis/reset\n"),
              "bridge.yaml",
              dir,
              Map.of());
      BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
      ManagedChannel anon = plain(port);
      ManagedChannel operator = withToken(port, OPERATOR);
      ManagedChannel admin = withToken(port, ADMIN);
      try {
        bridge.start();
        await(
            out -> out.lines().anyMatch(l -> l.startsWith("CMD ") && l.contains(" points=2 ")),
            robot,
            "a policy chunk");
        // An operator takes control for one command, then gives it back.
        CompletableFuture<Status> end = new CompletableFuture<>();
        StreamObserver<JointCommand> in =
            ArmServiceGrpc.newStub(operator)
                .streamCommands(
                    new StreamObserver<>() {
                      @Override
                      public void onNext(JointStateMsg m) {}

                      @Override
                      public void onError(Throwable t) {
                        end.complete(Status.fromThrowable(t));
                      }

                      @Override
                      public void onCompleted() {
                        end.complete(Status.OK);
                      }
                    });
        in.onNext(
            JointCommand.newBuilder()
                .setRobotId("arm")
                .setChunk(Harness.chunk(0, 500_000_000L, new double[] {0.1, -0.2, 0.3}))
                .build());
        Thread.sleep(200);
        in.onCompleted();
        assertEquals(Status.Code.OK, end.get(5, TimeUnit.SECONDS).getCode());

        rostopicPub("/mantis/estop", "std_msgs/Bool", "data: true");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!blocking(operator).hold(HoldRequest.getDefaultInstance()).getEstopped()) {
          assertTrue(System.nanoTime() < deadline, "the ROS e-stop latched");
          Thread.sleep(50);
        }
        StatusRuntimeException refused =
            assertThrows(
                StatusRuntimeException.class,
                () -> blocking(anon).reset(ResetRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertTrue(
            blocking(operator).hold(HoldRequest.getDefaultInstance()).getEstopped(),
            "still latched");
        assertFalse(blocking(admin).reset(ResetRequest.getDefaultInstance()).getEstopped());
        blocking(operator).eStop(EStopRequest.newBuilder().setReason("by hand").build());
        rostopicPub("/mantis/reset", "std_msgs/Empty", "{}");
        deadline = System.nanoTime() + WAIT.toNanos();
        while (blocking(operator).hold(HoldRequest.getDefaultInstance()).getEstopped()) {
          assertTrue(System.nanoTime() < deadline, "the ROS reset cleared the e-stop");
          Thread.sleep(50);
        }
      } finally {
        anon.shutdownNow();
        operator.shutdownNow();
        admin.shutdownNow();
        bridge.close();
      }
      List<JsonNode> lines = audit(auditFile);
      // HOLD lines come from the polling above; the policy takes command again after the operator
      // (once, at a time that depends on timing): both are left out of the sequence.
      List<String> events = new ArrayList<>();
      for (JsonNode l : lines) {
        String e = l.get("event").asText() + " " + l.path("principal").asText();
        if (!e.startsWith("HOLD ") && !(e.equals("COMMAND_SOURCE policy") && events.contains(e))) {
          events.add(e);
        }
      }
      assertEquals(
          List.of(
              "SERVER_START ",
              "COMMAND_SOURCE policy",
              "COMMAND_SOURCE lab-operator",
              "COMMAND_SOURCE_END lab-operator",
              "ESTOP ros:/mantis/estop",
              "AUTH_DENIED ",
              "RESET lab-admin",
              "ESTOP lab-operator",
              "RESET ros:/mantis/reset",
              "COMMAND_SOURCE_END policy",
              "SERVER_STOP "),
          events,
          lines.toString());
      JsonNode rosEstop =
          lines.stream()
              .filter(l -> l.get("event").asText().equals("ESTOP"))
              .findFirst()
              .orElseThrow();
      assertTrue(rosEstop.get("peer").asText().startsWith("/rostopic_"), rosEstop.toString());
      assertEquals("viewer", rosEstop.get("role").asText());
      JsonNode rosReset =
          lines.stream()
              .filter(l -> l.path("principal").asText().equals("ros:/mantis/reset"))
              .findFirst()
              .orElseThrow();
      assertTrue(rosReset.get("peer").asText().startsWith("/rostopic_"), rosReset.toString());
      assertEquals("e-stop cleared", rosReset.get("detail").asText());
      assertTrue(
          lines.stream()
              .filter(l -> l.get("event").asText().equals("HOLD"))
              .allMatch(l -> l.get("principal").asText().equals("lab-operator")),
          "every Hold names its caller");
    }
  }
}
