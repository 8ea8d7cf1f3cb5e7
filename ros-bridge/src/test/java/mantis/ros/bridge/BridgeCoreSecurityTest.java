package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.ros.msg.RosBool;
import mantis.ros.tcpros.MessageOrigin;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.AuthInterceptor;
import mantis.security.Role;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A server refusing the bridge's credentials, and the core's audit trail, on the fake clock. */
class BridgeCoreSecurityTest {
  private final Logger coreLog = (Logger) LoggerFactory.getLogger(BridgeCore.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Recording audit = new Recording();

  /** Keeps audit events in memory. */
  static final class Recording implements AuditLog {
    final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(AuditEvent event) {
      events.add(event);
    }

    @Override
    public void close() {}

    List<String> names() {
      List<String> out = new ArrayList<>();
      for (AuditEvent e : events) {
        out.add(e.event() + " " + e.principalName());
      }
      return out;
    }
  }

  /** Counts the Control calls that reach the server (refused or not). */
  static final class ControlCounter implements ServerInterceptor {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      if (call.getMethodDescriptor()
          .getFullMethodName()
          .equals(PolicyServiceGrpc.getControlMethod().getFullMethodName())) {
        calls.incrementAndGet();
      }
      return next.startCall(call, headers);
    }
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    coreLog.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    coreLog.detachAppender(logs);
  }

  private List<String> lines(Level level, String containing) {
    List<String> out = new ArrayList<>();
    synchronized (logs) {
      for (ILoggingEvent e : logs.list) {
        if (e.getLevel() == level && e.getFormattedMessage().contains(containing)) {
          out.add(e.getFormattedMessage());
        }
      }
    }
    return out;
  }

  private static Harness refusing(Recording audit, ControlCounter counter) throws Exception {
    AuthInterceptor auth =
        AuthInterceptor.builder()
            .setTokens(
                TokenStore.of(
                    List.of(
                        TokenEntry.forToken("someone-else", Role.OPERATOR, TokenStore.newToken()))))
            .build();
    // Interceptors run last-listed first: count the call, then refuse it.
    return new Harness(
        BridgeConfig.parse(Harness.CONFIG, "harness.yaml", null, Map.of()), audit, auth, counter);
  }

  @Test
  void aServerRefusingTheTokenMakesTheBridgeHoldLogOneErrorAndRetryOnlyAtTheBackoff()
      throws Exception {
    ControlCounter counter = new ControlCounter();
    try (Harness h = refusing(audit, counter).started()) {
      assertEquals(1, counter.calls.get());
      h.step(0.1, 0.2, 0.3);
      for (int i = 0; i < 50; i++) {
        h.core.tick(); // no time passes: no retry, however often the loop runs
      }
      assertEquals(1, counter.calls.get(), "no tight loop");
      long[] delaysMs = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
      for (long d : delaysMs) {
        int before = counter.calls.get();
        h.clock.advanceMillis(d - 1);
        h.step(0.1, 0.2, 0.3);
        assertEquals(before, counter.calls.get(), "not retried before the " + d + " ms backoff");
        h.clock.advanceMillis(1);
        h.core.tick();
        assertEquals(before + 1, counter.calls.get(), "retried after " + d + " ms");
      }
      List<String> errors = lines(Level.ERROR, "server refused the bridge's token");
      assertEquals(
          1, errors.size(), "one ERROR for " + counter.calls.get() + " refusals: " + errors);
      assertTrue(
          errors
              .get(0)
              .startsWith("server refused the bridge's token: UNAUTHENTICATED: no credentials"),
          errors.get(0));
      assertTrue(
          errors.get(0).contains("(no token configured)") && errors.get(0).contains("localhost:1"),
          errors.get(0));
      assertTrue(
          lines(Level.WARN, "server stream lost").isEmpty(),
          "the refusal replaces the stream-lost WARN");
      assertTrue(h.core.status().startsWith("state=server_refused"), h.core.status());
      assertTrue(
          h.port.trajectories.stream().allMatch(t -> t.points().size() <= 1),
          "only holds were published");
      assertTrue(h.port.trajectories.size() >= 1, "the arm was told to hold");

      h.clock.advanceMillis(BridgeCore.AUTH_ERROR_PERIOD_MS);
      h.core.tick();
      errors = lines(Level.ERROR, "server refused the bridge's token");
      assertEquals(2, errors.size(), errors.toString());
      assertTrue(errors.get(1).contains("more refusals since the last such line"), errors.get(1));
    }
  }

