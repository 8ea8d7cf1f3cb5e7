package mantis.security;

import static mantis.security.FakeServices.ANNOTATE;
import static mantis.security.FakeServices.CONTROL;
import static mantis.security.FakeServices.DESCRIBE;
import static mantis.security.FakeServices.ESTOP;
import static mantis.security.FakeServices.HEALTH;
import static mantis.security.FakeServices.HOLD;
import static mantis.security.FakeServices.POLICY_UNLISTED;
import static mantis.security.FakeServices.PREDICT;
import static mantis.security.FakeServices.REFLECTION;
import static mantis.security.FakeServices.RESET;
import static mantis.security.FakeServices.SECRET;
import static mantis.security.FakeServices.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthInterceptorTest {
  static final String VIEWER = TokenStore.newToken();
  static final String OPERATOR = TokenStore.newToken();
  static final String ADMIN = TokenStore.newToken();
  static final TokenStore TOKENS =
      TokenStore.of(
          List.of(
              TokenEntry.forToken("lab-viewer", Role.VIEWER, VIEWER),
              TokenEntry.forToken("lab-operator", Role.OPERATOR, OPERATOR),
              TokenEntry.forToken("lab-admin", Role.ADMIN, ADMIN)));

  private final List<AutoCloseable> open = new ArrayList<>();
  private final RecordingAuditLog audit = new RecordingAuditLog();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private ManagedChannel serve(AuthInterceptor auth) throws Exception {
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder sb = InProcessServerBuilder.forName(name);
    for (ServerServiceDefinition s : FakeServices.all()) {
      sb.addService(ServerInterceptors.intercept(s, auth));
    }
    Server server = sb.build().start();
    ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
    open.add(
        () -> {
          ch.shutdownNow();
          server.shutdownNow();
        });
    return ch;
  }

  private AuthInterceptor tokens() {
    return AuthInterceptor.builder()
        .setTokens(TOKENS)
        .optAuditLog(audit)
        .optNanoClock(nanos::get)
        .build();
  }

  private static CallOptions as(String token) {
    return CallOptions.DEFAULT.withCallCredentials(BearerToken.of(token));
  }

  private static Status statusOf(Runnable call) {
    return Status.fromThrowable(assertThrows(StatusRuntimeException.class, call::run));
  }

  @Test
  void aCallWithoutATokenIsUnauthenticatedWithAPreciseDescription() throws Exception {
    ManagedChannel ch = serve(tokens());
    for (String m :
        List.of(
            PREDICT, CONTROL, DESCRIBE, ANNOTATE, ESTOP, RESET, HOLD, HEALTH, REFLECTION, SECRET)) {
      Status s = statusOf(() -> call(ch, m, CallOptions.DEFAULT));
      assertEquals(Status.Code.UNAUTHENTICATED, s.getCode(), m);
      assertTrue(s.getDescription().contains("authorization: Bearer <token>"), s.getDescription());
    }
  }

  @Test
  void anUnknownTokenIsUnauthenticatedAndNeverEchoed() throws Exception {
    ManagedChannel ch = serve(tokens());
    String wrong = TokenStore.newToken();
    Status s = statusOf(() -> call(ch, DESCRIBE, as(wrong)));
    assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
    assertTrue(s.getDescription().contains("unknown bearer token"), s.getDescription());
    assertFalse(s.getDescription().contains(wrong), "the token must not be echoed");
    assertFalse(audit.events.toString().contains(wrong), "the token must not be audited");
  }

  @Test
  void aMalformedAuthorizationHeaderIsUnauthenticated() throws Exception {
    ManagedChannel ch = serve(tokens());
    Metadata basic = new Metadata();
    basic.put(AuthInterceptor.AUTHORIZATION, "Basic " + OPERATOR);
    Status s =
        statusOf(
            () ->
                call(
                    io.grpc.ClientInterceptors.intercept(
                        ch, MetadataUtils.newAttachHeadersInterceptor(basic)),
                    DESCRIBE,
                    CallOptions.DEFAULT));
    assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
    assertTrue(s.getDescription().contains("expected 'Bearer <token>'"), s.getDescription());
    assertFalse(s.getDescription().contains(OPERATOR));
  }

  @Test
  void aViewerCanDescribeAnnotateCheckHealthReflectAndEStopButNotMoveAnArm() throws Exception {
    ManagedChannel ch = serve(tokens());
    for (String m : List.of(DESCRIBE, ANNOTATE, HEALTH, REFLECTION, ESTOP)) {
      assertTrue(call(ch, m, as(VIEWER)).startsWith("lab-viewer|VIEWER|"), m);
    }
    for (String m : List.of(PREDICT, CONTROL, HOLD)) {
      Status s = statusOf(() -> call(ch, m, as(VIEWER)));
      assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), m);
      assertEquals(
          m + " needs role operator or higher; token 'lab-viewer' has role viewer",
          s.getDescription());
    }
  }

  @Test
  void anOperatorCanPredictAndControlButNotResetAnEStop() throws Exception {
    ManagedChannel ch = serve(tokens());
    for (String m : List.of(PREDICT, CONTROL, HOLD, ESTOP, DESCRIBE)) {
      assertTrue(call(ch, m, as(OPERATOR)).startsWith("lab-operator|OPERATOR|"), m);
    }
    Status s = statusOf(() -> call(ch, RESET, as(OPERATOR)));
    assertEquals(Status.Code.PERMISSION_DENIED, s.getCode());
    assertTrue(s.getDescription().contains("needs role admin"), s.getDescription());
  }

  @Test
  void unlistedMethodsNeedAdmin() throws Exception {
    ManagedChannel ch = serve(tokens());
    for (String m : List.of(SECRET, POLICY_UNLISTED)) {
      assertEquals(
          Status.Code.PERMISSION_DENIED, statusOf(() -> call(ch, m, as(OPERATOR))).getCode(), m);
      assertTrue(call(ch, m, as(ADMIN)).startsWith("lab-admin|ADMIN|"), m);
    }
    assertTrue(call(ch, RESET, as(ADMIN)).startsWith("lab-admin|ADMIN|"));
  }

  @Test
  void theOpenModeRunsEveryCallAsTheLocalAdminWithoutCredentials() throws Exception {
    ManagedChannel ch = serve(AuthInterceptor.builder().setOpen(Principal.LOCAL_NO_AUTH).build());
    for (String m : List.of(PREDICT, RESET, SECRET)) {
      assertTrue(call(ch, m, CallOptions.DEFAULT).startsWith("local (no auth)|ADMIN|"), m);
    }
  }

  @Test
  void theTrustedModeRunsAsItsPrincipalAndStillChecksItsRole() throws Exception {
    ManagedChannel ch =
        serve(
            AuthInterceptor.builder()
                .setTrusted(new Principal(Principal.IN_PROCESS, Role.OPERATOR, "in-process"))
                .build());
    assertEquals("in-process|OPERATOR|in-process", call(ch, PREDICT, CallOptions.DEFAULT));
    Status s = statusOf(() -> call(ch, RESET, CallOptions.DEFAULT));
    assertEquals(Status.Code.PERMISSION_DENIED, s.getCode());
    assertTrue(
        s.getDescription().contains("caller 'in-process' has role operator"), s.getDescription());
  }

  @Test
  void thePrincipalCarriesTheRemoteAddressOfTheCaller() throws Exception {
    AuthInterceptor auth = tokens();
    NettyServerBuilder sb = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (ServerServiceDefinition s : FakeServices.all()) {
      sb.addService(ServerInterceptors.intercept(s, auth));
    }
    Server server = sb.build().start();
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    open.add(
        () -> {
          ch.shutdownNow();
          server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        });
    String[] reply = call(ch, PREDICT, as(OPERATOR)).split("\\|");
    assertEquals("lab-operator", reply[0]);
    assertTrue(reply[2].matches("127\\.0\\.0\\.1:\\d+"), reply[2]);
  }

  @Test
  void denialsAreCountedEveryTimeButLoggedAndAuditedAtMostOncePerInterval() throws Exception {
    List<String> seen = new ArrayList<>();
    AuthInterceptor auth =
        AuthInterceptor.builder()
            .setTokens(TOKENS)
            .optAuditLog(audit)
            .optNanoClock(nanos::get)
            .optDenialLogInterval(10, TimeUnit.SECONDS)
            .optOnDenied((m, c) -> seen.add(c + " " + m))
            .build();
    ManagedChannel ch = serve(auth);
    for (int i = 0; i < 50; i++) {
      statusOf(() -> call(ch, PREDICT, CallOptions.DEFAULT));
      statusOf(() -> call(ch, PREDICT, as(VIEWER)));
    }
    assertEquals(50, auth.unauthenticatedCalls());
    assertEquals(50, auth.permissionDeniedCalls());
    assertEquals(100, seen.size());
    assertEquals("UNAUTHENTICATED " + PREDICT, seen.get(0));
    assertEquals(1, audit.events.size(), "one audit line in the first interval");
    AuditEvent first = audit.events.get(0);
    assertEquals(AuditEvent.AUTH_DENIED, first.event());
    assertEquals(0L, first.fields().get("suppressed"));
    assertTrue(first.detail().startsWith("UNAUTHENTICATED " + PREDICT), first.detail());

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
    statusOf(() -> call(ch, PREDICT, as(VIEWER)));
    assertEquals(2, audit.events.size());
    AuditEvent second = audit.events.get(1);
    assertEquals(
        99L,
        second.fields().get("suppressed"),
        "the held-back denials are counted in the next line");
    assertEquals("lab-viewer", second.principalName());
    assertEquals(Role.VIEWER, second.role());
  }

  @Test
  void theBuilderWantsExactlyOneModeAndAtLeastOneToken() {
    assertThrows(IllegalStateException.class, () -> AuthInterceptor.builder().build());
    assertThrows(
        IllegalStateException.class,
        () -> AuthInterceptor.builder().setTokens(TOKENS).setOpen("x").build());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AuthInterceptor.builder().setTokens(TokenStore.empty()).build());
    assertTrue(e.getMessage().contains("at least one token"), e.getMessage());
  }

  @Test
  void peerAddressesAreWrittenAsHostColonPort() {
    assertEquals("10.0.0.7:51234", AuthInterceptor.peer(new InetSocketAddress("10.0.0.7", 51234)));
    assertEquals("[0:0:0:0:0:0:0:1]:5", AuthInterceptor.peer(new InetSocketAddress("::1", 5)));
    assertEquals("", AuthInterceptor.peer(null));
  }
}
