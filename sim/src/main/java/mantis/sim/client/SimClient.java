package mantis.sim.client;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mantis.core.ActionChunk;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.safety.ChunkPlayer;
import mantis.core.safety.SeamBlender;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.sim.Embodiment;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs simulated episodes against a Mantis server over {@code PolicyService.Control}, in lockstep:
 * the sim is paused while a call is in flight. Each round renders the camera at the requested size,
 * sends an observation, waits for its chunk, then executes the chunk by interpolation at the
 * physics rate for one replan interval.
 *
 * <p>Validity: a chunk is valid until {@code send time + valid_for_nanos} on the client's clock.
 * The client's clock while executing is the reply's arrival time plus the simulated time since, so
 * a slow reply leaves less of the chunk to execute; no target is ever taken from an expired chunk —
 * the arm holds its position instead. Every call has a deadline.
 *
 * <p>Seam blending (on by default, {@link Builder#optSeamBlending}): the targets the {@link
 * ChunkPlayer} yields pass through a {@link SeamBlender} before they reach {@code sim.step}. Where
 * a new chunk replaces the old one, the command cross-fades from the old trajectory to the new one
 * over the blend time (0.1 s by default, {@link Builder#optBlendTimeS}), and every command stays
 * within the arm's velocity, acceleration and position limits. When the player has no target (the
 * chunk expired, or none was accepted) the arm holds at its measured position as before and the
 * blender is reset there, so nothing of the old chunk is played afterwards; the next chunk is
 * blended in from rest at the hold.
 *
 * <p>Not thread-safe: one episode at a time per client. Constructors start nothing; the channel
 * belongs to the caller.
 */
public final class SimClient {
  private static final Logger log = LoggerFactory.getLogger(SimClient.class);

  private final Channel channel;
  private final int widthPx;
  private final int heightPx;
  private final FrameFormat format;
  private final double replanIntervalS;
  private final Duration callTimeout;
  private final Duration episodeTimeout;
  private final String robotId;
  private final MonotonicClock clock;
  private final EpisodeListener listener;
  private final boolean seamBlending;
  private final double blendTimeS;
  private final double ensembleBiasPerS;

  private SimClient(Builder b) {
    this.channel = b.channel;
    this.widthPx = b.widthPx;
    this.heightPx = b.heightPx;
    this.format = b.format;
    this.replanIntervalS = b.replanIntervalS;
    this.callTimeout = b.callTimeout;
    this.episodeTimeout = b.episodeTimeout;
    this.robotId = b.robotId;
    this.clock = b.clock;
    this.listener = b.listener;
    this.seamBlending = b.seamBlending;
    this.blendTimeS = b.blendTimeS;
    this.ensembleBiasPerS = b.ensembleBiasPerS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Resets {@code sim} to (seed, family) and runs the episode to success or time-out.
   *
   * @throws SimClientException when the server fails, refuses an observation or does not answer
   *     within the call timeout
   */
  public EpisodeResult runEpisode(TabletopSim sim, long seed, TaskFamily family) {
    if (sim.config().embodiment() != Embodiment.ARM) {
      throw new IllegalArgumentException("the sim client drives the arm embodiment");
    }
    sim.reset(seed, family);
    listener.onReset(sim);
    String episodeId = family.name().toLowerCase(java.util.Locale.ROOT) + "-" + seed;
    int stepsPerReplan = Math.max(1, (int) Math.round(replanIntervalS * sim.config().physicsHz()));
    long dtNanos = Math.round(1e9 / sim.config().physicsHz());

    Replies replies = new Replies();
    var stub =
        PolicyServiceGrpc.newStub(channel)
            .withDeadlineAfter(episodeTimeout.toNanos(), TimeUnit.NANOSECONDS);
    stub.control(replies);
    ClientCallStreamObserver<Observation> out = replies.requestStream();

    long[] virtualNow = new long[1];
    ChunkPlayer player = new ChunkPlayer(() -> virtualNow[0]);
    SeamBlender blender =
        seamBlending
            ? SeamBlender.builder()
                .setRobot(sim.robot())
                .setStepS(1.0 / sim.config().physicsHz())
                .optBlendTimeS(blendTimeS)
                .build()
            : null;
    if (blender != null) {
      blender.reset(sim.jointState().positionsRad());
    }
    TemporalEnsemble ensemble =
        Double.isNaN(ensembleBiasPerS) ? null : new TemporalEnsemble(ensembleBiasPerS);
    LongList latencies = new LongList();
    int expired = 0;
    int holdSteps = 0;
    int held = 0;
    long step = 0;
    try {
      while (!sim.done()) {
        Frame frame = sim.render(widthPx, heightPx);
        long capture = clock.nanoTime();
        JointState js = sim.jointState();
        JointState stamped =
            new JointState(js.names(), js.positionsRad(), js.velocitiesRadPerS(), capture);
        long send = clock.nanoTime();
        out.onNext(
            Observation.newBuilder()
                .setRobotId(robotId)
                .setEpisodeId(episodeId)
                .setStep(step)
                .addFrames(
                    format == FrameFormat.RAW_RGB8
                        ? ProtoMapping.toRawRgb8(frame)
                        : ProtoMapping.toPng(frame))
                .setInstruction(sim.instruction())
                .setJointState(ProtoMapping.toProto(stamped))
                .setCaptureTimeNanos(capture)
                .setSendTimeNanos(send)
                .build());
        mantis.proto.v1.ActionChunk reply = replies.awaitReply(step, callTimeout);
        long receive = clock.nanoTime();
        latencies.add(receive - send);
        if (reply.getHeld()) {
          held++;
        }
        ActionChunk chunk = ProtoMapping.chunkFromProto(reply, send);
        listener.onReply(sim, step, frame, chunk);
        if (!chunk.jointNames().equals(sim.robot().jointNames())) {
          throw new SimClientException(
              "server answered for joints "
                  + chunk.jointNames()
                  + ", the sim's arm has "
                  + sim.robot().jointNames(),
              null);
        }
        virtualNow[0] = receive;
        boolean accepted = player.offer(chunk, receive, js.positionsRad());
        if (accepted && ensemble != null) {
          ensemble.offer(chunk, receive, js.positionsRad());
        }
        double[] holdAt = null;
        boolean countedExpiry = false;
        boolean seam = accepted;
        for (int k = 1; k <= stepsPerReplan && !sim.done(); k++) {
          virtualNow[0] = receive + k * dtNanos;
          var target =
              accepted ? player.targetAt(virtualNow[0]) : java.util.Optional.<double[]>empty();
          double[] q;
          if (target.isPresent()) {
            double[] t = ensemble == null ? target.get() : ensemble.at(virtualNow[0], target.get());
            q = blender == null ? t : blender.next(t, seam);
            seam = false;
          } else {
            if (holdAt == null) {
              holdAt = sim.jointState().positionsRad();
              if (ensemble != null) {
                ensemble.clear();
              }
              if (blender != null) {
                blender.reset(holdAt); // nothing of the expired chunk is blended in later
              }
            }
            q = holdAt;
            holdSteps++;
            if (!countedExpiry) {
              countedExpiry = true;
              expired++;
            }
          }
          double[] commanded = listener.onCommand(sim, q);
          if (commanded != q) {
            if (commanded == null || commanded.length != q.length) {
              throw new SimClientException(
                  "the episode listener replaced "
                      + q.length
                      + " joint targets with "
                      + (commanded == null ? "null" : commanded.length + " values"),
                  null);
            }
            q = commanded;
          }
          listener.onStep(sim, q, target.isEmpty());
          sim.step(q);
        }
        step++;
      }
      out.onCompleted();
    } catch (RuntimeException e) {
      out.cancel("episode aborted", e);
      throw e;
    }
    EpisodeResult result =
        new EpisodeResult(
            seed,
            family,
            sim.instruction(),
            sim.success(),
            sim.timeS(),
            latencies.size(),
            latencies.toArray(),
            expired,
            holdSteps,
            held,
            replies.watchdogHolds());
    listener.onEnd(sim, result);
    return result;
  }

  /** The Control call's reply side: a queue of chunks and the end status. */
  private static final class Replies
      implements ClientResponseObserver<Observation, mantis.proto.v1.ActionChunk> {
    private static final Object COMPLETED = new Object();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private ClientCallStreamObserver<Observation> requestStream;
    private int watchdogHolds;

    @Override
    public void beforeStart(ClientCallStreamObserver<Observation> requestStream) {
      this.requestStream = requestStream;
    }

    ClientCallStreamObserver<Observation> requestStream() {
      return requestStream;
    }

    @Override
    public void onNext(mantis.proto.v1.ActionChunk value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      queue.add(COMPLETED);
    }

    int watchdogHolds() {
      return watchdogHolds;
    }

    mantis.proto.v1.ActionChunk awaitReply(long step, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        Object next;
        try {
          next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SimClientException("interrupted waiting for the chunk of step " + step, e);
        }
        if (next == null) {
          throw new SimClientException(
              "no chunk for step " + step + " within " + timeout.toMillis() + " ms", null);
        }
        if (next instanceof Status s) {
          throw new SimClientException(
              "Control stream failed at step "
                  + step
                  + ": "
                  + s.getCode()
                  + (s.getDescription() == null ? "" : ": " + s.getDescription()),
              s.asRuntimeException());
        }
        if (next == COMPLETED) {
          throw new SimClientException("server ended the Control stream at step " + step, null);
        }
        mantis.proto.v1.ActionChunk c = (mantis.proto.v1.ActionChunk) next;
        if (c.getSource() == ChunkSource.CHUNK_SOURCE_WATCHDOG) {
          watchdogHolds++;
          log.debug("watchdog hold while the sim was paused at step {}", step);
          continue;
        }
        if (c.getSource() == ChunkSource.CHUNK_SOURCE_SHUTDOWN) {
          throw new SimClientException("server shutting down at step " + step, null);
        }
        if (c.getStep() != step) {
          log.warn("skipping a chunk for step {} while waiting for step {}", c.getStep(), step);
          continue;
        }
        return c;
      }
    }
  }

  /** A growable list of longs. */
  private static final class LongList {
    private long[] values = new long[64];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int size() {
      return size;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }

  /** Builds a {@link SimClient}; {@code set*} required, {@code opt*} optional. */
  public static final class Builder {
    private Channel channel;
    private int widthPx = 128;
    private int heightPx = 128;
    private FrameFormat format = FrameFormat.RAW_RGB8;
    private double replanIntervalS = 0.3;
    private Duration callTimeout = Duration.ofSeconds(5);
    private Duration episodeTimeout = Duration.ofMinutes(5);
    private String robotId = "sim";
    private MonotonicClock clock = MonotonicClock.system();
    private EpisodeListener listener = new EpisodeListener() {};
    private boolean seamBlending = true;
    private double blendTimeS = SeamBlender.DEFAULT_BLEND_TIME_S;
    private double ensembleBiasPerS = Double.NaN;

    private Builder() {}

    /**
     * Temporal ensembling of overlapping chunks (ACT): each target is the weighted mean of the
     * targets every recent chunk planned for that moment, a chunk {@code a} seconds older than the
     * newest weighing {@code exp(-bias x a)} (0: all alike). Off by default (the newest chunk
     * alone).
     */
    public Builder optTemporalEnsemble(double newestBiasPerS) {
      if (!(newestBiasPerS >= 0) || !Double.isFinite(newestBiasPerS)) {
        throw new IllegalArgumentException(
            "the ensemble's newest-chunk bias must be finite and >= 0, got " + newestBiasPerS);
      }
      this.ensembleBiasPerS = newestBiasPerS;
      return this;
    }

    /** Channel to the Mantis server (owned by the caller). Required. */
    public Builder setChannel(Channel channel) {
      this.channel = channel;
      return this;
    }

    /** Size frames are rendered and sent at; default 128x128. */
    public Builder optImageSize(int widthPx, int heightPx) {
      this.widthPx = widthPx;
      this.heightPx = heightPx;
      return this;
    }

    /** Raw RGB8 (default) or PNG. */
    public Builder optFrameFormat(FrameFormat format) {
      this.format = format;
      return this;
    }

    /** Simulated seconds each chunk is executed before the next observation; default 0.3. */
    public Builder optReplanIntervalS(double seconds) {
      this.replanIntervalS = seconds;
      return this;
    }

    /** Deadline for each chunk to arrive; default 5 s. */
    public Builder optCallTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** Deadline of the whole Control call of one episode; default 5 min. */
    public Builder optEpisodeTimeout(Duration timeout) {
      this.episodeTimeout = timeout;
      return this;
    }

    /** Robot id sent with every observation; default "sim". */
    public Builder optRobotId(String robotId) {
      this.robotId = robotId;
      return this;
    }

    /** The client's monotonic clock; default the system clock. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Sees every episode (e.g. a recorder). */
    public Builder optListener(EpisodeListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Whether targets pass through a {@link SeamBlender} (cross-fade at chunk seams, velocity and
     * acceleration limits on every command); default true. False sends the chunk player's targets
     * as they are.
     */
    public Builder optSeamBlending(boolean seamBlending) {
      this.seamBlending = seamBlending;
      return this;
    }

    /** Cross-fade time at a chunk seam, s; default 0.1 (0: limits only, no cross-fade). */
    public Builder optBlendTimeS(double blendTimeS) {
      this.blendTimeS = blendTimeS;
      return this;
    }

    public SimClient build() {
      Objects.requireNonNull(channel, "setChannel is required");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(listener, "listener");
      Objects.requireNonNull(robotId, "robotId");
      if (widthPx < 1
          || heightPx < 1
          || widthPx > Frame.MAX_SIDE_PX
          || heightPx > Frame.MAX_SIDE_PX) {
        throw new IllegalArgumentException(
            "image size " + widthPx + "x" + heightPx + " out of range");
      }
      if (!(replanIntervalS > 0) || !Double.isFinite(replanIntervalS)) {
        throw new IllegalArgumentException("replan interval must be > 0 s, got " + replanIntervalS);
      }
      if (callTimeout.isNegative()
          || callTimeout.isZero()
          || episodeTimeout.isNegative()
          || episodeTimeout.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
      if (!(blendTimeS >= 0 && blendTimeS <= 10)) {
        throw new IllegalArgumentException("blend time must be in [0, 10] s, got " + blendTimeS);
      }
      return new SimClient(this);
    }
  }
}