  @Test
  void thePolicyTakingAndLosingCommandOfTheArmIsAudited() throws Exception {
    try (Harness h =
        new Harness(BridgeConfig.parse(Harness.CONFIG, "harness.yaml", null, Map.of()), audit)
            .started()) {
      h.step(0.1, 0.2, 0.3);
      h.clock.advanceMillis(100);
      h.step(0.1, 0.2, 0.3);
      assertEquals(
          List.of("COMMAND_SOURCE policy"), audit.names(), "once per stream, not per chunk");
      AuditEvent took = audit.events.get(0);
      assertEquals("arm7", took.robotId());
      assertEquals("localhost:1", took.peer());
      assertTrue(took.detail().contains("episode arm7-"), took.detail());

      h.policy.failNewest();
      assertEquals(List.of("COMMAND_SOURCE policy", "COMMAND_SOURCE_END policy"), audit.names());
      assertTrue(
          audit
              .events
              .get(1)
              .detail()
              .contains("lost: Control failed: UNAVAILABLE server restarting"),
          audit.events.get(1).detail());
      h.clock.advanceMillis(100);
      h.core.tick();
      h.clock.advanceMillis(100);
      h.step(0.1, 0.2, 0.3);
      assertEquals(
          List.of("COMMAND_SOURCE policy", "COMMAND_SOURCE_END policy", "COMMAND_SOURCE policy"),
          audit.names(),
          "the reconnected stream commands again");
    }
  }

  @Test
  void rosEStopsAndResetsAreAuditedWithTheTopicAndPublisherOncePerChange() throws Exception {
    String withResetTopic =
        Harness.CONFIG.replace(
            "  controller: /arm_controller\n",
            "  controller: /arm_controller\n  reset: /mantis/reset\n");
    try (Harness h =
        new Harness(BridgeConfig.parse(withResetTopic, "harness.yaml", null, Map.of()), audit)
            .started()) {
      MessageOrigin button = new MessageOrigin("/estop_button", "http://cell:40001/");
      MessageOrigin panel = new MessageOrigin("/panel", "http://panel:40002/");
      for (int i = 0; i < 10; i++) {
        h.core.onEstop(new RosBool(true), button); // a button node repeating "pressed" at its rate
      }
      h.core.onEstop(new RosBool(true), panel);
      h.core.onEstop(new RosBool(false), panel);
      h.core.onReset(panel);
      h.core.onReset(panel);
      h.core.onReset(null);
      assertEquals(
          List.of(
              "ESTOP ros:/mantis/estop",
              "ESTOP ros:/mantis/estop",
              "RESET ros:/mantis/reset",
              "RESET ros:/mantis/reset"),
          audit.names());
      AuditEvent first = audit.events.get(0);
      assertEquals("/estop_button (http://cell:40001/)", first.peer());
      assertEquals(Role.VIEWER, first.role());
      assertEquals(false, first.fields().get("already_latched"));
      assertEquals("/panel (http://panel:40002/)", audit.events.get(1).peer());
      assertEquals(true, audit.events.get(1).fields().get("already_latched"));
      assertEquals("e-stop cleared", audit.events.get(2).detail());
      assertEquals(Role.ADMIN, audit.events.get(2).role(), "every ROS node can clear the e-stop");
      assertEquals("no e-stop to clear", audit.events.get(3).detail());
      assertEquals(null, audit.events.get(3).peer(), "publisher unknown");
    }
  }
}
