package mantis.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import mantis.core.JointState;
import mantis.core.LogLimiter;
import mantis.core.MonotonicClock;
import mantis.core.safety.Watchdog;
import mantis.marks.MarkTracker;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.PolicyInfo;
import mantis.proto.v1.PolicyServiceGrpc;

/**
 * {@code mantis.v1.PolicyService}: Predict, Control (with a watchdog per stream), Describe, Annotate.
 *
 * <p>Control streams are received promptly and processed apart: each observation is time-stamped and queued
 * as soon as it arrives (the next one is asked for at once), and one task per stream works through the queue in
 * order on the control executor. So an observation's arrival time is when it reached the server, not when the
 * server got round to it, and the pipeline can answer one that waited too long with a STALE hold instead of a
 * chunk that would arrive expired (see {@link PolicyPipeline}). When the stream's observations carry {@code
 * send_time_nanos}, delay on the way in beyond the smallest seen on the stream (queueing in the network or the
 * client) counts against validity too. At most {@value #MAX_QUEUED} queued observations keep their frames: past
 * that the oldest is answered (in its turn) with a STALE hold and only its small fields are kept; past {@value
 * #MAX_SHED} such, the server stops reading the stream until it catches up.
 *
 * <p>Watchdog (invariant 4): a stream's robot is held when no observation came for one control period plus
 * the watchdog timeout. The period is the one the client declares ({@code control_period_ms}), else the median
 * of the stream's last {@value #PERIOD_SAMPLES} gaps between arrivals, capped at {@code maxControlPeriodNanos};
 * before the second observation it is 0 (the timeout alone applies), so a client that knows its period should
 * declare it.
 */
final class PolicyServiceImpl extends PolicyServiceGrpc.PolicyServiceImplBase {
  /** Observations a Control stream may have waiting; beyond, the transport holds the rest back. */
  static final int MAX_QUEUED = 16;
  /** Observations a Control stream may have waiting without their frames (to be answered STALE). */
  static final int MAX_SHED = 1024;
  /** Gaps between arrivals the period estimate is the median of. */
  static final int PERIOD_SAMPLES = 8;

  private final PolicyPipeline pipeline;
  private final MonotonicClock clock;
  private final ServerMetrics metrics;
  private final ScheduledExecutorService watchdogScheduler;
  private final long watchdogTimeoutNanos;
  private final long maxControlPeriodNanos;
  private final int maxMessageBytes;
  private final int annotateMaxSidePx;
  private final Executor controlExecutor;
  private final LogLimiter logs;
  private final PolicyInfo info;
  private final Set<ControlStream> streams = ConcurrentHashMap.newKeySet();

  /**
   * @param controlExecutor runs Control streams' queued observations (one task per stream at a time)
   * @param maxControlPeriodNanos the largest control period a stream may declare or be measured at
   * @param annotateMaxSidePx Annotate shrinks bigger frames to this many pixels per side
   * @param logs rate limiter of per-request warnings (shared with the pipeline and the watchdogs)
   */
  PolicyServiceImpl(
      PolicyPipeline pipeline,
      MonotonicClock clock,
      ServerMetrics metrics,
      ScheduledExecutorService watchdogScheduler,
      long watchdogTimeoutNanos,
      int maxMessageBytes,
      Executor controlExecutor,
      long maxControlPeriodNanos,
      int annotateMaxSidePx,
      LogLimiter logs) {
    this.pipeline = pipeline;
    this.clock = clock;
    this.metrics = metrics;
    this.watchdogScheduler = watchdogScheduler;
    this.watchdogTimeoutNanos = watchdogTimeoutNanos;
    this.maxMessageBytes = maxMessageBytes;
    this.controlExecutor = controlExecutor;
    this.maxControlPeriodNanos = maxControlPeriodNanos;
    this.annotateMaxSidePx = annotateMaxSidePx;
    this.logs = logs;
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
      out.onNext(pipeline.run("Predict", request, PolicyPipeline.Arrival.at(receive), null).chunk());
      out.onCompleted();
    } catch (InvalidInputException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (OverloadedException e) {
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      logs.error("predict-failed", "Predict failed", e);
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
    ServerCallStreamObserver<ActionChunk> call = (ServerCallStreamObserver<ActionChunk>) out;
    call.disableAutoRequest();
    ControlStream stream = new ControlStream(call);
    streams.add(stream);
    metrics.activeStreams.inc();
    call.request(1);
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
      out.onNext(pipeline.annotate(request, receive, annotateMaxSidePx));
      out.onCompleted();
    } catch (InvalidInputException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (OverloadedException e) {
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      logs.error("annotate-failed", "Annotate failed", e);
      out.onError(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName())
          .asRuntimeException());
    }
  }

