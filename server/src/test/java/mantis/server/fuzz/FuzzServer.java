package mantis.server.fuzz;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.MantisServer;
import mantis.server.policy.Policies;

/**
 * A real {@link MantisServer} serving a named policy ({@code hold}, {@code random}, {@code
 * visual-servo}, {@code mantis}, ... as {@code mantis serve --policy}) for a fuzz target,
 * in-process (fast) or on loopback TCP with Netty (the wire parsing path), and a channel to it.
 * Calls run on a small pool of the server's own, so a slow call never blocks the fuzzer thread
 * beyond its deadline.
 */
final class FuzzServer implements AutoCloseable {
  /** Policy input size of the served policies, pixels (as {@code mantis serve}'s default). */
  static final int INPUT_PX = 128;

  final MantisServer server;
  final ManagedChannel channel;
  private final ExecutorService executor;

  private FuzzServer(String policy, boolean netty) throws IOException, InterruptedException {
    AtomicInteger n = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "fuzz-server-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    MonotonicClock clock = MonotonicClock.system();
    Policy p = Policies.create(policy, Seeds.ROBOT, INPUT_PX, clock);
    MantisServer.Builder b =
        MantisServer.builder()
            .setPolicy(p)
            .setRobot(Seeds.ROBOT)
            .optClock(clock)
            .optWarmupPredictions(1)
            .optExecutor(executor);
    if (netty) {
      server = b.optHost("127.0.0.1").optPort(0).build().start();
      channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port())
              .usePlaintext()
              .maxInboundMessageSize(32 * 1024 * 1024)
              .build();
    } else {
      String name = InProcessServerBuilder.generateName();
      server = b.optServerBuilder(InProcessServerBuilder.forName(name)).build().start();
      channel = InProcessChannelBuilder.forName(name).build();
    }
    if (!server.awaitServing(120, TimeUnit.SECONDS)) {
      close();
      throw new IllegalStateException("the " + policy + " server did not warm up in 120 s");
    }
    warmUp();
  }

  /**
   * Sends seed observations of every frame encoding once through Predict and Annotate, untimed: the
   * first calls load image decoders and native code (much slower under fuzzing instrumentation),
   * which is start-up cost, not the input's.
   */
  private void warmUp() {
    var stub = PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    var bases = Seeds.get().bases();
    stub.predict(bases.get(3).toBuilder().setRobotId("warm-up").build()); // raw + PNG
    stub.annotate(
        bases.get(2).toBuilder().setAnnotateWithImage(true).build()); // JPEG, drawn as PNG
  }

  /** An in-process server for {@code policy}. */
  static FuzzServer inProcess(String policy) throws IOException, InterruptedException {
    return new FuzzServer(policy, false);
  }

  /** A Netty server on 127.0.0.1 (a free port) for {@code policy}. */
  static FuzzServer loopback(String policy) throws IOException, InterruptedException {
    return new FuzzServer(policy, true);
  }

  PolicyServiceGrpc.PolicyServiceBlockingStub blocking() {
    return PolicyServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(RpcOracle.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  PolicyServiceGrpc.PolicyServiceStub async() {
    return PolicyServiceGrpc.newStub(channel);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.close();
    executor.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }
}
