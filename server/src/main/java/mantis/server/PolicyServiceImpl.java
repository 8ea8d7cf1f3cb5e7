package mantis.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.Locale;
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
import mantis.wire.ProtoMapping;

/**
 * {@code mantis.v1.PolicyService}: Predict, Control (with a watchdog per stream), Describe,
 * Annotate.
 *
 * <p>Control streams are received promptly and processed apart: each observation is time-stamped
 * and queued as soon as it arrives (the next one is asked for at once), and one task per stream
 * works through the queue in order on the control executor. So an observation's arrival time is
 * when it reached the server, not when the server got round to it, and the pipeline can answer one
 * that waited too long with a STALE hold instead of a chunk that would arrive expired (see {@link
 * PolicyPipeline}). When the stream's observations carry {@code send_time_nanos}, delay on the way
 * in beyond the smallest seen on the stream (queueing in the network or the client) counts against
 * validity too. At most {@value #MAX_QUEUED} queued observations keep their frames: past that the
 * oldest is answered (in its turn) with a STALE hold and only its step and validated joint state
 * are kept (no frames, no instruction, no unknown fields); past {@value #MAX_SHED} such, the server
 * stops reading the stream until it catches up. Across all streams, queued observations may hold at
 * most {@code maxQueuedBytes} (their serialized sizes): one that would go over is not queued; it is
 * answered, in its turn, with an OVERLOADED hold.
 *
 * <p>Every hold a stream gets that is not the safety filter's verdict on a fresh chunk (STALE,
 * OVERLOADED, watchdog, idle, shutdown) stops at the newest joint state the stream has sent (read
 * as each observation arrives, before it is queued), valid for the hold validity from that
 * observation's arrival (see {@link PolicyPipeline}).
 *
 * <p>A stream that sends no observation for {@code controlIdleTimeoutNanos} (nothing queued or in
 * work either) is ended with DEADLINE_EXCEEDED, after a final hold when it ever sent a joint state,
 * so that empty or abandoned streams give their slots back ({@link #endIdleStreams}, run
 * periodically by the server).
 *
 * <p>Watchdog (invariant 4): a stream's robot is held when no observation came for one control
 * period plus the watchdog timeout. The period is the one the client declares ({@code
 * control_period_ms}), else the median of the stream's last {@value #PERIOD_SAMPLES} gaps between
 * arrivals, capped at {@code maxControlPeriodNanos}; before the second observation it is 0 (the
 * timeout alone applies), so a client that knows its period should declare it.
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
  private final long controlIdleTimeoutNanos;
  private final long maxQueuedBytes;

  /** Serialized bytes of the observations (with frames) waiting in every stream's queue. */
  private final java.util.concurrent.atomic.AtomicLong queuedBytes =
      new java.util.concurrent.atomic.AtomicLong();

  private final int maxMessageBytes;
  private final int annotateMaxSidePx;
  private final Executor controlExecutor;
  private final LogLimiter logs;
  private final PolicyInfo info;
  private final Set<ControlStream> streams = ConcurrentHashMap.newKeySet();

  /**
   * @param controlExecutor runs Control streams' queued observations (one task per stream at a
   *     time)
   * @param maxControlPeriodNanos the largest control period a stream may declare or be measured at
   * @param annotateMaxSidePx Annotate shrinks bigger frames to this many pixels per side
   * @param logs rate limiter of per-request warnings (shared with the pipeline and the watchdogs)
   * @param controlIdleTimeoutNanos a Control stream without an observation this long is ended
   * @param maxQueuedBytes serialized bytes of queued Control observations allowed, server-wide
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
      LogLimiter logs,
      long controlIdleTimeoutNanos,
      long maxQueuedBytes) {
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
    this.controlIdleTimeoutNanos = controlIdleTimeoutNanos;
    this.maxQueuedBytes = maxQueuedBytes;
    metrics.queuedBytes.set(0);
    this.info = ProtoMapping.toProto(pipeline.policy().info(), pipeline.robot().name());
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
      out.onNext(
          pipeline.run("Predict", request, PolicyPipeline.Arrival.at(receive), null).chunk());
      out.onCompleted();
    } catch (InvalidInputException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (OverloadedException e) {
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      logs.error("predict-failed", "Predict failed", e);
      out.onError(
          Status.INTERNAL
              .withDescription("internal error: " + e.getClass().getSimpleName())
              .asRuntimeException());
    }
  }

  /**
   * The transport enforces the inbound limit on the wire; this repeats it for transports that do
   * not serialise (in-process), so every server behaves the same.
   */
  private Status checkSize(mantis.proto.v1.Observation request) {
    int size = request.getSerializedSize();
    if (size > maxMessageBytes) {
      return Status.RESOURCE_EXHAUSTED.withDescription(
          "observation is "
              + size
              + " bytes; this server accepts at most "
              + maxMessageBytes
              + " bytes per message");
    }
    return null;
  }

  @Override
  public StreamObserver<mantis.proto.v1.Observation> control(StreamObserver<ActionChunk> out) {
    ServerCallStreamObserver<ActionChunk> call = (ServerCallStreamObserver<ActionChunk>) out;
    call.disableAutoRequest();
    // With a cancel handler, a chunk sent after the client cancelled is dropped instead of thrown
    // (the check of
    // isCancelled() before each send races with the cancel); the cleanup runs from the stream's
    // onError.
    call.setOnCancelHandler(() -> {});
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
      out.onError(
          Status.INTERNAL
              .withDescription("internal error: " + e.getClass().getSimpleName())
              .asRuntimeException());
    }
  }

  @Override
  public void describe(DescribeRequest request, StreamObserver<PolicyInfo> out) {
    out.onNext(info);
    out.onCompleted();
  }

  /**
   * Loads and runs once what a Control stream's first observation needs (its watchdog, a
   * control-executor thread), so that the first stream does not pay for it out of its chunk's
   * validity.
   */
  void warmUp() {
    try (Watchdog dog =
        Watchdog.builder()
            .setTimeoutNanos(watchdogTimeoutNanos)
            .setClock(clock)
            .setOnHold(() -> {})
            .optScheduler(watchdogScheduler)
            .optLogLimiter(logs)
            .build()) {
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
      try {
        s.holdAndComplete(why);
      } catch (RuntimeException e) {
        // one stream's failure (e.g. its transport just closed) must not keep the others from their
        // final hold
        logs.warn(
            "shutdown-hold-failed", "final hold of a Control stream failed: {}", e.toString());
      }
    }
  }

  int activeStreams() {
    return streams.size();
  }

  /**
   * Ends every Control stream that has sent no observation for the idle timeout (and has nothing
   * queued or in work): a final hold when it ever sent a joint state, then DEADLINE_EXCEEDED. Run
   * periodically; never throws.
   */
  void endIdleStreams() {
    try {
      long now = clock.nanoTime();
      for (ControlStream s : streams) {
        s.endIfIdle(now);
      }
    } catch (RuntimeException e) {
      logs.error("idle-sweep-failed", "ending idle Control streams failed", e);
    }
  }

  /** Serialized bytes of the observations waiting in Control stream queues now. */
  long queuedBytes() {
    return queuedBytes.get();
  }

  private void addQueuedBytes(long delta) {
    metrics.queuedBytes.set(queuedBytes.addAndGet(delta));
  }

  /** "30 s", or "1500 ms" when not whole seconds. */
  private static String duration(long nanos) {
    long ms = nanos / 1_000_000;
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** What a queue entry is. */
  enum Kind {
    /** An observation with its frames, to run through the pipeline. */
    FULL,
    /** Shed from a full stream queue: answered with a STALE hold. */
    SHED,
    /** Over the server's queued-bytes limit: answered with an OVERLOADED hold. */
    REFUSED,
    /** The client's half-close, after everything it sent. */
    END
  }

  /**
   * One entry of a Control stream's queue. Only a {@link Kind#FULL} entry keeps the wire
   * observation (and counts {@code bytes} against the server's limit); the others keep its step and
   * its validated joint state, or why that joint state is invalid, and nothing else: no frames, no
   * instruction, no unknown fields.
   */
  record Queued(
      Kind kind,
      mantis.proto.v1.Observation request,
      PolicyPipeline.Arrival arrival,
      int bytes,
      long step,
      JointState state,
      InvalidInputException invalid,
      String detail) {
    static final Queued END = new Queued(Kind.END, null, null, 0, 0, null, null, null);

    static Queued full(
        mantis.proto.v1.Observation request, PolicyPipeline.Arrival arrival, int bytes) {
      return new Queued(Kind.FULL, request, arrival, bytes, request.getStep(), null, null, null);
    }

    /**
     * {@code request} reduced to what its hold needs, answered as {@code kind} with {@code detail}.
     */
    static Queued reduced(
        Kind kind,
        mantis.proto.v1.Observation request,
        PolicyPipeline.Arrival arrival,
        PolicyPipeline pipeline,
        String detail) {
      try {
        return new Queued(
            kind, null, arrival, 0, request.getStep(), pipeline.jointState(request), null, detail);
      } catch (InvalidInputException e) {
        return new Queued(kind, null, arrival, 0, request.getStep(), null, e, detail);
      }
    }
  }

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
    private boolean queueClosed;
    // Used by the call's serialised onNext only.
    private long minInboundNanos = Long.MAX_VALUE;
    private long lastArrivalNanos = Long.MIN_VALUE;
    private final long[] gaps = new long[PERIOD_SAMPLES];
    private int gapCount;
    private long periodNanos;
    private volatile Watchdog watchdog;
    private volatile String robotId;
    private volatile boolean pinned;

    /** The newest valid joint state the stream sent and when it arrived; null before the first. */
    private volatile PolicyPipeline.HoldBasis newest;

    /** When the stream opened or its last observation arrived. */
    private volatile long lastObservationNanos = clock.nanoTime();

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
      lastObservationNanos = receive;
      Status tooBig = checkSize(request);
      if (tooBig != null) {
        fail(tooBig);
        return;
      }
      try {
        String id = ObservationDecoder.robotId(request);
        if (robotId != null && !robotId.equals(id)) {
          throw new InvalidInputException(
              "robot_id changed from "
                  + ClientText.escape(robotId)
                  + " to "
                  + ClientText.escape(id)
                  + " inside one Control stream; open one stream per robot");
        }
        // uint32 on the wire: read unsigned, or 2^31 and more would turn negative and pass
        // unnoticed.
        long declared = Integer.toUnsignedLong(request.getControlPeriodMs()) * 1_000_000L;
        if (declared > maxControlPeriodNanos) {
          throw new InvalidInputException(
              "control_period_ms is "
                  + Integer.toUnsignedString(request.getControlPeriodMs())
                  + "; this server accepts at most "
                  + maxControlPeriodNanos / 1_000_000
                  + " (admission.max_control_period_ms): the watchdog holds after one period plus "
                  + watchdogTimeoutNanos / 1_000_000
                  + " ms");
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
        try {
          newest = new PolicyPipeline.HoldBasis(pipeline.jointState(request), receive);
        } catch (InvalidInputException e) {
          // Answered in its turn with INVALID_ARGUMENT; holds keep the last valid state.
        }
        enqueue(request, new PolicyPipeline.Arrival(receive, excess));
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

    /**
     * Queues an observation with its frames, or reduced to an OVERLOADED answer when the server's
     * bytes are spent.
     */
    private void enqueue(mantis.proto.v1.Observation request, PolicyPipeline.Arrival arrival) {
      int size = request.getSerializedSize();
      long total = queuedBytes.addAndGet(size);
      Queued q;
      if (total > maxQueuedBytes) {
        addQueuedBytes(-size);
        metrics.refusals.labelValues("queued_bytes").inc();
        q =
            Queued.reduced(
                Kind.REFUSED,
                request,
                arrival,
                pipeline,
                String.format(
                    Locale.ROOT,
                    "the server already holds %,d bytes of queued Control observations; this one (%,d bytes) would pass its "
                        + "limit of %,d bytes (admission.max_queued_bytes), so it is answered with a hold without being "
                        + "queued (server overloaded: fewer streams, a lower rate, smaller frames, or more capacity)",
                    total - size,
                    size,
                    maxQueuedBytes));
      } else {
        metrics.queuedBytes.set(total);
        q = Queued.full(request, arrival, size);
      }
      boolean start;
      boolean more;
      synchronized (queue) {
        if (queueClosed) {
          if (q.kind() == Kind.FULL) {
            addQueuedBytes(-q.bytes());
          }
          return;
        }
        queue.add(q);
        if (q.kind() == Kind.FULL && ++withFrames > MAX_QUEUED) {
          // Too many waiting: the oldest with frames will be answered STALE; keep only what its
          // hold needs.
          for (java.util.ListIterator<Queued> it = queue.listIterator(); it.hasNext(); ) {
            Queued old = it.next();
            if (old.kind() == Kind.FULL) {
              it.set(Queued.reduced(Kind.SHED, old.request(), old.arrival(), pipeline, null));
              withFrames--;
              addQueuedBytes(-old.bytes());
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
          if (q.kind() == Kind.FULL) {
            withFrames--;
            addQueuedBytes(-q.bytes());
          }
          if (starved) {
            starved = false;
            askMore = true;
          }
        }
        if (askMore) {
          out.request(1);
        }
        if (q.kind() == Kind.END) {
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

    /** Where this stream's holds stop: its newest state, else {@code own} as of {@code arrival}. */
    private PolicyPipeline.HoldBasis basis(JointState own, PolicyPipeline.Arrival arrival) {
      PolicyPipeline.HoldBasis b = newest;
      return b != null ? b : new PolicyPipeline.HoldBasis(own, arrival.receiveNanos());
    }

    private void process(Queued q) {
      try {
        switch (q.kind()) {
          case FULL ->
              send(
                  pipeline.run("Control", q.request(), q.arrival(), tracker, () -> newest).chunk());
          case SHED -> {
            if (q.invalid() != null) {
              throw q.invalid();
            }
            send(
                pipeline
                    .superseded(
                        "Control",
                        robotId,
                        q.step(),
                        q.state(),
                        q.arrival(),
                        MAX_QUEUED,
                        basis(q.state(), q.arrival()))
                    .chunk());
          }
          case REFUSED -> {
            if (q.invalid() != null) {
              throw q.invalid();
            }
            send(
                pipeline.overloadedHold(
                    robotId, q.step(), basis(q.state(), q.arrival()), q.arrival(), q.detail()));
          }
          default -> throw new IllegalStateException("unexpected queue entry " + q.kind());
        }
      } catch (InvalidInputException e) {
        fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      } catch (OverloadedException e) {
        overloaded(q, e);
      } catch (RuntimeException e) {
        logs.error("control-failed", "Control failed", e);
        fail(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName()));
      }
    }

    /**
     * A passing overload (the decode budget per second) holds this step and keeps the stream;
     * others end it.
     */
    private void overloaded(Queued q, OverloadedException e) {
      if (e.isTransient() && e.jointState() != null) {
        try {
          send(
              pipeline.overloadedHold(
                  robotId,
                  q.step(),
                  basis(e.jointState(), q.arrival()),
                  q.arrival(),
                  e.getMessage()));
          return;
        } catch (OverloadedException again) {
          // The stream's robot is pinned, so this does not happen; end the stream with the refusal.
        }
      }
      fail(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()));
    }

    private void startWatchdog() {
      Watchdog dog =
          Watchdog.builder()
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
      PolicyPipeline.HoldBasis b = newest;
      if (b == null) {
        return;
      }
      metrics.watchdogHolds.inc();
      long allowed = watchdog.timeoutNanos();
      send(
          pipeline.hold(
              robotId,
              b,
              mantis.proto.v1.ChunkSource.CHUNK_SOURCE_WATCHDOG,
              "WATCHDOG_HOLD",
              "no fresh observation for "
                  + allowed / 1_000_000
                  + " ms (control period "
                  + periodNanos / 1_000_000
                  + " ms + watchdog timeout "
                  + watchdogTimeoutNanos / 1_000_000
                  + " ms)"));
    }

    /** Ends the stream when it has been idle for the idle timeout (see {@link #endIdleStreams}). */
    void endIfIdle(long now) {
      if (now - lastObservationNanos < controlIdleTimeoutNanos) {
        return;
      }
      synchronized (queue) {
        if (draining || !queue.isEmpty()) {
          return; // the server is still working on what it sent: not idle
        }
      }
      String why =
          "no observation for "
              + duration(controlIdleTimeoutNanos)
              + "; stream closed to free its slot (admission.control_idle_timeout_ms)";
      PolicyPipeline.HoldBasis b = newest;
      synchronized (sendLock) {
        if (finished) {
          return;
        }
        finished = true;
        if (!out.isCancelled()) {
          if (b != null) {
            out.onNext(
                pipeline.hold(
                    robotId,
                    b,
                    mantis.proto.v1.ChunkSource.CHUNK_SOURCE_WATCHDOG,
                    "IDLE_TIMEOUT",
                    why));
          }
          out.onError(Status.DEADLINE_EXCEEDED.withDescription(why).asRuntimeException());
        }
      }
      metrics.idleStreamsEnded.inc();
      logs.warn(
          "control-idle",
          "Control stream of robot {} ended: {}",
          robotId == null ? "(none yet)" : ClientText.escape(robotId),
          why);
      cleanup();
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
      PolicyPipeline.HoldBasis b = newest;
      synchronized (sendLock) {
        if (finished) {
          return;
        }
        if (b != null && !out.isCancelled()) {
          out.onNext(
              pipeline.hold(
                  robotId,
                  b,
                  mantis.proto.v1.ChunkSource.CHUNK_SOURCE_SHUTDOWN,
                  "SHUTDOWN_HOLD",
                  why));
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
          queue.add(Queued.END);
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
        long bytes = 0;
        for (Queued q : queue) {
          if (q.kind() == Kind.FULL) {
            bytes += q.bytes();
          }
        }
        addQueuedBytes(-bytes);
        queue.clear();
        withFrames = 0;
        queueClosed = true;
      }
      if (pinned) {
        pipeline.robots().unpin(robotId);
      }
    }
  }
}
