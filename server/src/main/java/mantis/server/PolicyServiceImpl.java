package mantis.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.safety.Watchdog;
import mantis.marks.MarkTracker;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.PolicyInfo;
import mantis.proto.v1.PolicyServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code mantis.v1.PolicyService}: Predict, Control (with a watchdog per stream), Describe, Annotate. */
final class PolicyServiceImpl extends PolicyServiceGrpc.PolicyServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(PolicyServiceImpl.class);

  private final PolicyPipeline pipeline;
  private final MonotonicClock clock;
  private final ServerMetrics metrics;
  private final ScheduledExecutorService watchdogScheduler;
  private final long watchdogTimeoutNanos;
  private final int maxMessageBytes;
  private final PolicyInfo info;
  private final Set<ControlStream> streams = ConcurrentHashMap.newKeySet();

  PolicyServiceImpl(
      PolicyPipeline pipeline,
      MonotonicClock clock,
      ServerMetrics metrics,
      ScheduledExecutorService watchdogScheduler,
      long watchdogTimeoutNanos,
      int maxMessageBytes) {
    this.pipeline = pipeline;
    this.clock = clock;
    this.metrics = metrics;
    this.watchdogScheduler = watchdogScheduler;
    this.watchdogTimeoutNanos = watchdogTimeoutNanos;
    this.maxMessageBytes = maxMessageBytes;
    this.info = ChunkEncoder.encode(pipeline.policy().info(), pipeline.robot());
  }

  @Override
  public void predict(mantis.proto.v1.Observation request, StreamObserver<ActionChunk> out) {
    long receive = clock.nanoTime();
    Status tooBig = checkSize(request);
    if (tooBig != null) {
      out.onError(tooBig.asRuntimeException());
      return;
    }
    try {
      out.onNext(pipeline.run("Predict", request, receive).chunk());
      out.onCompleted();
    } catch (InvalidInputException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      log.error("Predict failed", e);
      out.onError(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName())
          .asRuntimeException());
    }
  }

  /**
   * The transport enforces the inbound limit on the wire; this repeats it for transports that do not
   * serialise (in-process), so every server behaves the same.
   */
  private Status checkSize(mantis.proto.v1.Observation request) {
    int size = request.getSerializedSize();
    if (size > maxMessageBytes) {
      return Status.RESOURCE_EXHAUSTED.withDescription(
          "observation is " + size + " bytes; this server accepts at most " + maxMessageBytes + " bytes per message");
    }
    return null;
  }

  @Override
  public StreamObserver<mantis.proto.v1.Observation> control(StreamObserver<ActionChunk> out) {
    ControlStream stream = new ControlStream((ServerCallStreamObserver<ActionChunk>) out);
    streams.add(stream);
    metrics.activeStreams.inc();
    return stream;
  }

  @Override
  public void annotate(mantis.proto.v1.Observation request, StreamObserver<Annotation> out) {
    long receive = clock.nanoTime();
    Status tooBig = checkSize(request);
    if (tooBig != null) {
      out.onError(tooBig.asRuntimeException());
      return;
    }
    try {
      out.onNext(pipeline.annotate(request, receive));
      out.onCompleted();
    } catch (InvalidInputException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      log.error("Annotate failed", e);
      out.onError(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName())
          .asRuntimeException());
    }
  }

  @Override
  public void describe(DescribeRequest request, StreamObserver<PolicyInfo> out) {
    out.onNext(info);
    out.onCompleted();
  }

  /** Ends every Control stream with a final hold chunk (server shutting down). */
  void holdAndEndAllStreams(String why) {
    for (ControlStream s : streams) {
      s.holdAndComplete(why);
    }
  }

  int activeStreams() {
    return streams.size();
  }

  /** One Control call: observations in order, one chunk each; the watchdog holds when they stop. */
  private final class ControlStream implements StreamObserver<mantis.proto.v1.Observation> {
    private final ServerCallStreamObserver<ActionChunk> out;
    private final Object sendLock = new Object();
    /** Mark ids stable across this stream; gRPC delivers a stream's messages one at a time. */
    private final MarkTracker tracker = MarkTracker.create();
    private boolean finished;
    private volatile Watchdog watchdog;
    private volatile String robotId;
    private volatile JointState lastState;

    ControlStream(ServerCallStreamObserver<ActionChunk> out) {
      this.out = out;
    }

    @Override
    public void onNext(mantis.proto.v1.Observation request) {
      long receive = clock.nanoTime();
      synchronized (sendLock) {
        if (finished) {
          return;
        }
      }
      Status tooBig = checkSize(request);
      if (tooBig != null) {
        fail(tooBig);
        return;
      }
      try {
        String id = request.getRobotId().isEmpty() ? "default" : request.getRobotId();
        if (robotId != null && !robotId.equals(id)) {
          throw new InvalidInputException(
              "robot_id changed from " + ClientText.escape(robotId) + " to " + ClientText.escape(id)
                  + " inside one Control stream; open one stream per robot");
        }
        Watchdog dog = watchdog;
        if (dog != null) {
          dog.feed();
        }
        PolicyPipeline.Result result = pipeline.run("Control", request, receive, tracker);
        Observation obs = result.observation();
        lastState = obs.jointState();
        if (robotId == null) {
          robotId = obs.robotId();
          startWatchdog();
        }
        send(result.chunk());
      } catch (InvalidInputException e) {
        fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      } catch (RuntimeException e) {
        log.error("Control failed", e);
        fail(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName()));
      }
    }

    private void startWatchdog() {
      Watchdog dog = Watchdog.builder()
          .setTimeoutNanos(watchdogTimeoutNanos)
          .setClock(clock)
          .setOnHold(this::watchdogHold)
          .optScheduler(watchdogScheduler)
          .build();
      watchdog = dog;
      dog.start();
      dog.feed();
    }

    private void watchdogHold() {
      JointState state = lastState;
      if (state == null) {
        return;
      }
      metrics.watchdogHolds.inc();
      log.debug("robot {}: no observation for {} ms; holding", robotId, watchdogTimeoutNanos / 1_000_000);
      send(pipeline.hold(robotId, state, mantis.proto.v1.ChunkSource.CHUNK_SOURCE_WATCHDOG, "WATCHDOG_HOLD",
          "no fresh observation for " + watchdogTimeoutNanos / 1_000_000 + " ms"));
    }

    private void send(ActionChunk chunk) {
      synchronized (sendLock) {
        if (finished || out.isCancelled()) {
          return;
        }
        out.onNext(chunk);
      }
    }

    void holdAndComplete(String why) {
      JointState state = lastState;
      synchronized (sendLock) {
        if (finished) {
          return;
        }
        if (state != null && !out.isCancelled()) {
          out.onNext(pipeline.hold(robotId, state, mantis.proto.v1.ChunkSource.CHUNK_SOURCE_SHUTDOWN, "SHUTDOWN_HOLD", why));
        }
        finished = true;
        if (!out.isCancelled()) {
          out.onCompleted();
        }
      }
      cleanup();
    }

    private void fail(Status status) {
      synchronized (sendLock) {
        if (finished) {
          return;
        }
        finished = true;
        out.onError(status.asRuntimeException());
      }
      cleanup();
    }

    @Override
    public void onError(Throwable t) {
      synchronized (sendLock) {
        finished = true;
      }
      cleanup();
    }

    @Override
    public void onCompleted() {
      synchronized (sendLock) {
        if (!finished) {
          finished = true;
          out.onCompleted();
        }
      }
      cleanup();
    }

    private void cleanup() {
      if (streams.remove(this)) {
        metrics.activeStreams.dec();
      }
      Watchdog dog = watchdog;
      if (dog != null) {
        dog.close();
      }
    }
  }
}
