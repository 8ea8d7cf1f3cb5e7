package mantis.ros.bridge;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mantis.core.FakeClock;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointState;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.RosTime;
import mantis.security.AuditLog;

/**
 * A bridge core wired to a recording port and a fake policy server over in-process gRPC (direct
 * executors: a reply arrives inside the tick that sent its observation), on a fake clock.
 */
final class Harness implements AutoCloseable {
  static final String CONFIG =
      """
      topics:
        image: /cam
        controller: /arm_controller
      robot:
        id: arm7
        joints: [j_shoulder, j_elbow, j_wrist]
      server:
        target: localhost:1
        control_rate_hz: 10
        watchdog_timeout_ms: 100
        stream_idle_timeout_ms: 1000
      bridge:
        default_instruction: push the red block to the left
        heartbeat_hz: 2
      """;
  static final List<String> SPEC_NAMES = List.of("shoulder", "elbow", "wrist");
  static final List<String> ROS_NAMES = List.of("j_shoulder", "j_elbow", "j_wrist");
  static final long WALL_NANOS = 1_700_000_000_123_000_000L;

  /** What the fake server answers to an observation: a chunk, or null for no answer. */
  final FakePolicy policy = new FakePolicy();

  final RecordingPort port = new RecordingPort();
  final FakeClock clock = new FakeClock(10_000_000_000L);
  final BridgeConfig config;
  final Server server;
  final ManagedChannel channel;
  final BridgeCore core;

  Harness() throws Exception {
    this(CONFIG);
  }

  Harness(String yaml) throws Exception {
    this(BridgeConfig.parse(yaml, "harness.yaml", null, Map.of()), AuditLog.none());
  }

  /** A harness for {@code config} whose core records to {@code audit}. */
  Harness(BridgeConfig config, AuditLog audit, ServerInterceptor... serverSide) throws Exception {
    this.config = config;
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(ServerInterceptors.intercept(policy, serverSide))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    core =
        BridgeCore.builder()
            .setConfig(config)
            .setPort(port)
            .setChannel(channel)
            .optClock(clock)
            .optWallClock(() -> WALL_NANOS)
            .optAuditLog(audit)
            .build();
  }

  /** Starts the core and opens the first stream. */
  Harness started() {
    core.start();
    core.tick();
    return this;
  }

  /** Fresh camera frame (2 x 1 rgb8) and joint state at {@code q} (spec order), then one tick. */
  void step(double... q) {
    core.onImage(rgbImage());
    core.onJointState(jointState(q));
    core.tick();
  }

  static Image rgbImage() {
    return new Image(
        new Header(0, RosTime.ZERO, "cam"), 1, 2, "rgb8", 0, 6, new byte[] {1, 2, 3, 4, 5, 6});
  }

  /**
   * A ROS joint state for spec-order positions {@code q}, listed as j_wrist, j_shoulder, j_elbow.
   */
  static JointState jointState(double... q) {
    return new JointState(
        new Header(0, RosTime.ZERO, ""),
        List.of("j_wrist", "j_shoulder", "j_elbow"),
        List.of(q[2], q[0], q[1]),
        List.of(),
        List.of());
  }

  /** A wire chunk for the robot's joints: one point per array in {@code points}, 100 ms apart. */
  static ActionChunk chunk(long step, long validForNanos, double[]... points) {
    ActionChunk.Builder b =
        ActionChunk.newBuilder()
            .addAllJointNames(SPEC_NAMES)
            .setStep(step)
            .setValidForNanos(validForNanos)
            .setModelVersion("fake")
            .setSource(ChunkSource.CHUNK_SOURCE_REPLY);
    for (int i = 0; i < points.length; i++) {
      ActionPoint.Builder p =
          ActionPoint.newBuilder().setTimeFromStartNanos((i + 1) * 100_000_000L);
      for (double v : points[i]) {
        p.addPositionsRad(v);
      }
      b.addPoints(p);
    }
    return b.build();
  }

  /** Answers each observation with a small motion valid for 500 ms. */
  static ActionChunk gentle(Observation o) {
    double q0 = o.getJointState().getPositionsRad(0);
    return chunk(
        o.getStep(), 500_000_000L, new double[] {q0 + 0.01, 0, 0}, new double[] {q0 + 0.02, 0, 0});
  }

  @Override
  public void close() {
    core.close();
    channel.shutdownNow();
    server.shutdownNow();
  }

  /** Records what the core publishes. */
  static final class RecordingPort implements BridgePort {
    final List<JointTrajectory> trajectories = new CopyOnWriteArrayList<>();
    final List<String> statuses = new CopyOnWriteArrayList<>();

    /** The reason of each hold, in order (holds are also in {@link #trajectories}). */
    final List<String> holdReasons = new CopyOnWriteArrayList<>();

    @Override
    public void publishTrajectory(JointTrajectory trajectory) {
      trajectories.add(trajectory);
    }

    @Override
    public void publishHold(JointTrajectory hold, String reason) {
      holdReasons.add(reason);
      publishTrajectory(hold);
    }

    @Override
    public void publishStatus(String status) {
      statuses.add(status);
    }

    JointTrajectory last() {
      return trajectories.get(trajectories.size() - 1);
    }

    void clear() {
      trajectories.clear();
    }
  }

  /**
   * A PolicyService whose Control replies with {@link #reply}; counts streams, keeps observations.
   */
  static final class FakePolicy extends PolicyServiceGrpc.PolicyServiceImplBase {
    volatile Function<Observation, ActionChunk> reply = Harness::gentle;
    final List<Observation> observations = new CopyOnWriteArrayList<>();
    final List<StreamObserver<ActionChunk>> streams = new CopyOnWriteArrayList<>();

    @Override
    public StreamObserver<Observation> control(StreamObserver<ActionChunk> out) {
      streams.add(out);
      return new StreamObserver<>() {
        @Override
        public void onNext(Observation o) {
          observations.add(o);
          ActionChunk c = reply.apply(o);
          if (c != null) {
            out.onNext(c);
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }

    /** Fails the newest stream with UNAVAILABLE. */
    void failNewest() {
      streams
          .get(streams.size() - 1)
          .onError(Status.UNAVAILABLE.withDescription("server restarting").asRuntimeException());
    }

    Observation lastObservation() {
      return observations.get(observations.size() - 1);
    }
  }
}
