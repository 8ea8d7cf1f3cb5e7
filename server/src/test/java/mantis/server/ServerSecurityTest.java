package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.AuditLog;
import mantis.security.BearerToken;
import mantis.security.ClientSecurity;
import mantis.security.Principal;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TestCertificates;
import mantis.security.TlsClientConfig;
import mantis.security.TlsServerConfig;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens, roles, TLS and the audit log on the policy server, over real Netty listeners on loopback.
 */
class ServerSecurityTest {
  static final String VIEWER = TokenStore.newToken();
  static final String OPERATOR = TokenStore.newToken();
  static final String ADMIN = TokenStore.newToken();
  static final TokenStore TOKENS =
      TokenStore.of(
          List.of(
              TokenEntry.forToken("lab-viewer", Role.VIEWER, VIEWER),
              TokenEntry.forToken("lab-operator", Role.OPERATOR, OPERATOR),
              TokenEntry.forToken("lab-admin", Role.ADMIN, ADMIN)));

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicInteger predictions = new AtomicInteger();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private MantisServer start(MantisServer.Builder b) throws Exception {
    MantisServer s = b.build().start();
    open.add(s);
    assertTrue(s.awaitServing(10, TimeUnit.SECONDS));
    return s;
  }

  private MantisServer.Builder builder(ServerSecurity security) {
    MonotonicClock clock = MonotonicClock.system();
    return TestServer.builder(
            TestServer.policy(
                obs -> {
                  predictions.incrementAndGet();
                  return TestServer.chunk(
                      obs.jointState().positionsRad(),
                      new double[] {0.2, 0.3, 0.4},
                      clock.nanoTime() + 1_000_000_000L);
                }))
        .optHost("127.0.0.1")
        .optPort(0)
        .optSecurity(security);
  }

  private ManagedChannel dial(String host, int port, ChannelCredentials creds) {
    ManagedChannel ch = Grpc.newChannelBuilderForAddress(host, port, creds).build();
    open.add(ch::shutdownNow);
    return ch;
  }

  private static Status status(Runnable r) {
    return Status.fromThrowable(assertThrows(StatusRuntimeException.class, r::run));
  }

  /** Opens a Control stream, sends one observation, returns the first chunk or the end status. */
  private static Status control(ManagedChannel ch, CallCredentials creds, List<ActionChunk> chunks)
      throws Exception {
    StreamCollector out = new StreamCollector();
    PolicyServiceGrpc.PolicyServiceStub stub =
        PolicyServiceGrpc.newStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
    StreamObserver<Observation> in =
        (creds == null ? stub : stub.withCallCredentials(creds)).control(out);
    in.onNext(Observations.valid().build());
    in.onCompleted();
    Status end = out.awaitEnd(10, TimeUnit.SECONDS);
    chunks.addAll(out.chunks());
    return end;
  }

  /** Calls ServerReflectionInfo (v1 or v1alpha) and returns the status it ends with. */
  private static Status reflect(ManagedChannel ch, boolean legacy, CallCredentials creds)
      throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Status> end = new AtomicReference<>();
    if (legacy) {
      @SuppressWarnings("deprecation")
      StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> in =
          io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(ch)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .withCallCredentials(creds)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse v) {}