  @Override
  public void describe(DescribeRequest request, StreamObserver<PolicyInfo> out) {
    out.onNext(info);
    out.onCompleted();
  }

  /**
   * Loads and runs once what a Control stream's first observation needs (its watchdog, a control-executor
   * thread), so that the first stream does not pay for it out of its chunk's validity.
   */
  void warmUp() {
    try (Watchdog dog = Watchdog.builder().setTimeoutNanos(watchdogTimeoutNanos).setClock(clock).setOnHold(() -> {})
        .optScheduler(watchdogScheduler).optLogLimiter(logs).build()) {
      dog.start();
      dog.feed();
      dog.setTimeoutNanos(watchdogTimeoutNanos + 1);
      dog.poll();
    }
    java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
    controlExecutor.execute(ran::countDown);
    try {
      ran.await(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /** One queued observation and when it arrived. */
  /** One queued observation and when it arrived; {@code shed}: frames dropped, to be answered with a STALE hold. */
  private record Queued(mantis.proto.v1.Observation request, PolicyPipeline.Arrival arrival, boolean shed) {}

  /** One Control call: observations in order, one chunk each; the watchdog holds when they stop. */
  private final class ControlStream implements StreamObserver<mantis.proto.v1.Observation> {
    private final ServerCallStreamObserver<ActionChunk> out;
    private final Object sendLock = new Object();
    /** Mark ids stable across this stream; only the stream's one drain task at a time uses it. */
    private final MarkTracker tracker = MarkTracker.create();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    // Guarded by sendLock.
    private boolean finished;
    // Guarded by queue.
    private final java.util.LinkedList<Queued> queue = new java.util.LinkedList<>();
    private int withFrames;
    private boolean draining;
    private boolean starved;
    // Used by the call's serialised onNext only.
    private long minInboundNanos = Long.MAX_VALUE;
    private long lastArrivalNanos = Long.MIN_VALUE;
    private final long[] gaps = new long[PERIOD_SAMPLES];
    private int gapCount;
    private long periodNanos;
    private volatile Watchdog watchdog;
    private volatile String robotId;
    private volatile boolean pinned;
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
        String id = ObservationDecoder.robotId(request);
        if (robotId != null && !robotId.equals(id)) {
          throw new InvalidInputException(
              "robot_id changed from " + ClientText.escape(robotId) + " to " + ClientText.escape(id)
                  + " inside one Control stream; open one stream per robot");
        }
        long declared = request.getControlPeriodMs() * 1_000_000L;
        if (declared > maxControlPeriodNanos) {
          throw new InvalidInputException("control_period_ms is " + Integer.toUnsignedString(request.getControlPeriodMs())
              + "; this server accepts at most " + maxControlPeriodNanos / 1_000_000
              + " (admission.max_control_period_ms): the watchdog holds after one period plus "
              + watchdogTimeoutNanos / 1_000_000 + " ms");
        }
        if (robotId == null) {
          pipeline.robots().pin(id);
          pinned = true;
          robotId = id;
          startWatchdog();
        }
        watchdog.feed();
        trackPeriod(receive, declared);
        long excess = 0;
        if (request.getSendTimeNanos() != 0) {
          long inbound = receive - request.getSendTimeNanos();
          minInboundNanos = Math.min(minInboundNanos, inbound);
          excess = inbound - minInboundNanos;
        }
        enqueue(new Queued(request, new PolicyPipeline.Arrival(receive, excess), false));
      } catch (InvalidInputException e) {
        fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      } catch (OverloadedException e) {
        fail(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()));
      }
    }

    /** Updates the period estimate and sets the watchdog to period + timeout. */
    private void trackPeriod(long receive, long declaredNanos) {
      if (lastArrivalNanos != Long.MIN_VALUE) {
        gaps[gapCount % PERIOD_SAMPLES] = receive - lastArrivalNanos;
        gapCount++;
      }
      lastArrivalNanos = receive;
      long period;
      if (declaredNanos > 0) {
        period = declaredNanos;
      } else if (gapCount >= 1) {
        int n = Math.min(gapCount, PERIOD_SAMPLES);
        long[] sorted = Arrays.copyOf(gaps, n);
        Arrays.sort(sorted);
        period = Math.min(maxControlPeriodNanos, Math.max(0, sorted[n / 2]));
      } else {
        period = 0;
      }
      if (period != periodNanos) {
        periodNanos = period;
        watchdog.setTimeoutNanos(watchdogTimeoutNanos + period);
      }
    }

    private void enqueue(Queued q) {
      boolean start;
      boolean more;
      synchronized (queue) {
        queue.add(q);
        if (++withFrames > MAX_QUEUED) {
          // Too many waiting: the oldest with frames will be answered STALE; keep only its small fields.
          for (java.util.ListIterator<Queued> it = queue.listIterator(); it.hasNext(); ) {
            Queued old = it.next();
            if (old.request() != null && !old.shed()) {
              it.set(new Queued(old.request().toBuilder().clearFrames().build(), old.arrival(), true));
              withFrames--;
              break;
            }
          }
        }
        more = queue.size() < MAX_QUEUED + MAX_SHED;
        starved = !more;
        start = !draining;
        draining = true;
      }
      if (more) {
        out.request(1);
      }
      if (start) {
        try {
          controlExecutor.execute(this::drain);
        } catch (RejectedExecutionException e) {
          synchronized (queue) {
            draining = false;
          }
          fail(Status.UNAVAILABLE.withDescription("server shutting down"));
        }
      }
    }

    /** Works through the queue in order; one such task per stream at a time. */
    private void drain() {
      while (true) {
        Queued q;
        boolean askMore = false;
        synchronized (queue) {
          q = queue.poll();
          if (q == null) {
            draining = false;
            return;
          }
          if (q.request() != null && !q.shed()) {
            withFrames--;
          }
          if (starved) {
            starved = false;
            askMore = true;
          }
        }
        if (askMore) {
          out.request(1);
        }
        if (q.request() == null) {
          complete(); // the client's half-close, after everything it sent
          continue;
        }
        synchronized (sendLock) {
          if (finished) {
            continue;
          }
        }
        process(q);
      }
    }

    private void process(Queued q) {
      try {
        PolicyPipeline.Result result = q.shed()
            ? pipeline.superseded("Control", q.request(), q.arrival(), MAX_QUEUED)
            : pipeline.run("Control", q.request(), q.arrival(), tracker);
        lastState = result.jointState();
        send(result.chunk());
      } catch (InvalidInputException e) {
        fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      } catch (OverloadedException e) {
        overloaded(q, e);
      } catch (RuntimeException e) {
        logs.error("control-failed", "Control failed", e);
        fail(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName()));
      }
    }

