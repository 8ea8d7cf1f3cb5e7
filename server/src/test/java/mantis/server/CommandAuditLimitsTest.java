package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import mantis.core.MonotonicClock;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.ServerSecurity;
import org.junit.jupiter.api.Test;

/**
 * The command audit writes commands, not noise: an unparseable request is no command, and a client
 * inventing a robot id per Predict cannot write an audit line per call.
 */
class CommandAuditLimitsTest {
  /** An audit log in memory. */
  private static final class Recorded implements AuditLog {
    private final List<AuditEvent> events = new ArrayList<>();

    @Override
    public synchronized void record(AuditEvent event) {
      events.add(event);
    }

    synchronized List<AuditEvent> commandSources() {
      return events.stream().filter(e -> e.event().startsWith(AuditEvent.COMMAND_SOURCE)).toList();
    }

    @Override
    public void close() {}
  }

  /** Sends bytes as they are. */
  private static final class Raw implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final byte[] GARBAGE = {
    0x0A, 0x7F, 'x', 'y'
  }; // field 1 claims 127 bytes, 2 follow

  @Test
  void anUnparseableRequestToPredictOrControlIsNotAuditedAsACommand() throws Exception {
    Recorded audit = new Recorded();
    try (MantisServer server =
        TestServer.builder(
                TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
            .optSecurity(ServerSecurity.builder().optAuditLog(audit).build())
            .optHost("127.0.0.1")
            .optPort(0)
            .build()
            .start()) {
      assertTrue(server.awaitServing(10, TimeUnit.SECONDS));
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        StatusRuntimeException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () ->
                    ClientCalls.blockingUnaryCall(
                        ch,
                        PolicyServiceGrpc.getPredictMethod().toBuilder(new Raw(), new Raw())
                            .build(),
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        GARBAGE));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());

        ClientCall<byte[], byte[]> call =
            ch.newCall(
                PolicyServiceGrpc.getControlMethod().toBuilder(new Raw(), new Raw()).build(),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        CompletableFuture<Status> end = new CompletableFuture<>();
        call.start(
            new ClientCall.Listener<>() {
              @Override
              public void onClose(Status status, Metadata trailers) {
                end.complete(status);
              }
            },
            new Metadata());
        call.request(10);
        call.sendMessage(GARBAGE);
        assertEquals(Status.Code.INVALID_ARGUMENT, end.get(10, TimeUnit.SECONDS).getCode());

        PolicyServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .predict(Observations.valid().build());
      } finally {
        ch.shutdownNow();
      }
      List<AuditEvent> sources = audit.commandSources();
      assertEquals(1, sources.size(), "only the valid Predict: " + sources);
      assertEquals("arm-1", sources.get(0).robotId());
    }
  }

  @Test
  void firstPredictLinesAreLimitedPerMinuteAndTheNextLineCountsThoseLeftOut() throws Exception {
    FakeClock clock = new FakeClock(1_000_000_000L);
    Recorded audit = new Recorded();
    try (TestServer s =
        new TestServer(
            TestServer.builder(TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, clock))
                .optClock(clock)
                .optSecurity(ServerSecurity.builder().optAuditLog(audit).build()))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      for (int i = 0; i < 200; i++) {
        s.blocking().predict(Observations.valid().setRobotId("invented-" + i).build());
      }
      assertEquals(
          CommandAuditInterceptor.PREDICT_LINES_PER_MINUTE,
          audit.commandSources().size(),
          "one line per new robot, at most 60 a minute");
      clock.advanceMillis(60_000);
      s.blocking().predict(Observations.valid().setRobotId("invented-150").build());
      List<AuditEvent> sources = audit.commandSources();
      assertEquals(61, sources.size(), "a robot left out before is audited once lines are left");
      AuditEvent next = sources.get(60);
      assertEquals("invented-150", next.robotId());
      assertEquals(140L, ((Number) next.fields().get("suppressed")).longValue(), next.toString());
      assertTrue(
          next.detail()
              .endsWith("; 140 earlier first Predicts not written (more than 60 a minute)"),
          next.detail());
    }
  }
}
