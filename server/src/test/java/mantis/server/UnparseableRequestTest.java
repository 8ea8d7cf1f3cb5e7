package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import mantis.core.MonotonicClock;
import mantis.proto.v1.PolicyServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: unparseable protobuf and invalid UTF-8 in a string field were answered UNKNOWN with a
 * SEVERE stack trace per request. Over real Netty on loopback (the in-process transport does not
 * serialise), with raw bytes.
 */
class UnparseableRequestTest {
  private MantisServer server;
  private ManagedChannel channel;

  /** Held strongly: java.util.logging keeps loggers only weakly. */
  private final java.util.logging.Logger grpcLogger = java.util.logging.Logger.getLogger("io.grpc");

  private final List<LogRecord> grpcLogs = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          synchronized (grpcLogs) {
            grpcLogs.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void start() throws Exception {
    grpcLogger.addHandler(capture);
    server =
        TestServer.builder(
                TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
            .optHost("127.0.0.1")
            .optPort(0)
            .build()
            .start();
    assertTrue(server.awaitServing(10, TimeUnit.SECONDS));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    grpcLogger.removeHandler(capture);
    channel.shutdownNow();
    server.close();
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

  private static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method) {
    return method.toBuilder(new Raw(), new Raw()).build();
  }

  /** A valid observation whose robot_id (field 1) holds the bytes FF FE: invalid UTF-8. */
  private static byte[] invalidUtf8() {
    byte[] valid = Observations.valid().clearRobotId().build().toByteArray();
    byte[] out = new byte[valid.length + 4];
    out[0] = 0x0A;
    out[1] = 2;
    out[2] = (byte) 0xFF;
    out[3] = (byte) 0xFE;
    System.arraycopy(valid, 0, out, 4, valid.length);
    return out;
  }

  private static final byte[] GARBAGE = {
    0x0A, 0x7F, 'x', 'y'
  }; // field 1 claims 127 bytes, 2 follow

  private void assertNoGrpcWarnings() {
    synchronized (grpcLogs) {
      List<String> bad =
          grpcLogs.stream()
              .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
              .map(r -> r.getLevel() + " " + r.getMessage() + " " + r.getThrown())
              .toList();
      assertTrue(bad.isEmpty(), "grpc logged: " + bad);
    }
  }

  @Test
  void garbageBytesToPredictAreInvalidArgumentWithADescriptionAndNoStackTrace() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    raw(PolicyServiceGrpc.getPredictMethod()),
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    GARBAGE));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus()
            .getDescription()
            .startsWith(
                "request is not a valid mantis.v1.Observation (protobuf " + "parse failed: "),
        e.getStatus().getDescription());
    assertNoGrpcWarnings();
    assertTrue(
        server.scrapeMetrics().contains("mantis_unparseable_requests_total{rpc=\"Predict\"} 1.0"));
    assertTrue(
        server
            .scrapeMetrics()
            .contains("mantis_grpc_requests_total{code=\"INVALID_ARGUMENT\",rpc=\"Predict\"} 1.0"),
        server.scrapeMetrics());
  }

  @Test
  void invalidUtf8InAStringFieldIsInvalidArgumentNamingIt() {
    for (MethodDescriptor<?, ?> m :
        List.of(PolicyServiceGrpc.getPredictMethod(), PolicyServiceGrpc.getAnnotateMethod())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  ClientCalls.blockingUnaryCall(
                      channel,
                      raw(m),
                      CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                      invalidUtf8()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), m.getFullMethodName());
      assertTrue(
          e.getStatus().getDescription().contains("invalid UTF-8"), e.getStatus().getDescription());
    }
    assertNoGrpcWarnings();
  }

  @Test
  void aControlStreamWithAnUnparseableObservationEndsInvalidArgumentAfterItsGoodOnes()
      throws Exception {
    var call = channel.newCall(raw(PolicyServiceGrpc.getControlMethod()), CallOptions.DEFAULT);
    List<byte[]> replies = new ArrayList<>();
    AtomicReference<Status> end = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    CountDownLatch first = new CountDownLatch(1);
    StreamObserver<byte[]> in =
        ClientCalls.asyncBidiStreamingCall(
            call,
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                replies.add(value);
                first.countDown();
              }

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
    in.onNext(Observations.valid().build().toByteArray());
    assertTrue(first.await(10, TimeUnit.SECONDS));
    in.onNext(GARBAGE);
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.INVALID_ARGUMENT, end.get().getCode());
    assertEquals(1, replies.size());
    assertNoGrpcWarnings();
    Thread.sleep(200);
    assertTrue(
        server.scrapeMetrics().contains("mantis_control_streams_active 0.0"),
        "the stream was cleaned up");
  }

  @Test
  void healthChecksAreGuardedTooAndTheServerKeepsServing() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    raw(io.grpc.health.v1.HealthGrpc.getCheckMethod()),
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    new byte[] {0x0A, 1, (byte) 0xC0}));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("grpc.health.v1.HealthCheckRequest"));
    assertEquals(
        "arm-1",
        PolicyServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .predict(Observations.valid().build())
            .getRobotId());
    assertNoGrpcWarnings();
  }
}
