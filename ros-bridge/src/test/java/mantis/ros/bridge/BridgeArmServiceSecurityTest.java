package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.security.AuditLog;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.ServerSecurity;
import mantis.security.TestCertificates;
import mantis.security.TlsClientConfig;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's ArmService with TLS and tokens, as {@code arm_service:} configures it, over a real
 * Netty listener on loopback: every call needs a token, the role decides (viewer: EStop; operator:
 * also StreamCommands and Hold; admin: also Reset), and every command source, e-stop, reset, hold
 * and refused call lands in the audit log.
 */
class BridgeArmServiceSecurityTest {
  static final String VIEWER = TokenStore.newToken();
  static final String OPERATOR = TokenStore.newToken();
  static final String ADMIN = TokenStore.newToken();

  @TempDir Path dir;
  private TestCertificates certs;
  private Harness h;
  private AuditLog audit;
  private Server armServer;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    certs = TestCertificates.create(dir.resolve("tls"));
    BridgeConfig cfg =
        BridgeConfig.parse(
            Harness.CONFIG
                + """
        arm_service:
          port: 50061
          host: 127.0.0.1
          tls: {cert_chain: %s, private_key: %s}
          tokens:
            - {name: lab-viewer, role: viewer, sha256: %s}
            - {name: lab-operator, role: operator, sha256: %s}
            - {name: lab-admin, role: admin, sha256: %s}
        """
                    .formatted(
                        certs.server.cert(),
                        certs.server.key(),
                        TokenStore.sha256Hex(VIEWER),
                        TokenStore.sha256Hex(OPERATOR),
                        TokenStore.sha256Hex(ADMIN)),
            "arm.yaml",
            dir,
            Map.of());
    audit = AuditLog.open(dir.resolve("audit.jsonl"));
    h = new Harness(cfg, audit).started();
    ServerSecurity sec = cfg.armService().security(audit);
    var decision = sec.check("127.0.0.1");
    armServer =
        BridgeArmService.serve(
            h.core,
            h.clock,
            NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                sec.serverCredentials().orElseThrow()),
            new HealthStatusManager(),
            sec.interceptor(decision, null));
  }

  @AfterEach
  void tearDown() {
    channels.forEach(ManagedChannel::shutdownNow);
    armServer.shutdownNow();
    h.close();
    audit.close();
  }

  private ManagedChannel channel(String token) {
    ClientSecurity cs =
        new ClientSecurity(
            Optional.of(TlsClientConfig.trusting(certs.ca)),
            Optional.ofNullable(token).map(BearerToken::of));
    ManagedChannel ch =
        Grpc.newChannelBuilderForAddress("localhost", armServer.getPort(), cs.channelCredentials())
            .build();
    channels.add(ch);
    return ch;
  }

  private static ArmServiceGrpc.ArmServiceBlockingStub blocking(ManagedChannel ch) {
    return ArmServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  /**
   * Opens StreamCommands, sends one command, and returns how the call ended (OK when it stayed
   * open).
   */
  private Status.Code streamOnce(ManagedChannel ch) throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<JointCommand> in =
        ArmServiceGrpc.newStub(ch)
            .streamCommands(
                new StreamObserver<JointStateMsg>() {
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
            .setRobotId("arm7")
            .setChunk(Harness.chunk(0, 500_000_000L, new double[] {0.12, 0.2, 0.3}))
            .build());
    in.onCompleted();
    return end.get(10, TimeUnit.SECONDS).getCode();
  }

  @Test
  void everyArmServiceCallWithoutATokenIsUnauthenticatedAndChangesNothing() throws Exception {
    h.step(0.1, 0.2, 0.3);
    h.core.estop("latched before the test");
    int published = h.port.trajectories.size();
    ManagedChannel anon = channel(null);
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        code(() -> blocking(anon).reset(ResetRequest.getDefaultInstance())));
    assertTrue(
        h.core.filter().isEstopped(), "a client without credentials cannot clear the e-stop");
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        code(() -> blocking(anon).eStop(EStopRequest.getDefaultInstance())));
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        code(() -> blocking(anon).hold(HoldRequest.getDefaultInstance())));
    assertEquals(Status.Code.UNAUTHENTICATED, streamOnce(anon));
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        code(
            () ->
                HealthGrpc.newBlockingStub(anon)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())));
    ManagedChannel wrong = channel(TokenStore.newToken());
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        code(() -> blocking(wrong).reset(ResetRequest.getDefaultInstance())));
    assertTrue(h.core.filter().isEstopped());
    assertEquals(published, h.port.trajectories.size(), "nothing was published for refused calls");
  }

  @Test
  void aViewerCanEStopButNotCommandHoldOrReset() throws Exception {
    ManagedChannel viewer = channel(VIEWER);
    assertEquals(
        ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(viewer)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance())
            .getStatus());
    assertTrue(
        blocking(viewer)
            .eStop(EStopRequest.newBuilder().setReason("hand in the cell").build())
            .getEstopped());
    assertTrue(h.core.filter().isEstopped());
    assertEquals(Status.Code.PERMISSION_DENIED, streamOnce(viewer));
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        code(() -> blocking(viewer).hold(HoldRequest.getDefaultInstance())));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> blocking(viewer).reset(ResetRequest.getDefaultInstance()));
    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertEquals(
        "mantis.v1.ArmService/Reset needs role admin or higher; token 'lab-viewer' has role viewer",
        e.getStatus().getDescription());
    assertTrue(h.core.filter().isEstopped());
  }

  @Test
  void anOperatorCanCommandAndHoldButNotResetAndAnAdminCanReset() throws Exception {
    h.step(0.1, 0.2, 0.3);
    ManagedChannel operator = channel(OPERATOR);
    int before = h.port.trajectories.size();
    assertEquals(Status.Code.OK, streamOnce(operator));
    assertTrue(h.port.trajectories.size() > before, "the operator's command was published");
    assertTrue(
        blocking(operator).hold(HoldRequest.newBuilder().setReason("pause").build()).getHolding());
    assertTrue(blocking(operator).eStop(EStopRequest.getDefaultInstance()).getEstopped());
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        code(() -> blocking(operator).reset(ResetRequest.getDefaultInstance())));
    assertTrue(h.core.filter().isEstopped());
    assertFalse(blocking(channel(ADMIN)).reset(ResetRequest.getDefaultInstance()).getEstopped());
    assertFalse(h.core.filter().isEstopped());
  }

  @Test
  void commandSourcesEStopsResetsHoldsAndRefusalsAreAuditedWithThePrincipal() throws Exception {
    h.step(0.1, 0.2, 0.3); // the policy's first chunk: it commands the arm
    ManagedChannel operator = channel(OPERATOR);
    assertEquals(Status.Code.OK, streamOnce(operator));
    blocking(operator).hold(HoldRequest.newBuilder().setReason("pause").build());
    blocking(channel(VIEWER))
        .eStop(EStopRequest.newBuilder().setReason("hand in the cell").build());
    code(() -> blocking(channel(null)).reset(ResetRequest.getDefaultInstance()));
    blocking(channel(ADMIN)).reset(ResetRequest.getDefaultInstance());

    List<JsonNode> lines = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
      lines.add(json.readTree(line));
    }
    List<String> events =
        lines.stream()
            .map(l -> l.get("event").asText() + " " + l.path("principal").asText())
            .toList();
    assertEquals(
        List.of(
            "COMMAND_SOURCE policy",
            "COMMAND_SOURCE lab-operator",
            "COMMAND_SOURCE_END lab-operator",
            "HOLD lab-operator",
            "ESTOP lab-viewer",
            "AUTH_DENIED ",
            "RESET lab-admin"),
        events);
    JsonNode took = lines.get(1);
    assertEquals("operator", took.get("role").asText());
    assertTrue(took.get("peer").asText().startsWith("127.0.0.1:"), took.toString());
    assertEquals("arm7", took.get("robot_id").asText());
    assertTrue(took.get("detail").asText().contains("takes control"), took.toString());
    JsonNode gave = lines.get(2);
    assertEquals("OK", gave.get("status").asText());
    assertEquals(1, gave.get("commands").asLong());
    assertTrue(
        gave.get("detail").asText().contains("control goes back to the policy"), gave.toString());
    assertEquals("ArmService EStop: hand in the cell", lines.get(4).get("detail").asText());
    assertTrue(
        lines
            .get(5)
            .get("detail")
            .asText()
            .startsWith("UNAUTHENTICATED mantis.v1.ArmService/Reset"));
    assertEquals("e-stop cleared", lines.get(6).get("detail").asText());
    for (JsonNode l : lines) {
      assertTrue(l.get("time").asText().endsWith("Z"), l.toString());
    }
  }
}
