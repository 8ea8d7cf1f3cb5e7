package mantis.server.teleop;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.Trace;
import mantis.core.safety.SafetyFilter;
import mantis.marks.MarkRenderer;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.proto.v1.ResetRequest;
import mantis.proto.v1.StageTiming;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.client.FrameFormat;
import mantis.sim.client.Wire;
import mantis.sim.grpc.SimArmService;
import mantis.sim.record.EpisodeMetadata;
import mantis.sim.record.EpisodeReader;
import mantis.sim.record.EpisodeRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teleop on the simulated arm: a {@link TabletopSim} behind an in-process {@link SimArmService}
 * (its safety filter, watchdog and e-stop), and a shadow policy reached over {@code PolicyService}.
 *
 * <p>Every control tick (10 Hz by default): render the frame; in {@link ControlMode#TELEOP} send the
 * person's chunk to the arm at once (current measured position plus the jog velocity for five points
 * 100 ms apart; after a jog ends or control comes back from the policy, a few hold-at-current chunks
 * brake the arm; otherwise nothing is sent and the arm's watchdog holds it); ask the policy ({@code
 * Predict} with a deadline, and {@code Annotate} for the effector's mark) on the same frame, always;
 * in {@link ControlMode#POLICY} send the policy's chunk. A switch only changes whose chunk is sent:
 * the arm's safety filter starts every chunk from the measured state within the velocity and
 * acceleration limits, so control changes hands without a jump. See {@code docs/TELEOP.md}.
 *
 * <p>Constructors start nothing; {@link #start()} starts the arm and the control thread, {@link
 * #close()} stops them. Thread-safe.
 */
public final class SimTeleop implements Teleop {
  private static final Logger log = LoggerFactory.getLogger(SimTeleop.class);

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
  /** The arm's watchdog: commands come every tick, or on purpose not at all. */
  static final long ARM_WATCHDOG_NANOS = 300_000_000L;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final String ROBOT_ID = "teleop";

  private final Channel policyChannel;
  private final RobotSpec robot;
  private final Path recordingsDir;
  private final int controlHz;
  private final MonotonicClock clock;
  private final Clock wallClock;
  private final int inputPx;
  private final int displayPx;
  private final SimConfig simConfig;
  private final Duration predictTimeout;
  private final double[] jogLo;
  private final double[] jogHi;
  private final double[] vMax;
  private final MarkRenderer markRenderer = new MarkRenderer();

  /** Held for a whole tick, and by {@link #newEpisode}: a tick never straddles two episodes. */
  private final ReentrantLock tickLock = new ReentrantLock();
  private final Object lock = new Object();
  private final Object pngLock = new Object();
  private final Object commandLock = new Object();
  /** Serialises starting and stopping recordings. */
  private final Object recLock = new Object();

  private TabletopSim sim;
  private SimArmService arm;
  private Server armServer;
  private ManagedChannel armChannel;
  private ArmServiceGrpc.ArmServiceBlockingStub armBlocking;
  private StreamObserver<JointCommand> commands;
  private PolicyServiceGrpc.PolicyServiceBlockingStub policy;
  private ScheduledExecutorService ticker;
  private volatile JointStateMsg latestArm;
  /** Written under the sim's lock; read by the physics thread. */
  private volatile EpisodeRecorder recorder;
  private volatile Path recordingDir;

  // Guarded by lock.
  private boolean started;
  private boolean closed;
  private ControlMode mode = ControlMode.TELEOP;
  private boolean estopped;
  private double[] jogVelocities;
  private long jogUntilNanos;
  private boolean wasJogging;
  private int brakeTicks;
  private String instruction = "";
  private TaskFamily family;
  private long seed;
  private long episodeStartNanos;
  private long episodeCount;
  private String episodeId = "";
  private long step;
  private boolean done;
  private boolean success;
  private double[] positionsRad;
  private long frameSeq;
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

  // Guarded by pngLock.
  private long pngSeq = -1;
  private byte[] png;

  private SimTeleop(Builder b) {
    this.policyChannel = b.policyChannel;
    this.robot = b.robot;
    this.recordingsDir = b.recordingsDir;
    this.controlHz = b.controlHz;
    this.clock = b.clock;
    this.wallClock = b.wallClock;
    this.inputPx = b.inputPx;
    this.displayPx = b.displayPx;
    this.simConfig = b.simConfig;
    this.predictTimeout = b.predictTimeout;
    this.family = b.family;
    this.seed = b.seed;
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

  /** A builder; {@link Builder#setPolicyChannel} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the simulated arm (physics at the sim's rate, in real time) on the first episode, and the
   * control ticks.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      started = true;
    }
    sim = TabletopSim.create(simConfig);
    sim.reset(seed, family);
    arm = SimArmService.builder()
        .setSim(sim)
        .optRobotId(ROBOT_ID)
        .optClock(clock)
        .optSafetyFilter(SafetyFilter.builder().setRobot(robot).optClock(clock).build())
        .optWatchdogTimeoutNanos(ARM_WATCHDOG_NANOS)
        .optStepListener(this::beforePhysicsStep)
        .build();
    String name = InProcessServerBuilder.generateName();
    try {
      armServer = InProcessServerBuilder.forName(name).addService(arm).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the in-process arm", e);
    }
    armChannel = InProcessChannelBuilder.forName(name).build();
    armBlocking = ArmServiceGrpc.newBlockingStub(armChannel);
    policy = PolicyServiceGrpc.newBlockingStub(policyChannel);
    commands = ArmServiceGrpc.newStub(armChannel).streamCommands(new StreamObserver<>() {
      @Override
      public void onNext(JointStateMsg value) {
        latestArm = value;
      }

      @Override
      public void onError(Throwable t) {
        log.warn("arm state stream ended: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        log.debug("arm state stream completed");
      }
    });
    arm.start();
    synchronized (lock) {
      beginEpisodeLocked();
    }
    renderInitialFrame();
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mantis-teleop");
      t.setDaemon(true);
      return t;
    });
    long period = Math.round(1e9 / controlHz);
    ticker.scheduleAtFixedRate(this::tickSafely, period, period, TimeUnit.NANOSECONDS);
    log.info("teleop started: {} seed {}, control at {} Hz, frames {} px, recordings in {}", family, seed,
        controlHz, inputPx, recordingsDir.toAbsolutePath());
  }

  private void requireStarted() {
    synchronized (lock) {
      if (!started) {
        throw new IllegalStateException("call start() first");
      }
      if (closed) {
        throw new IllegalStateException("teleop closed");
      }
    }
  }

  /** Under lock: bookkeeping for the sim's current (new) episode. */
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
    jogVelocities = null;
    wasJogging = false;
    brakeTicks = 0;
    done = false;
    success = false;
  }

  private void renderInitialFrame() {
    Snapshot s = arm.withSim(this::snapshot);
    synchronized (lock) {
      applySnapshotLocked(s);
    }
  }

  /** What one tick reads from the sim, under its lock. */
  private record Snapshot(Frame input, Frame display, JointState joints, double[] commandedRad, boolean success,
      boolean done, String instruction) {}

  private Snapshot snapshot(TabletopSim s) {
    Frame input = s.render(inputPx, inputPx);
    Frame display = displayPx == inputPx ? input : s.render(displayPx, displayPx);
    return new Snapshot(input, display, s.jointState(), s.lastAction(), s.success(), s.done(), s.instruction());
  }

  private void applySnapshotLocked(Snapshot s) {
    frameSeq++;
    displayFrame = s.display();
    positionsRad = s.joints().positionsRad();
    success = s.success();
    done = s.done();
    instruction = s.instruction();
  }

  /** Physics thread, under the sim's lock: records the step when a recording is running. */
  private void beforePhysicsStep(TabletopSim s, double[] targetsRad) {
    EpisodeRecorder r = recorder;
    if (r != null) {
      r.record(targetsRad);
    }
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
      Snapshot snap = arm.withSim(this::snapshot);
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
            personCommand = personChunk(q, jog);
          } else if (brakeTicks > 0) {
            brakeTicks--;
            personCommand = personChunk(q, new double[q.length]);
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
      JointState stamped = new JointState(snap.joints().names(), q, snap.joints().velocitiesRadPerS(), now);
      Observation obs = Observation.newBuilder()
          .setRobotId(ROBOT_ID)
          .setEpisodeId(obsEpisode)
          .setStep(obsStep)
          .addFrames(Wire.frame(snap.input(), FrameFormat.RAW_RGB8))
          .setInstruction(snap.instruction())
          .setJointState(Wire.jointState(stamped))
          .setCaptureTimeNanos(now)
          .setSendTimeNanos(send)
          .build();
      ActionChunk reply = null;
      Annotation annotation = null;
      long roundTripNanos = 0;
      try {
        reply = policy.withDeadlineAfter(predictTimeout.toNanos(), TimeUnit.NANOSECONDS).predict(obs);
        roundTripNanos = clock.nanoTime() - send;
        annotation = policy.withDeadlineAfter(predictTimeout.toNanos(), TimeUnit.NANOSECONDS).annotate(obs);
      } catch (StatusRuntimeException e) {
        long failures;
        synchronized (lock) {
          failures = ++predictFailures;
        }
        if (failures == 1 || failures % 100 == 0) {
          log.warn("shadow policy call failed ({} so far): {}", failures, e.getStatus());
        }
      }
      if (reply != null && !estoppedNow && modeNow == ControlMode.POLICY && reply.getPointsCount() > 0) {
        long elapsed = clock.nanoTime() - send;
        send(JointCommand.newBuilder()
            .setRobotId(ROBOT_ID)
            .setChunk(reply.toBuilder().setValidForNanos(Math.max(0, reply.getValidForNanos() - elapsed)))
            .setSendTimeNanos(clock.nanoTime())
            .build());
      }

      double[] policyNext = reply != null && reply.getPointsCount() > 0 ? positions(reply.getPoints(0)) : null;
      int policyMark = reply != null && reply.getTracesCount() > 0 ? reply.getTraces(0).getMarkId() : -1;
      List<Mark> chunkMarks = reply == null ? List.of() : marks(reply.getMarksList());
      List<Trace> chunkTraces = reply == null ? List.of() : traces(reply.getTracesList());

      synchronized (lock) {
        if (closed) {
          return;
        }
        applySnapshotLocked(snap);
        PixelPoint effector = null;
        if (annotation != null && annotation.getEffectorMarkId() > 0) {
          for (mantis.proto.v1.Mark m : annotation.getMarksList()) {
            if (m.getId() == annotation.getEffectorMarkId()) {
              effector = new PixelPoint(m.getCentroid().getXPx(), m.getCentroid().getYPx());
            }
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
          int personMark = annotation == null ? -1 : personHeadingMark(annotation, chunkMarks);
          agreement.add(new AgreementTracker.Tick(now, q, teleopNext, policyNext, policyMark, personMark));
        }
        history.addLast(new CommandSample((now - episodeStartNanos) / 1_000_000L, list(teleopNext),
            list(policyNext != null && policyNext.length == q.length ? policyNext : q), list(snap.commandedRad()),
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
  private int personHeadingMark(Annotation annotation, List<Mark> chunkMarks) {
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
    List<Mark> annotated = marks(annotation.getMarksList());
    double minMotion = Math.max(1.0, 0.01 * inputPx);
    int id = AgreementTracker.headingMark(from, to, annotated, annotation.getEffectorMarkId(), minMotion);
    if (id < 1) {
      return -1;
    }
    PixelPoint c = annotated.stream().filter(m -> m.id() == id).findFirst().orElseThrow().centroid();
    Mark nearest = null;
    double best = 2.0;
    for (Mark m : chunkMarks) {
      double d = Math.hypot(m.centroid().xPx() - c.xPx(), m.centroid().yPx() - c.yPx());
      if (d <= best) {
        best = d;
        nearest = m;
      }
    }
    return nearest == null ? -1 : nearest.id();
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
    ActionChunk.Builder c = ActionChunk.newBuilder()
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
    return JointCommand.newBuilder().setRobotId(ROBOT_ID).setChunk(c).setSendTimeNanos(clock.nanoTime()).build();
  }

  private static double[] positions(ActionPoint p) {
    double[] q = new double[p.getPositionsRadCount()];
    for (int i = 0; i < q.length; i++) {
      q[i] = p.getPositionsRad(i);
    }
    return q;
  }

  private static List<Double> list(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  private static List<Mark> marks(List<mantis.proto.v1.Mark> wire) {
    List<Mark> out = new ArrayList<>(wire.size());
    for (mantis.proto.v1.Mark m : wire) {
      if (m.getId() >= 1 && m.getBox().getWidthPx() >= 0 && m.getBox().getHeightPx() >= 0) {
        out.add(new Mark(m.getId(), new PixelPoint(m.getCentroid().getXPx(), m.getCentroid().getYPx()),
            new PixelBox(m.getBox().getXPx(), m.getBox().getYPx(), m.getBox().getWidthPx(), m.getBox().getHeightPx()),
            m.getAreaPx(), m.getMeanRgb()));
      }
    }
    return out;
  }

  private static List<Trace> traces(List<mantis.proto.v1.Trace> wire) {
    List<Trace> out = new ArrayList<>(wire.size());
    for (mantis.proto.v1.Trace t : wire) {
      List<PixelPoint> pts = new ArrayList<>(t.getPointsCount());
      for (mantis.proto.v1.PixelPoint p : t.getPointsList()) {
        pts.add(new PixelPoint(p.getXPx(), p.getYPx()));
      }
      out.add(new Trace(t.getMarkId(), pts));
    }
    return out;
  }

  @Override
  public TeleopState state() {
    requireStarted();
    JointStateMsg a = latestArm;
    long now = clock.nanoTime();
    synchronized (lock) {
      List<Double> joints = a != null && a.getJointState().getPositionsRadCount() == robot.jointCount()
          ? a.getJointState().getPositionsRadList()
          : list(positionsRad);
      EpisodeRecorder r = recorder;
      return new TeleopState(frameSeq, instruction, family.name(), seed, (now - episodeStartNanos) / 1_000_000L,
          done, success, mode, estopped, a == null || a.getHolding(), r != null,
          r != null ? recordingDir.getFileName().toString() : "", robot.jointNames(), joints, latentTokens,
          groundedMarkId, stageMillis, a == null ? 0 : a.getInterventions(), new ArrayList<>(history),
          agreement.episode(), agreement.rolling(now));
    }
  }

  @Override
  public byte[] framePng() {
    requireStarted();
    long seq;
    Frame frame;
    List<Mark> m;
    List<Trace> t;
    synchronized (lock) {
      seq = frameSeq;
      frame = displayFrame;
      m = marks;
      t = traces;
    }
    synchronized (pngLock) {
      if (seq != pngSeq) {
        double scale = (double) displayPx / inputPx;
        png = markRenderer.png(markRenderer.draw(frame, scaleMarks(m, scale), scaleTraces(t, scale)));
        pngSeq = seq;
      }
      return png.clone();
    }
  }

  private static List<Mark> scaleMarks(List<Mark> marks, double s) {
    if (s == 1.0) {
      return marks;
    }
    List<Mark> out = new ArrayList<>(marks.size());
    for (Mark m : marks) {
      PixelBox b = m.box();
      out.add(new Mark(m.id(), scale(m.centroid(), s),
          new PixelBox(b.xPx() * s, b.yPx() * s, b.widthPx() * s, b.heightPx() * s), m.areaPx() * s * s, m.meanRgb()));
    }
    return out;
  }

  private static List<Trace> scaleTraces(List<Trace> traces, double s) {
    if (s == 1.0) {
      return traces;
    }
    List<Trace> out = new ArrayList<>(traces.size());
    for (Trace t : traces) {
      out.add(new Trace(t.markId(), t.points().stream().map(p -> scale(p, s)).toList()));
    }
    return out;
  }

  private static PixelPoint scale(PixelPoint p, double s) {
    // Pixel centres: x_display + 0.5 = (x_input + 0.5) * s.
    return new PixelPoint((p.xPx() + 0.5) * s - 0.5, (p.yPx() + 0.5) * s - 0.5);
  }

  @Override
  public boolean jog(List<Double> velocitiesRadPerS, long holdMillis) {
    Objects.requireNonNull(velocitiesRadPerS, "velocitiesRadPerS");
    if (velocitiesRadPerS.size() != robot.jointCount()) {
      throw new IllegalArgumentException("expected " + robot.jointCount() + " joint velocities "
          + robot.jointNames() + ", got " + velocitiesRadPerS.size());
    }
    double[] v = new double[velocitiesRadPerS.size()];
    for (int j = 0; j < v.length; j++) {
      Double x = velocitiesRadPerS.get(j);
      if (x == null || !Double.isFinite(x)) {
        throw new IllegalArgumentException("joint velocity " + robot.jointNames().get(j) + " must be finite, got " + x);
      }
      v[j] = Math.max(-vMax[j], Math.min(vMax[j], x));
    }
    if (holdMillis < 0) {
      throw new IllegalArgumentException("holdMillis must be >= 0, got " + holdMillis);
    }
    requireStarted();
    synchronized (lock) {
      if (mode != ControlMode.TELEOP || estopped) {
        return false;
      }
      boolean moving = Arrays.stream(v).anyMatch(x -> x != 0);
      jogVelocities = moving ? v : null;
      jogUntilNanos = clock.nanoTime() + Math.min(holdMillis, MAX_HOLD_MILLIS) * 1_000_000L;
      return true;
    }
  }

  @Override
  public void setMode(ControlMode newMode) {
    Objects.requireNonNull(newMode, "mode");
    requireStarted();
    synchronized (lock) {
      if (newMode == mode) {
        return;
      }
      log.info("control: {} -> {}", mode, newMode);
      mode = newMode;
      jogVelocities = null;
      wasJogging = false;
      brakeTicks = newMode == ControlMode.TELEOP ? BRAKE_TICKS : 0;
    }
  }

  @Override
  public void estop(String reason) {
    requireStarted();
    synchronized (lock) {
      estopped = true;
      jogVelocities = null;
      wasJogging = false;
      brakeTicks = 0;
    }
    armBlocking.withDeadlineAfter(5, TimeUnit.SECONDS).eStop(EStopRequest.newBuilder().setRobotId(ROBOT_ID)
        .setReason(reason == null || reason.isBlank() ? "teleop e-stop" : reason).build());
  }

  @Override
  public void reset() {
    requireStarted();
    armBlocking.withDeadlineAfter(5, TimeUnit.SECONDS).reset(ResetRequest.newBuilder().setRobotId(ROBOT_ID).build());
    synchronized (lock) {
      estopped = false;
      jogVelocities = null;
      wasJogging = false;
      brakeTicks = 0;
    }
  }

  @Override
  public void newEpisode(TaskFamily newFamily, long newSeed) {
    Objects.requireNonNull(newFamily, "family");
    requireStarted();
    tickLock.lock();
    try {
      if (recorder != null) {
        stopRecording();
      }
      arm.resetEpisode(newSeed, newFamily);
      synchronized (lock) {
        family = newFamily;
        seed = newSeed;
        beginEpisodeLocked();
      }
      renderInitialFrame();
      log.info("new teleop episode: {} seed {}", newFamily, newSeed);
    } finally {
      tickLock.unlock();
    }
  }

  @Override
  public String startRecording() {
    requireStarted();
    synchronized (recLock) {
      EpisodeRecorder current = recorder;
      if (current != null) {
        return recordingDir.getFileName().toString();
      }
      try {
        Files.createDirectories(recordingsDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the recordings directory " + recordingsDir, e);
      }
      long s;
      synchronized (lock) {
        s = seed;
      }
      String base = "teleop-" + STAMP.format(wallClock.instant()) + "-" + s;
      Path dir = recordingsDir.resolve(base);
      for (int k = 2; Files.exists(dir); k++) {
        dir = recordingsDir.resolve(base + "-" + k);
      }
      int stepEvery = Math.max(1, (int) Math.round((double) simConfig.physicsHz() / controlHz));
      EpisodeRecorder r = EpisodeRecorder.builder().setDirectory(dir).setSim(sim).optFrameSize(inputPx, inputPx)
          .optStepEvery(stepEvery).build();
      Path finalDir = dir;
      arm.withSim(x -> {
        r.start();
        recordingDir = finalDir;
        recorder = r;
        return null;
      });
      log.info("recording teleop episode to {}", dir);
      return dir.getFileName().toString();
    }
  }

  @Override
  public RecordingInfo stopRecording() {
    requireStarted();
    synchronized (recLock) {
      EpisodeRecorder r = recorder;
      if (r == null) {
        throw new IllegalStateException("no recording in progress");
      }
      Path dir = recordingDir;
      arm.withSim(x -> {
        recorder = null;
        r.close();
        return null;
      });
      log.info("recording finished: {}", dir);
      return info(dir).orElseThrow(() -> new IllegalStateException("recording " + dir + " cannot be read back"));
    }
  }

  @Override
  public List<RecordingInfo> recordings() {
    if (!Files.isDirectory(recordingsDir)) {
      return List.of();
    }
    EpisodeRecorder r = recorder;
    Path inProgress = r == null ? null : r.directory();
    List<Path> dirs;
    try (Stream<Path> s = Files.list(recordingsDir)) {
      dirs = s.filter(p -> Files.isRegularFile(p.resolve("episode.json")))
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> !p.equals(inProgress))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + recordingsDir, e);
    }
    List<Path> sorted = new ArrayList<>(dirs);
    sorted.sort(Comparator.comparing(SimTeleop::modified).reversed()
        .thenComparing(p -> p.getFileName().toString(), Comparator.reverseOrder()));
    List<RecordingInfo> out = new ArrayList<>();
    for (Path p : sorted) {
      info(p).ifPresent(out::add);
    }
    return out;
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p.resolve("episode.json")).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** A recording's summary, or empty when its episode.json cannot be read. */
  static java.util.Optional<RecordingInfo> info(Path dir) {
    EpisodeMetadata m;
    try {
      m = EpisodeReader.open(dir).metadata();
    } catch (RuntimeException e) {
      log.debug("skipping {}: {}", dir, e.toString());
      return java.util.Optional.empty();
    }
    long steps = 0;
    Path stepsFile = dir.resolve("steps.jsonl");
    long bytes = 0;
    try {
      if (Files.isRegularFile(stepsFile)) {
        byte[] all = Files.readAllBytes(stepsFile);
        for (byte b : all) {
          if (b == '\n') {
            steps++;
          }
        }
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        bytes = walk.filter(Files::isRegularFile).mapToLong(p -> {
          try {
            return Files.size(p);
          } catch (IOException e) {
            return 0;
          }
        }).sum();
      }
    } catch (IOException e) {
      log.debug("cannot size {}: {}", dir, e.toString());
    }
    return java.util.Optional.of(new RecordingInfo(dir.getFileName().toString(), steps, m.instruction(),
        m.success().orElse(false), bytes));
  }

  @Override
  public void writeRecordingZip(String name, OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new NoSuchElementException("no recording named '" + name + "'");
    }
    Path dir = recordingsDir.resolve(name);
    if (!dir.normalize().startsWith(recordingsDir.normalize()) || !Files.isRegularFile(dir.resolve("episode.json"))) {
      throw new NoSuchElementException("no recording named '" + name + "'");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    ZipOutputStream zip = new ZipOutputStream(out);
    for (Path f : files) {
      String entry = name + "/" + dir.relativize(f).toString().replace('\\', '/');
      zip.putNextEntry(new ZipEntry(entry));
      Files.copy(f, zip);
      zip.closeEntry();
    }
    zip.finish();
    zip.flush();
  }

  /** Stops the control ticks, finishes a recording in progress, stops the arm. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (!started) {
        return;
      }
    }
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (recLock) {
      EpisodeRecorder r = recorder;
      if (r != null) {
        arm.withSim(x -> {
          recorder = null;
          r.close();
          return null;
        });
      }
    }
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
    arm.close();
    armChannel.shutdownNow();
    armServer.shutdownNow();
    try {
      armChannel.awaitTermination(5, TimeUnit.SECONDS);
      armServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("teleop stopped");
  }

  /** Builds a {@link SimTeleop}; {@code set*} required (but {@link #setRobot}), {@code opt*} optional. */
  public static final class Builder {
    private Channel policyChannel;
    private RobotSpec robot = RobotSpecs.mantisPlanar3();
    private TaskFamily family = TaskFamily.REACH;
    private long seed;
    private Path recordingsDir = Path.of("recordings", "teleop");
    private int controlHz = 10;
    private MonotonicClock clock = MonotonicClock.system();
    private Clock wallClock = Clock.systemUTC();
    private int inputPx = 128;
    private int displayPx = -1;
    private SimConfig simConfig = SimConfig.builder().optMaxEpisodeSeconds(120).build();
    private Duration predictTimeout = Duration.ofSeconds(2);

    private Builder() {}

    /** Channel to the Mantis server's {@code PolicyService} (owned by the caller). Required. */
    public Builder setPolicyChannel(Channel channel) {
      this.policyChannel = channel;
      return this;
    }

    /** The arm's description (limits for jogging and for the arm's safety filter); default planar3. */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** Task family of the first episode; default REACH. */
    public Builder optFamily(TaskFamily family) {
      this.family = family;
      return this;
    }

    /** Seed of the first episode; default 0. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Where recordings go, one directory each; default {@code recordings/teleop} under the working directory. */
    public Builder optRecordingsDir(Path dir) {
      this.recordingsDir = dir;
      return this;
    }

    /** Control ticks per second (1..50); default 10. */
    public Builder optControlHz(int hz) {
      this.controlHz = hz;
      return this;
    }

    /** Monotonic clock for ticks, jog holds, validity (the arm uses it too); default the system clock. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Wall clock for recording names; default UTC system clock. */
    public Builder optWallClock(Clock wallClock) {
      this.wallClock = wallClock;
      return this;
    }

    /** Square frame size sent to the policy (the server's policy input size), pixels; default 128. */
    public Builder optInputPx(int px) {
      this.inputPx = px;
      return this;
    }

    /** Square size of the live-view frame, pixels; default twice the input size (at most 512). */
    public Builder optDisplayPx(int px) {
      this.displayPx = px;
      return this;
    }

    /** The simulator's configuration (arm embodiment); default the defaults with a 120 s time-out. */
    public Builder optSimConfig(SimConfig config) {
      this.simConfig = config;
      return this;
    }

    /** Deadline of each shadow Predict and Annotate call; default 2 s. */
    public Builder optPredictTimeout(Duration timeout) {
      this.predictTimeout = timeout;
      return this;
    }

    /**
     * Builds the session.
     *
     * @throws IllegalStateException when the policy channel is missing
     * @throws IllegalArgumentException when a setting is out of range or the robot is not the sim's arm
     */
    public SimTeleop build() {
      if (policyChannel == null) {
        throw new IllegalStateException("setPolicyChannel is required");
      }
      Objects.requireNonNull(robot, "robot");
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(recordingsDir, "recordingsDir");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(wallClock, "wallClock");
      Objects.requireNonNull(simConfig, "simConfig");
      Objects.requireNonNull(predictTimeout, "predictTimeout");
      if (!robot.jointNames().equals(RobotSpecs.mantisPlanar3().jointNames())) {
        throw new IllegalArgumentException("the simulated arm has joints " + RobotSpecs.mantisPlanar3().jointNames()
            + "; robot " + robot.name() + " has " + robot.jointNames());
      }
      if (simConfig.embodiment() != mantis.sim.Embodiment.ARM) {
        throw new IllegalArgumentException("teleop drives the ARM embodiment, not " + simConfig.embodiment());
      }
      if (controlHz < 1 || controlHz > 50) {
        throw new IllegalArgumentException("control rate must be 1..50 Hz, got " + controlHz);
      }
      if (inputPx < 16 || inputPx > 4096) {
        throw new IllegalArgumentException("input size must be 16..4096 px, got " + inputPx);
      }
      if (displayPx < 0) {
        displayPx = Math.max(inputPx, Math.min(512, 2 * inputPx));
      }
      if (displayPx < 16 || displayPx > 4096) {
        throw new IllegalArgumentException("display size must be 16..4096 px, got " + displayPx);
      }
      if (predictTimeout.isNegative() || predictTimeout.isZero()) {
        throw new IllegalArgumentException("predict timeout must be > 0");
      }
      return new SimTeleop(this);
    }
  }
}
