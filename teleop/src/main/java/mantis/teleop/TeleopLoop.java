package mantis.teleop;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.RobotSpec;
import mantis.core.Trace;
import mantis.core.safety.SafetyFilter;
import mantis.marks.MarkRenderer;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.proto.v1.ResetRequest;
import mantis.proto.v1.StageTiming;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.Principal;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control loop every teleop session shares, whatever the arm: the control ticks, the person's
 * jogs, the shadow policy, takeover, e-stop, agreement, history and the live view. The arm is a
 * {@link TeleopArm} (frames, instruction, episode outcome) plus its {@code ArmService} channel (all
 * commands, e-stop and reset, joint states back). See {@code docs/TELEOP.md}.
 *
 * <p>Lifecycle: {@link #markStarted()}, {@link #open(Channel)} (the command stream), {@link
 * #startTicks()}, then {@link #stopTicks()} and {@link #closeStream()}. Thread-safe.
 *
 * <p>Audit (one line per change, never per tick or per jog request): {@code TAKEOVER} when the mode
 * actually switches, {@code ESTOP} (from here, or latched on the arm's side), {@code RESET} once
 * the arm has cleared, and {@code COMMAND_SOURCE} when a person's jog starts driving the arm after
 * the policy, an e-stop, a new episode, another person, or {@link #DRIVER_IDLE_NANOS} without jogs
 * drove it.
 */
final class TeleopLoop {
  private static final Logger log = LoggerFactory.getLogger(TeleopLoop.class);

  /** Control ticks kept for the plots. */
  static final int HISTORY = 200;

  /** Points of the person's chunk, and their spacing. */
  static final int JOG_POINTS = 5;

  static final long JOG_POINT_NANOS = 100_000_000L;

  /** Hold-at-current chunks sent after a jog ends or control returns to the person. */
  static final int BRAKE_TICKS = 3;

  /** The effector's image motion is measured over this many ticks. */
  static final int EFFECTOR_LAG_TICKS = 3;

  /** Longest jog hold accepted, ms. */
  static final long MAX_HOLD_MILLIS = 2000;

  /** Position kept from each limit by the person's chunk, rad (more than the filter's margin). */
  static final double JOG_MARGIN_RAD = SafetyFilter.DEFAULT_POSITION_MARGIN_RAD + 0.01;

  /** An ended command stream is reopened at most this often. */
  static final long REOPEN_NANOS = 1_000_000_000L;

  /**
   * A person stays the arm's audited command source until this long after their last jog ended; a
   * jog after that is a new {@code COMMAND_SOURCE} line (the arm was idle in between).
   */
  static final long DRIVER_IDLE_NANOS = 30_000_000_000L;

  /**
   * After a reset, an estopped=false from the arm counts as its clear only once the stream has
   * shown the latch, or this long after the reset (when the arm sent no state while it was latched,
   * nothing stale can follow).
   */
  static final long STALE_CLEAR_NANOS = 1_000_000_000L;

  /** The {@code via} field of this loop's audit lines. */
  static final String VIA = "teleop dashboard";

  private final TeleopArm arm;
  private final Channel policyChannel;
  private final RobotSpec robot;
  private final String robotId;
  private final int controlHz;
  private final MonotonicClock clock;
  private final int inputPx;
  private final Duration predictTimeout;
  private final String threadName;
  private final double[] jogLo;
  private final double[] jogHi;
  private final double[] vMax;
  private final MarkRenderer markRenderer = new MarkRenderer();
  private final AuditLog audit;

  /** Held for a whole tick, and by {@link #newEpisode}: a tick never straddles two episodes. */
  private final ReentrantLock tickLock = new ReentrantLock();

  private final Object lock = new Object();
  private final Object pngLock = new Object();
  private final Object commandLock = new Object();

  private Channel armChannel;
  private ArmServiceGrpc.ArmServiceBlockingStub armBlocking;
  // Guarded by commandLock.
  private StreamObserver<JointCommand> commands;
  private long streamGeneration;
  private long lastStreamOpenNanos;
  private boolean streamEnded;
  private PolicyServiceGrpc.PolicyServiceBlockingStub policy;
  private ScheduledExecutorService ticker;

  // Guarded by lock.
  private JointStateMsg latestArm;
  private long latestArmNanos;
  private boolean started;
  private boolean closed;
  private ControlMode mode = ControlMode.TELEOP;
  private boolean estopped;

  /** After a reset: the arm's e-stop flag is not adopted until it has said "clear" once. */
  private boolean awaitingArmClear;

  /**
   * Whether the arm's state stream has said estopped since this session's last e-stop. The stream
   * is in order, so once it has, every state the arm sent before it latched (estopped=false,
   * possibly still in flight when the session resets) has been delivered, and the next
   * estopped=false is the arm's answer to the reset.
   */
  private boolean armLatchSeen;

  /** When (this clock) the session last reset the arm. */
  private long resetNanos;

  private double[] jogVelocities;
  private long jogUntilNanos;
  private boolean wasJogging;

  /**
   * The person whose jogs drive the arm (audited as its command source), or null: policy, e-stop,
   * idle.
   */
  private String driver;

  /** When the driver's latest jog hold ends. */
  private long driverUntilNanos;

  /** What drove the arm before a person took it: "policy", "e-stop", "idle", "person 'NAME'". */
  private String source = "idle";

  private int brakeTicks;

  /** Where an idle arm is held ({@link TeleopArm#holdsWhenIdle()}), or null. */
  private double[] stationRad;

  private String instruction = "";
  private String family;
  private long seed;
  private long episodeStartNanos;
  private long episodeCount;
  private String episodeId = "";
  private long step;
  private boolean done;
  private boolean success;
  private double[] positionsRad;
  private long frameSeq;
  private Frame inputFrame;
  private Frame displayFrame;
  private List<Mark> marks = List.of();
  private List<Trace> traces = List.of();
  private List<Integer> latentTokens = List.of();
  private int groundedMarkId = -1;
  private Map<String, Double> stageMillis = Map.of();
  private final ArrayDeque<CommandSample> history = new ArrayDeque<>();
  private final ArrayDeque<PixelPoint> effectorTrail = new ArrayDeque<>();
  private final AgreementTracker agreement;
  private long predictFailures;
  private long skippedTicks;

  // Guarded by pngLock.
  private long pngSeq = -1;
  private byte[] png;

  TeleopLoop(
      TeleopArm arm,
      Channel policyChannel,
      RobotSpec robot,
      int controlHz,
      MonotonicClock clock,
      int inputPx,
      Duration predictTimeout,
      String family,
      long seed,
      String threadName,
      AuditLog audit) {
    this.arm = Objects.requireNonNull(arm, "arm");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.policyChannel = Objects.requireNonNull(policyChannel, "policyChannel");
    this.robot = Objects.requireNonNull(robot, "robot");
    this.robotId = arm.robotId();
    this.controlHz = controlHz;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.inputPx = inputPx;
    this.predictTimeout = Objects.requireNonNull(predictTimeout, "predictTimeout");
    this.family = Objects.requireNonNull(family, "family");
    this.seed = seed;
    this.threadName = threadName;
    int n = robot.jointCount();
    jogLo = new double[n];
    jogHi = new double[n];
    vMax = new double[n];
    for (int j = 0; j < n; j++) {
      JointLimits l = robot.joint(j);
      jogLo[j] = l.minPositionRad() + JOG_MARGIN_RAD;
      jogHi[j] = l.maxPositionRad() - JOG_MARGIN_RAD;
      vMax[j] = l.maxVelocityRadPerS();
    }
    this.agreement = new AgreementTracker(n);
  }

  /**
   * @throws IllegalStateException when already started or closed
   */
  void markStarted() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      started = true;
    }
  }

  /** Opens the command stream on the arm's ArmService; joint states come back on it. */
  void open(Channel channel) {
    armChannel = channel;
    armBlocking = ArmServiceGrpc.newBlockingStub(channel);
    policy = PolicyServiceGrpc.newBlockingStub(policyChannel);
    openStream();
  }

  /**
   * A new command stream; one that ends (the arm restarted, the network failed) is reopened by the
   * ticks.
   */
  private void openStream() {
    synchronized (commandLock) {
      long generation = ++streamGeneration;
      lastStreamOpenNanos = clock.nanoTime();
      streamEnded = false;
      commands =
          ArmServiceGrpc.newStub(armChannel)
              .streamCommands(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(JointStateMsg value) {
                      onArmState(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      log.warn("arm state stream ended: {}", t.toString());
                      ended(generation);
                    }

                    @Override
                    public void onCompleted() {
                      log.debug("arm state stream completed");
                      ended(generation);
                    }
                  });
    }
  }

  private void ended(long generation) {
    synchronized (commandLock) {
      if (generation == streamGeneration) {
        streamEnded = true;
      }
    }
  }

  /** Tick thread: reopens an ended command stream, at most once per {@link #REOPEN_NANOS}. */
  private void reopenIfEnded(long now) {
    synchronized (commandLock) {
      if (!streamEnded || commands == null || now - lastStreamOpenNanos < REOPEN_NANOS) {
        return;
      }
      try {
        commands.onCompleted();
      } catch (RuntimeException e) {
        log.debug("closing the ended arm stream: {}", e.toString());
      }
      log.info("reopening the arm's command stream");
      openStream();
    }
  }

  private void onArmState(JointStateMsg value) {
    boolean armLatched = false;
    synchronized (lock) {
      latestArm = value;
      latestArmNanos = clock.nanoTime();
      if (value.getEstopped()) {
        armLatchSeen = true;
      }
      if (!value.getEstopped()) {
        // A state the arm sent before it latched can still arrive after the reset (the stream
        // lags); taking it as the arm's clear would make a latched state sent just before the
        // reset look like a new latch (TeleopLoopEstopRaceTest).
        if (armLatchSeen || latestArmNanos - resetNanos >= STALE_CLEAR_NANOS) {
          awaitingArmClear = false;
        }
      } else if (!estopped && !awaitingArmClear) {
        // Latched on the arm's side (e.g. a ROS e-stop topic): the session follows the latch.
        log.warn("the arm reports its e-stop latched; jogs are refused until reset");
        estopped = true;
        clearJogLocked();
        armLatched = true;
        sourceLocked("e-stop");
      }
    }
    if (armLatched) {
      audit.record(
          AuditEvent.of(AuditEvent.ESTOP)
              .robot(robotId)
              .detail(
                  "the arm reports its e-stop latched (not from this dashboard: the arm, its bridge or another "
                      + "ArmService client)")
              .field("via", "arm"));
    }
  }

  /** Begins the first episode, takes the first frame and starts the control ticks. */
  void startTicks() {
    synchronized (lock) {
      beginEpisodeLocked();
    }
    takeFirstFrame();
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    long period = Math.round(1e9 / controlHz);
    ticker.scheduleAtFixedRate(this::tickSafely, period, period, TimeUnit.NANOSECONDS);
  }

  void requireStarted() {
    synchronized (lock) {
      if (!started) {
        throw new IllegalStateException("call start() first");
      }
      if (closed) {
        throw new IllegalStateException("teleop closed");
      }
    }
  }

  /** The current episode's id (as in the policy's observations). */
  String episodeId() {
    synchronized (lock) {
      return episodeId;
    }
  }

  /** The current episode's seed. */
  long seed() {
    synchronized (lock) {
      return seed;
    }
  }

  /** Under lock: bookkeeping for the arm's current (new) episode. */
  private void beginEpisodeLocked() {
    episodeCount++;
    episodeId = "teleop-" + seed + "-" + episodeCount;
    episodeStartNanos = clock.nanoTime();
    step = 0;
    history.clear();
    effectorTrail.clear();
    agreement.clear();
    marks = List.of();
    traces = List.of();
    latentTokens = List.of();
    groundedMarkId = -1;
    stageMillis = Map.of();
    clearJogLocked();
    done = false;
    success = false;
  }

  /** Under lock: nobody's jog drives the arm now; {@code what} did (policy, e-stop, idle). */
  private void sourceLocked(String what) {
    driver = null;
    source = what;
  }

  private void clearJogLocked() {
    jogVelocities = null;
    wasJogging = false;
    brakeTicks = 0;
    stationRad = null;
  }

  private TeleopArm.Snapshot snapshot(long now) {
    JointStateMsg a;
    long at;
    synchronized (lock) {
      a = latestArm;
      at = latestArmNanos;
    }
    return arm.snapshot(now, a, at);
  }

  private void takeFirstFrame() {
    TeleopArm.Snapshot s = snapshot(clock.nanoTime());
    if (s != null) {
      synchronized (lock) {
        applySnapshotLocked(s);
      }
    }
  }

  private void applySnapshotLocked(TeleopArm.Snapshot s) {
    frameSeq++;
    inputFrame = s.input();
    displayFrame = s.display();
    positionsRad = s.joints().positionsRad();
    success = s.success();
    done = s.done();
    instruction = s.instruction();
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("teleop tick failed", e);
    }
  }

  /** One control tick. */
  void tick() {
    tickLock.lock();
    try {
      synchronized (lock) {
        if (closed) {
          return;
        }
      }
      long now = clock.nanoTime();
      reopenIfEnded(now);
      TeleopArm.Snapshot snap = snapshot(now);
      if (snap == null) {
        long skipped;
        synchronized (lock) {
          skipped = ++skippedTicks;
        }
        if (skipped == 1 || skipped % 100 == 0) {
          log.warn(
              "no fresh camera frame and joint state from the arm ({} ticks so far); nothing is sent",
              skipped);
        }
        return;
      }
      double[] q = snap.joints().positionsRad();

      // The person's command goes first: the policy's latency must not delay it.
      ControlMode modeNow;
      boolean estoppedNow;
      double[] jog;
      JointCommand personCommand = null;
      long obsStep;
      String obsEpisode;
      synchronized (lock) {
        modeNow = mode;
        estoppedNow = estopped;
        jog = jogVelocities != null && now < jogUntilNanos ? jogVelocities.clone() : null;
        if (jog == null && wasJogging) {
          brakeTicks = BRAKE_TICKS;
        }
        wasJogging = jog != null;
        if (!estoppedNow && modeNow == ControlMode.TELEOP) {
          if (jog != null) {
            stationRad = null;
            personCommand = personChunk(q, jog);
          } else if (brakeTicks > 0) {
            brakeTicks--;
            personCommand = personChunk(q, new double[q.length]);
          } else if (arm.holdsWhenIdle()) {
            if (stationRad == null) {
              stationRad = jogTarget(q, new double[q.length], 0);
            }
            personCommand = personChunk(stationRad, new double[q.length]);
          }
        }
        obsStep = step++;
        obsEpisode = episodeId;
      }
      if (personCommand != null) {
        send(personCommand);
      }
      double[] teleopNext = jog == null ? q.clone() : jogTarget(q, jog, 1);

      // The shadow policy, always, on the same frame.
      long send = clock.nanoTime();
      JointState stamped =
          new JointState(snap.joints().names(), q, snap.joints().velocitiesRadPerS(), now);
      ActionChunk reply = null;
      long roundTripNanos = 0;
      if (!snap.instruction().isBlank()) {
        Observation obs =
            Observation.newBuilder()
                .setRobotId(robotId)
                .setEpisodeId(obsEpisode)
                .setStep(obsStep)
                .addFrames(ProtoMapping.toRawRgb8(snap.input()))
                .setInstruction(snap.instruction())
                .setJointState(ProtoMapping.toProto(stamped))
                .setCaptureTimeNanos(snap.captureNanos())
                .setSendTimeNanos(send)
                .build();
        try {
          reply =
              policy.withDeadlineAfter(predictTimeout.toNanos(), TimeUnit.NANOSECONDS).predict(obs);
          roundTripNanos = clock.nanoTime() - send;
        } catch (StatusRuntimeException e) {
          long failures;
          synchronized (lock) {
            failures = ++predictFailures;
          }
          if (failures == 1 || failures % 100 == 0) {
            log.warn("shadow policy call failed ({} so far): {}", failures, e.getStatus());
          }
        }
      }
      if (reply != null
          && !estoppedNow
          && modeNow == ControlMode.POLICY
          && reply.getPointsCount() > 0) {
        long elapsed = clock.nanoTime() - send;
        send(
            JointCommand.newBuilder()
                .setRobotId(robotId)
                .setChunk(
                    reply.toBuilder()
                        .setValidForNanos(Math.max(0, reply.getValidForNanos() - elapsed)))
                .setSendTimeNanos(clock.nanoTime())
                .build());
      }

      double[] policyNext =
          reply != null && reply.getPointsCount() > 0 ? positions(reply.getPoints(0)) : null;
      int policyMark =
          reply != null && reply.getTracesCount() > 0 ? reply.getTraces(0).getMarkId() : -1;
      List<Mark> chunkMarks =
          reply == null ? List.of() : ProtoMapping.marksFromProto(reply.getMarksList());
      List<Trace> chunkTraces =
          reply == null ? List.of() : ProtoMapping.tracesFromProto(reply.getTracesList());

      synchronized (lock) {
        if (closed) {
          return;
        }
        applySnapshotLocked(snap);
        PixelPoint effector = null;
        int effectorId = reply == null ? 0 : reply.getEffectorMarkId();
        for (Mark m : chunkMarks) {
          if (effectorId > 0 && m.id() == effectorId) {
            effector = m.centroid();
          }
        }
        effectorTrail.addLast(effector == null ? new PixelPoint(Double.NaN, Double.NaN) : effector);
        while (effectorTrail.size() > EFFECTOR_LAG_TICKS + 1) {
          effectorTrail.removeFirst();
        }
        if (reply != null) {
          marks = chunkMarks;
          traces = chunkTraces;
          List<Integer> tokens = new ArrayList<>(reply.getLatentTokensCount());
          tokens.addAll(reply.getLatentTokensList());
          latentTokens = tokens;
          groundedMarkId = policyMark;
          Map<String, Double> stages = new LinkedHashMap<>();
          for (StageTiming st : reply.getStageTimingsList()) {
            stages.put(st.getStage(), st.getDurationNanos() / 1e6);
          }
          stages.put("roundtrip", roundTripNanos / 1e6);
          stageMillis = stages;
        }
        boolean personDrove = modeNow == ControlMode.TELEOP && !estoppedNow && jog != null;
        if (personDrove && policyNext != null && policyNext.length == q.length) {
          int personMark = personHeadingMark(effectorId, chunkMarks);
          agreement.add(
              new AgreementTracker.Tick(now, q, teleopNext, policyNext, policyMark, personMark));
        }
        history.addLast(
            new CommandSample(
                (now - episodeStartNanos) / 1_000_000L,
                list(teleopNext),
                list(policyNext != null && policyNext.length == q.length ? policyNext : q),
                list(snap.commandedRad()),
                modeNow));
        while (history.size() > HISTORY) {
          history.removeFirst();
        }
      }
    } finally {
      tickLock.unlock();
    }
  }

  /**
   * The mark the person's motion heads for (in the chunk's numbering), from the effector mark's
   * image motion over the last ticks; -1 when undefined. Guarded by lock.
   */
  private int personHeadingMark(int effectorMarkId, List<Mark> chunkMarks) {
    // From: the oldest tick of the trail where the effector was found, at least 2 ticks back.
    List<PixelPoint> trail = new ArrayList<>(effectorTrail);
    PixelPoint to = trail.isEmpty() ? null : trail.get(trail.size() - 1);
    PixelPoint from = null;
    for (int i = 0; i + 2 < trail.size() && from == null; i++) {
      if (!Double.isNaN(trail.get(i).xPx())) {
        from = trail.get(i);
      }
    }
    if (from == null || to == null || Double.isNaN(to.xPx())) {
      return -1;
    }
    double minMotion = Math.max(1.0, 0.01 * inputPx);
    int id = AgreementTracker.headingMark(from, to, chunkMarks, effectorMarkId, minMotion);
    return id < 1 ? -1 : id;
  }

  private void send(JointCommand command) {
    synchronized (commandLock) {
      StreamObserver<JointCommand> c = commands;
      if (c != null) {
        c.onNext(command);
      }
    }
  }

  /** {@code q + v * k * spacing}, clamped inside the limits (minus the jog margin). */
  private double[] jogTarget(double[] q, double[] v, int k) {
    double[] p = new double[q.length];
    double t = k * JOG_POINT_NANOS / 1e9;
    for (int j = 0; j < q.length; j++) {
      p[j] = Math.max(jogLo[j], Math.min(jogHi[j], q[j] + v[j] * t));
    }
    return p;
  }

  /** The person's chunk from the measured position: {@link #JOG_POINTS} points, 100 ms apart. */
  private JointCommand personChunk(double[] q, double[] v) {
    ActionChunk.Builder c =
        ActionChunk.newBuilder()
            .addAllJointNames(robot.jointNames())
            .setValidForNanos((JOG_POINTS + 1) * JOG_POINT_NANOS)
            .setModelVersion("teleop");
    for (int k = 1; k <= JOG_POINTS; k++) {
      ActionPoint.Builder p = ActionPoint.newBuilder().setTimeFromStartNanos(k * JOG_POINT_NANOS);
      for (double x : jogTarget(q, v, k)) {
        p.addPositionsRad(x);
      }
      c.addPoints(p);
    }
    return JointCommand.newBuilder()
        .setRobotId(robotId)
        .setChunk(c)
        .setSendTimeNanos(clock.nanoTime())
        .build();
  }

  private static double[] positions(ActionPoint p) {
    double[] q = new double[p.getPositionsRadCount()];
    for (int i = 0; i < q.length; i++) {
      q[i] = p.getPositionsRad(i);
    }
    return q;
  }

  static List<Double> list(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  TeleopState state() {
    requireStarted();
    long now = clock.nanoTime();
    String recordingName = arm.recordingName();
    synchronized (lock) {
      JointStateMsg a = latestArm;
      List<Double> joints;
      if (a != null && a.getJointState().getPositionsRadCount() == robot.jointCount()) {
        joints = a.getJointState().getPositionsRadList();
      } else if (positionsRad != null) {
        joints = list(positionsRad);
      } else {
        joints = Collections.nCopies(robot.jointCount(), Double.NaN);
      }
      boolean stationKeeping = stationRad != null && mode == ControlMode.TELEOP && !estopped;
      return new TeleopState(
          frameSeq,
          instruction,
          family,
          seed,
          (now - episodeStartNanos) / 1_000_000L,
          done,
          success,
          mode,
          estopped,
          a == null || a.getHolding() || stationKeeping,
          !recordingName.isEmpty(),
          recordingName,
          robot.jointNames(),
          joints,
          latentTokens,
          groundedMarkId,
          stageMillis,
          a == null ? 0 : a.getInterventions(),
          new ArrayList<>(history),
          agreement.episode(),
          agreement.rolling(now));
    }
  }

  byte[] framePng() {
    requireStarted();
    long seq;
    Frame input;
    Frame frame;
    List<Mark> m;
    List<Trace> t;
    synchronized (lock) {
      seq = frameSeq;
      input = inputFrame;
      frame = displayFrame;
      m = marks;
      t = traces;
    }
    synchronized (pngLock) {
      if (seq != pngSeq) {
        if (frame == null) {
          // No camera frame yet: a black one of the policy's size.
          png = markRenderer.png(Frame.wrapRgb(inputPx, inputPx, new byte[inputPx * inputPx * 3]));
        } else {
          double sx = (double) frame.widthPx() / input.widthPx();
          double sy = (double) frame.heightPx() / input.heightPx();
          png =
              markRenderer.png(
                  markRenderer.draw(frame, scaleMarks(m, sx, sy), scaleTraces(t, sx, sy)));
        }
        pngSeq = seq;
      }
      return png.clone();
    }
  }

  private static List<Mark> scaleMarks(List<Mark> marks, double sx, double sy) {
    if (sx == 1.0 && sy == 1.0) {
      return marks;
    }
    List<Mark> out = new ArrayList<>(marks.size());
    for (Mark m : marks) {
      PixelBox b = m.box();
      out.add(
          new Mark(
              m.id(),
              scale(m.centroid(), sx, sy),
              new PixelBox(b.xPx() * sx, b.yPx() * sy, b.widthPx() * sx, b.heightPx() * sy),
              m.areaPx() * sx * sy,
              m.meanRgb()));
    }
    return out;
  }

  private static List<Trace> scaleTraces(List<Trace> traces, double sx, double sy) {
    if (sx == 1.0 && sy == 1.0) {
      return traces;
    }
    List<Trace> out = new ArrayList<>(traces.size());
    for (Trace t : traces) {
      out.add(new Trace(t.markId(), t.points().stream().map(p -> scale(p, sx, sy)).toList()));
    }
    return out;
  }

  private static PixelPoint scale(PixelPoint p, double sx, double sy) {
    // Pixel centres: x_display + 0.5 = (x_input + 0.5) * s.
    return new PixelPoint((p.xPx() + 0.5) * sx - 0.5, (p.yPx() + 0.5) * sy - 0.5);
  }

  boolean jog(List<Double> velocitiesRadPerS, long holdMillis, Principal by) {
    Objects.requireNonNull(velocitiesRadPerS, "velocitiesRadPerS");
    Objects.requireNonNull(by, "by");
    if (velocitiesRadPerS.size() != robot.jointCount()) {
      throw new IllegalArgumentException(
          "expected "
              + robot.jointCount()
              + " joint velocities "
              + robot.jointNames()
              + ", got "
              + velocitiesRadPerS.size());
    }
    double[] v = new double[velocitiesRadPerS.size()];
    for (int j = 0; j < v.length; j++) {
      Double x = velocitiesRadPerS.get(j);
      if (x == null || !Double.isFinite(x)) {
        throw new IllegalArgumentException(
            "joint velocity " + robot.jointNames().get(j) + " must be finite, got " + x);
      }
      v[j] = Math.max(-vMax[j], Math.min(vMax[j], x));
    }
    if (holdMillis < 0) {
      throw new IllegalArgumentException("holdMillis must be >= 0, got " + holdMillis);
    }
    requireStarted();
    AuditEvent started = null;
    synchronized (lock) {
      if (mode != ControlMode.TELEOP || estopped) {
        return false;
      }
      boolean moving = Arrays.stream(v).anyMatch(x -> x != 0);
      long now = clock.nanoTime();
      jogVelocities = moving ? v : null;
      jogUntilNanos = now + Math.min(holdMillis, MAX_HOLD_MILLIS) * 1_000_000L;
      if (moving) {
        boolean idle = driver != null && now - driverUntilNanos >= DRIVER_IDLE_NANOS;
        if (driver == null || idle || !driver.equals(by.name())) {
          String previous = idle ? "idle" : driver != null ? "person '" + driver + "'" : source;
          started =
              AuditEvent.of(AuditEvent.COMMAND_SOURCE)
                  .principal(by)
                  .robot(robotId)
                  .detail("a person drives the arm (jog), after: " + previous)
                  .field("via", VIA)
                  .field("previous", previous)
                  .field("episode", episodeId);
          driver = by.name();
        }
        driverUntilNanos = jogUntilNanos;
      }
    }
    if (started != null) {
      audit.record(started);
    }
    return true;
  }

  void setMode(ControlMode newMode, Principal by) {
    Objects.requireNonNull(newMode, "mode");
    Objects.requireNonNull(by, "by");
    requireStarted();
    ControlMode old;
    synchronized (lock) {
      if (newMode == mode) {
        return;
      }
      old = mode;
      log.info("control: {} -> {} by {}", mode, newMode, by.name());
      mode = newMode;
      clearJogLocked();
      brakeTicks = newMode == ControlMode.TELEOP ? BRAKE_TICKS : 0;
      sourceLocked(newMode == ControlMode.POLICY ? "policy" : "idle");
    }
    audit.record(
        AuditEvent.of(AuditEvent.TAKEOVER)
            .principal(by)
            .robot(robotId)
            .detail(
                newMode == ControlMode.POLICY
                    ? "hand to policy: the policy drives the arm"
                    : "take over: the person drives the arm (holding until a jog)")
            .field("via", VIA)
            .field("from", old.name())
            .field("to", newMode.name()));
  }

  void estop(String reason, Principal by) {
    Objects.requireNonNull(by, "by");
    requireStarted();
    synchronized (lock) {
      estopped = true;
      armLatchSeen = false;
      clearJogLocked();
      sourceLocked("e-stop");
    }
    String why = reason == null || reason.isBlank() ? "teleop e-stop" : reason;
    AuditEvent event =
        AuditEvent.of(AuditEvent.ESTOP).principal(by).robot(robotId).detail(why).field("via", VIA);
    ArmStatus s;
    try {
      s =
          armBlocking
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .eStop(EStopRequest.newBuilder().setRobotId(robotId).setReason(why).build());
    } catch (StatusRuntimeException e) {
      // Latched here (no jogs) but not confirmed by the arm: recorded as such, and the caller hears
      // of it.
      audit.record(event.field("arm_error", e.getStatus().getCode().name()));
      throw e;
    }
    audit.record(event.field("arm_estopped", s.getEstopped()));
    log.info("e-stop latched by {} (arm says estopped={})", by.name(), s.getEstopped());
  }

  void reset(Principal by) {
    Objects.requireNonNull(by, "by");
    requireStarted();
    armBlocking
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .reset(ResetRequest.newBuilder().setRobotId(robotId).build());
    synchronized (lock) {
      estopped = false;
      awaitingArmClear = true;
      resetNanos = clock.nanoTime();
      clearJogLocked();
      sourceLocked("idle");
    }
    audit.record(
        AuditEvent.of(AuditEvent.RESET)
            .principal(by)
            .robot(robotId)
            .detail("e-stop cleared")
            .field("via", VIA));
    log.info("e-stop reset by {}", by.name());
  }

  /**
   * Writes {@code event} for this loop's robot to the audit log (recordings: the session calls it).
   */
  void audit(AuditEvent event) {
    audit.record(event.robot(robotId).field("via", VIA));
  }

  /**
   * A new episode: {@code resetArm} runs first (under the tick lock, so no tick straddles it), then
   * the bookkeeping starts over and the first frame is taken.
   */
  void newEpisode(String newFamily, long newSeed, Runnable resetArm) {
    requireStarted();
    tickLock.lock();
    try {
      resetArm.run();
      synchronized (lock) {
        family = newFamily;
        seed = newSeed;
        beginEpisodeLocked();
        sourceLocked("idle");
      }
      takeFirstFrame();
    } finally {
      tickLock.unlock();
    }
  }

  /**
   * Marks the session closed and stops the control ticks; false when it was already closed or never
   * started (then there is nothing else to close).
   */
  boolean stopTicks() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      if (!started) {
        return false;
      }
    }
    if (ticker != null) {
      ticker.shutdownNow();
      try {
        ticker.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  /** Ends the command stream (the arm holds: its watchdog, or the bridge on the stream's end). */
  void closeStream() {
    synchronized (commandLock) {
      if (commands != null) {
        try {
          commands.onCompleted();
        } catch (RuntimeException e) {
          log.debug("closing the arm stream: {}", e.toString());
        }
        commands = null;
      }
    }
  }
}
