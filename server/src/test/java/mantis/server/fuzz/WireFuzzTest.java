package mantis.server.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyInfo;
import mantis.proto.v1.PolicyServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Raw bytes on the wire of a real Netty server on loopback: the first byte picks the RPC (Predict,
 * Annotate, Describe, Control), the rest is sent as the request message through a byte[]
 * marshaller, so the server's own protobuf parsing meets it (Control sends it twice, then
 * half-closes). Answers are parsed and judged like any other; bytes protobuf refuses must be
 * answered INVALID_ARGUMENT (issue 13: they used to get UNKNOWN and a stack trace in the log).
 */
class WireFuzzTest {
  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
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
      };
  private static final String[] RPCS = {"Predict", "Annotate", "Describe", "Control"};

  private static FuzzServer server;
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);
  private static Level grpcLogLevel;

  @BeforeAll
  static void start() throws Exception {
    // gRPC logs a SEVERE stack trace per unparseable request (issue 13); keep the fuzz log
    // readable.
    Logger grpc = Logger.getLogger("io.grpc");
    grpcLogLevel = grpc.getLevel();
    grpc.setLevel(Level.OFF);
    server = FuzzServer.loopback("hold");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    Logger.getLogger("io.grpc").setLevel(grpcLogLevel);
  }

  private static MethodDescriptor<byte[], byte[]> method(String rpc) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(
            rpc.equals("Control")
                ? MethodDescriptor.MethodType.BIDI_STREAMING
                : MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(
            MethodDescriptor.generateFullMethodName(PolicyServiceGrpc.SERVICE_NAME, rpc))
        .setRequestMarshaller(RAW)
        .setResponseMarshaller(RAW)
        .build();
  }

  @FuzzTest(maxDuration = "10s")
  void anyBytesOnTheWireGetAnAnswerOrAProperStatus(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    String rpc = RPCS[(input[0] & 0xff) % RPCS.length];
    byte[] message = Arrays.copyOfRange(input, 1, input.length);
    boolean parseable = parseable(rpc, message);
    // The only connection is to the server this test started, on loopback.
    try (var ignored =
        BugDetectors.allowNetworkConnections(
            (host, port) -> host.equals("127.0.0.1") && port == server.server.port())) {
      if (rpc.equals("Control")) {
        control(message, parseable);
      } else {
        unary(rpc, message, parseable);
      }
    }
  }

  private static boolean parseable(String rpc, byte[] message) {
    try {
      if (rpc.equals("Describe")) {
        DescribeRequest.parseFrom(message);
      } else {
        Observation.parseFrom(message);
      }
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static void unary(String rpc, byte[] message, boolean parseable) throws Exception {
    long t0 = System.nanoTime();
    byte[] answer;
    try {
      answer =
          ClientCalls.blockingUnaryCall(
              server.channel,
              method(rpc),
              CallOptions.DEFAULT.withDeadlineAfter(
                  RpcOracle.DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
              message);
    } catch (StatusRuntimeException e) {
      RpcOracle.checkDuration(t0, rpc);
      checkStatus(e.getStatus(), rpc, parseable);
      return;
    }
    RpcOracle.checkDuration(t0, rpc);
    if (!parseable) {
      throw new AssertionError(rpc + " answered a request protobuf cannot parse: " + hex(message));
    }
    switch (rpc) {
      case "Predict" ->
          ORACLE.checkReply(ActionChunk.parseFrom(answer), Observation.parseFrom(message), rpc);
      case "Annotate" ->
          ORACLE.checkAnnotation(Annotation.parseFrom(answer), Observation.parseFrom(message), rpc);
      default -> ORACLE.checkInfo(PolicyInfo.parseFrom(answer), rpc);
    }
  }

  private static void control(byte[] message, boolean parseable) throws Exception {
    LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    var call =
        server.channel.newCall(
            method("Control"),
            CallOptions.DEFAULT.withDeadlineAfter(
                3 * RpcOracle.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    StreamObserver<byte[]> in =
        ClientCalls.asyncBidiStreamingCall(
            call,
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                answers.add(value);
              }

              @Override
              public void onError(Throwable t) {
                answers.add(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                answers.add(Status.OK);
              }
            });
    long t0 = System.nanoTime();
    in.onNext(message);
    in.onNext(message);
    in.onCompleted();
    Observation obs = parseable ? Observation.parseFrom(message) : null;
    int replies = 0;
    while (true) {
      Object next = answers.poll(3 * RpcOracle.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError(
            "Control: no end within " + 3 * RpcOracle.DEADLINE.toMillis() + " ms (a hang)");
      }
      if (next instanceof Status st) {
        RpcOracle.checkDuration(t0, "Control");
        if (!st.isOk()) {
          checkStatus(st, "Control", parseable);
        } else if (replies != 2) {
          throw new AssertionError(
              "Control ended OK after " + replies + " replies to 2 observations");
        }
        return;
      }
      if (obs == null) {
        throw new AssertionError(
            "Control answered an observation protobuf cannot parse: " + hex(message));
      }
      ActionChunk c = ActionChunk.parseFrom((byte[]) next);
      if (c.getSource() == ChunkSource.CHUNK_SOURCE_REPLY) {
        ORACLE.checkReply(c, obs, "Control reply " + replies++);
      } else {
        ORACLE.checkChunk(c, "Control " + c.getSource());
      }
    }
  }

  private static void checkStatus(Status status, String rpc, boolean parseable) {
    if (!parseable && status.getCode() != Status.Code.INVALID_ARGUMENT) {
      throw new AssertionError(
          rpc
              + " answered unparseable bytes with "
              + status.getCode()
              + ", expected INVALID_ARGUMENT: "
              + status.getDescription());
    }
    RpcOracle.checkRefusal(status, rpc);
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(b.length, 64); i++) {
      s.append(String.format("%02x", b[i]));
    }
    return s + (b.length > 64 ? "..." : "");
  }
}
