package mantis.server;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.proto.v1.PolicyServiceGrpc;

/** An in-process Mantis server with a scripted policy, and a channel to it. */
final class TestServer implements AutoCloseable {
  static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();

  final MantisServer server;
  final ManagedChannel channel;

  TestServer(MantisServer.Builder builder) throws IOException, InterruptedException {
    String name = InProcessServerBuilder.generateName();
    server = builder.optServerBuilder(InProcessServerBuilder.forName(name)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  static MantisServer.Builder builder(Policy policy) {
    return MantisServer.builder().setPolicy(policy).setRobot(ROBOT).optWarmupPredictions(1);
  }

  static TestServer started(Policy policy) throws IOException, InterruptedException {
    TestServer s = new TestServer(builder(policy));
    if (!s.server.awaitServing(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server did not warm up");
    }
    return s;
  }

  PolicyServiceGrpc.PolicyServiceBlockingStub blocking() {
    return PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  PolicyServiceGrpc.PolicyServiceStub async() {
    return PolicyServiceGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    server.close();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A policy computing chunks with a function of the observation. */
  static Policy policy(Function<Observation, ActionChunk> predict) {
    PolicyInfo info = new PolicyInfo("scripted", "scripted-1", ROBOT.jointNames(), 0, 0, 4, "{}");
    return new Policy() {
      @Override
      public PolicyInfo info() {
        return info;
      }

      @Override
      public ActionChunk predict(Observation observation) {
        return predict.apply(observation);
      }
    };
  }

  /** A policy that moves every joint to {@code targets} in four 100 ms points, valid for 1 s. */
  static Policy movingTo(double[] targets, MonotonicClock clock) {
    return policy(
        obs -> chunk(obs.jointState().positionsRad(), targets, clock.nanoTime() + 1_000_000_000L));
  }

  static ActionChunk chunk(double[] from, double[] to, long validUntilNanos) {
    List<ActionPoint> pts = new java.util.ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      double[] p = new double[from.length];
      for (int j = 0; j < p.length; j++) {
        p[j] = from[j] + (to[j] - from[j]) * i / 4.0;
      }
      pts.add(new ActionPoint(p, i * 100_000_000L));
    }
    return new ActionChunk(
        ROBOT.jointNames(),
        pts,
        validUntilNanos,
        new int[] {1, 2, 3, 4},
        List.of(),
        List.of(),
        "scripted-1",
        Map.of());
  }
}