                    @Override
                    public void onError(Throwable t) {
                      end.set(Status.fromThrowable(t));
                      done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      end.set(Status.OK);
                      done.countDown();
                    }
                  });
      in.onNext(
          io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
              .setListServices("")
              .build());
      in.onCompleted();
    } else {
      StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> in =
          io.grpc.reflection.v1.ServerReflectionGrpc.newStub(ch)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .withCallCredentials(creds)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse v) {}

                    @Override
                    public void onError(Throwable t) {
                      end.set(Status.fromThrowable(t));
                      done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      end.set(Status.OK);
                      done.countDown();
                    }
                  });
      in.onNext(
          io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
      in.onCompleted();
    }
    assertTrue(done.await(10, TimeUnit.SECONDS));
    return end.get();
  }

  @Test
  void withTokensConfiguredNoCallWithoutATokenIsAccepted() throws Exception {
    MantisServer server = start(builder(ServerSecurity.builder().optTokens(TOKENS).build()));
    ManagedChannel ch = dial("127.0.0.1", server.port(), InsecureChannelCredentials.create());
    int warmup = predictions.get();
    PolicyServiceGrpc.PolicyServiceBlockingStub stub =
        PolicyServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
    List<Status> denied = new ArrayList<>();
    denied.add(status(() -> stub.predict(Observations.valid().build())));
    denied.add(control(ch, null, new ArrayList<>()));
    denied.add(status(() -> stub.describe(DescribeRequest.getDefaultInstance())));
    denied.add(status(() -> stub.annotate(Observations.valid().build())));
    denied.add(
        status(
            () ->
                HealthGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())));
    denied.add(reflect(ch, false, null));
    denied.add(reflect(ch, true, null));
    for (Status s : denied) {
      assertEquals(Status.Code.UNAUTHENTICATED, s.getCode(), s.toString());
      assertTrue(s.getDescription().contains("authorization: Bearer <token>"), s.getDescription());
    }
    assertEquals(warmup, predictions.get(), "the policy never ran for an unauthenticated call");
    assertTrue(
        server.scrapeMetrics().contains("mantis_auth_denied_total{code=\"UNAUTHENTICATED\"} 7.0"),
        server.scrapeMetrics());

    // The same calls with a viewer token: reads pass, nothing that moves an arm does.
    CallCredentials viewer = BearerToken.of(VIEWER);
    PolicyServiceGrpc.PolicyServiceBlockingStub asViewer = stub.withCallCredentials(viewer);
    assertEquals("scripted", asViewer.describe(DescribeRequest.getDefaultInstance()).getName());
    Annotation a = asViewer.annotate(Observations.valid().build());
    assertNotNull(a);
    assertEquals(
        io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(ch)
            .withCallCredentials(viewer)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance())
            .getStatus());
    assertEquals(Status.Code.OK, reflect(ch, false, viewer).getCode());
    assertEquals(Status.Code.OK, reflect(ch, true, viewer).getCode());
    Status predict = status(() -> asViewer.predict(Observations.valid().build()));
    assertEquals(Status.Code.PERMISSION_DENIED, predict.getCode());
    assertEquals(
        "mantis.v1.PolicyService/Predict needs role operator or higher; token 'lab-viewer' has role viewer",
        predict.getDescription());
    Status ctl = control(ch, viewer, new ArrayList<>());
    assertEquals(Status.Code.PERMISSION_DENIED, ctl.getCode());
    assertEquals(warmup, predictions.get(), "a viewer never made the policy run");

    // An operator moves the arm.
    PolicyServiceGrpc.PolicyServiceBlockingStub asOperator =
        stub.withCallCredentials(BearerToken.of(OPERATOR));
    assertEquals(3, asOperator.predict(Observations.valid().build()).getJointNamesCount());
    List<ActionChunk> chunks = new ArrayList<>();
    assertEquals(Status.Code.OK, control(ch, BearerToken.of(OPERATOR), chunks).getCode());
    assertEquals(1, chunks.size());
    assertEquals(warmup + 2, predictions.get());
  }

  @Test
  void tlsWithTokensServesEveryInterfaceAndRefusesPlainTextClients() throws Exception {
    TestCertificates certs = TestCertificates.create(dir.resolve("pki"));
    MantisServer server =
        start(
            builder(
                    ServerSecurity.builder()
                        .optTokens(TOKENS)
                        .optTls(TlsServerConfig.of(certs.server.cert(), certs.server.key()))
                        .build())
                .optHost("0.0.0.0"));
    ChannelCredentials tls =
        new ClientSecurity(
                Optional.of(TlsClientConfig.trusting(certs.ca)),
                Optional.of(BearerToken.of(OPERATOR)))
            .channelCredentials();
    ManagedChannel secure = dial("localhost", server.port(), tls);
    assertEquals(
        3,
        PolicyServiceGrpc.newBlockingStub(secure)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .predict(Observations.valid().build())
            .getJointNamesCount());
    ManagedChannel plain = dial("127.0.0.1", server.port(), InsecureChannelCredentials.create());
    Status s =
        status(
            () ->
                PolicyServiceGrpc.newBlockingStub(plain)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .withCallCredentials(BearerToken.of(OPERATOR))
                    .predict(Observations.valid().build()));
    assertEquals(Status.Code.UNAVAILABLE, s.getCode());
  }

  @Test
  void aNonLoopbackAddressIsRefusedBeforeBindingWithoutTlsAndTokens() throws Exception {
    for (ServerSecurity sec :
        List.of(ServerSecurity.none(), ServerSecurity.builder().optTokens(TOKENS).build())) {
      MantisServer s = builder(sec).optHost("0.0.0.0").build();
      IllegalStateException e = assertThrows(IllegalStateException.class, s::start);
      assertTrue(
          e.getMessage().contains("refusing to listen on every network interface (0.0.0.0)"),
          e.getMessage());
      s.close();
    }
    MantisServer insecure =
        start(builder(ServerSecurity.builder().optInsecure(true).build()).optHost("0.0.0.0"));
    ManagedChannel ch = dial("127.0.0.1", insecure.port(), InsecureChannelCredentials.create());
    assertEquals(
        "scripted",
        PolicyServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .describe(DescribeRequest.getDefaultInstance())
            .getName(),
        "--insecure: open, as asked");
  }

  @Test
  void theInProcessListenerIsTrustedAsAnOperatorWhileTheNetworkOneWantsTokens() throws Exception {
    String name = InProcessServerBuilder.generateName();
    MantisServer server =
        start(builder(ServerSecurity.builder().optTokens(TOKENS).build()).optInProcessName(name));
    ManagedChannel inProcess = InProcessChannelBuilder.forName(name).build();
    open.add(inProcess::shutdownNow);
    assertEquals(
        3,
        PolicyServiceGrpc.newBlockingStub(inProcess)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .predict(Observations.valid().build())
            .getJointNamesCount());
    ManagedChannel network = dial("127.0.0.1", server.port(), InsecureChannelCredentials.create());
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        status(
                () ->
                    PolicyServiceGrpc.newBlockingStub(network)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .predict(Observations.valid().build()))
            .getCode());
  }

  @Test
  void theAuditLogHasTheStartCommandSourcesEStopsResetsAndDenialsAsJsonLines() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditLog audit = AuditLog.open(file);
    open.add(audit);
    MantisServer server =
        start(builder(ServerSecurity.builder().optTokens(TOKENS).optAuditLog(audit).build()));
    ManagedChannel ch = dial("127.0.0.1", server.port(), InsecureChannelCredentials.create());
    PolicyServiceGrpc.PolicyServiceBlockingStub op =
        PolicyServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .withCallCredentials(BearerToken.of(OPERATOR));
    for (int i = 0; i < 5; i++) {
      op.predict(Observations.valid().setStep(i).build());
    }
    op.predict(Observations.valid().setRobotId("arm-2").build());
    assertEquals(
        Status.Code.OK, control(ch, BearerToken.of(OPERATOR), new ArrayList<>()).getCode());
    status(
        () ->
            PolicyServiceGrpc.newBlockingStub(ch)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .predict(Observations.valid().build()));
    server.estop("arm-1", "hand in the cell", new Principal("lab-admin", Role.ADMIN, "dashboard"));
    server.resetEstop("arm-1", new Principal("lab-admin", Role.ADMIN, "dashboard"));
    server.close();

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      lines.add(json.readTree(line));
    }
    List<String> events =
        lines.stream()
            .map(n -> n.get("event").asText() + " " + n.path("robot_id").asText())
            .toList();
    assertEquals(
        List.of(
            "SERVER_START ",
            "COMMAND_SOURCE arm-1",
            "COMMAND_SOURCE arm-2",
            "COMMAND_SOURCE arm-1",
            "COMMAND_SOURCE_END arm-1",
            "AUTH_DENIED ",
            "ESTOP arm-1",
            "RESET arm-1",
            "SERVER_STOP "),
        events,
        "Predict is audited once per principal and robot, not per call");
    JsonNode start = lines.get(0);
    assertEquals("AUTHENTICATED", start.get("mode").asText());
    assertFalse(start.get("tls").asBoolean());
    assertEquals(3, start.get("tokens").asInt());
    JsonNode control = lines.get(3);
    assertEquals("lab-operator", control.get("principal").asText());
    assertEquals("operator", control.get("role").asText());
    assertTrue(control.get("peer").asText().startsWith("127.0.0.1:"), control.toString());
    assertEquals("Control stream started", control.get("detail").asText());
    JsonNode end = lines.get(4);
    assertEquals("OK", end.get("status").asText());
    assertEquals(1, end.get("observations").asInt());
    assertTrue(
        lines
            .get(5)
            .get("detail")
            .asText()
            .startsWith("UNAUTHENTICATED mantis.v1.PolicyService/Predict"));
    assertEquals("hand in the cell", lines.get(6).get("detail").asText());
    assertEquals("lab-admin", lines.get(7).get("principal").asText());
    for (JsonNode n : lines) {
      assertTrue(
          n.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"),
          n.toString());
    }
    String text = Files.readString(file);
    for (String t : List.of(VIEWER, OPERATOR, ADMIN)) {
      assertFalse(text.contains(t), "no token in the audit log");
    }
  }
}