    /** A passing overload (the decode budget per second) holds this step and keeps the stream; others end it. */
    private void overloaded(Queued q, OverloadedException e) {
      if (e.isTransient() && e.jointState() != null) {
        lastState = e.jointState();
        try {
          send(pipeline.overloadedHold(robotId, q.request().getStep(), e.jointState(), q.arrival(), e));
          return;
        } catch (OverloadedException again) {
          // The stream's robot is pinned, so this does not happen; end the stream with the refusal.
        }
      }
      fail(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()));
    }

    private void startWatchdog() {
      Watchdog dog = Watchdog.builder()
          .setTimeoutNanos(watchdogTimeoutNanos)
          .setClock(clock)
          .setOnHold(this::watchdogHold)
          .optScheduler(watchdogScheduler)
          .optLogLimiter(logs)
          .build();
      watchdog = dog;
      dog.start();
    }

    private void watchdogHold() {
      JointState state = lastState;
      if (state == null) {
        return;
      }
      metrics.watchdogHolds.inc();
      long allowed = watchdog.timeoutNanos();
      send(pipeline.hold(robotId, state, mantis.proto.v1.ChunkSource.CHUNK_SOURCE_WATCHDOG, "WATCHDOG_HOLD",
          "no fresh observation for " + allowed / 1_000_000 + " ms (control period " + periodNanos / 1_000_000
              + " ms + watchdog timeout " + watchdogTimeoutNanos / 1_000_000 + " ms)"));
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
      // The client sent its last observation: answer what is queued, then end the call.
      boolean idle;
      synchronized (queue) {
        idle = !draining && queue.isEmpty();
        if (!idle) {
          queue.add(new Queued(null, null, false));
        }
      }
      if (idle) {
        complete();
      }
    }

    private void complete() {
      synchronized (sendLock) {
        if (!finished) {
          finished = true;
          out.onCompleted();
        }
      }
      cleanup();
    }

    private void cleanup() {
      if (!cleanedUp.compareAndSet(false, true)) {
        return;
      }
      if (streams.remove(this)) {
        metrics.activeStreams.dec();
      }
      Watchdog dog = watchdog;
      if (dog != null) {
        dog.close();
      }
      synchronized (queue) {
        queue.clear();
        withFrames = 0;
      }
      if (pinned) {
        pipeline.robots().unpin(robotId);
      }
    }
  }
}
