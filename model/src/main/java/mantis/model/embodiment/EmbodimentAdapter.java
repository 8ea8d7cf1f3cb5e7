package mantis.model.embodiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import mantis.calibration.CameraModel;
import mantis.calibration.TablePoint;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.IkResult;
import mantis.calibration.kinematics.RobotModel;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;
import mantis.core.Trace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a policy trained on one arm (the <em>source</em>, e.g. the planar 3-joint arm) drive another
 * (the <em>target</em>, e.g. the UR5e-like 6-joint arm) through the image: the embodiment-neutral
 * action path.
 *
 * <p><b>In</b>: the target arm's joint state gives its tool tip on the table (forward kinematics,
 * {@link mantis.calibration.kinematics.TableReach#tip}); the source arm's joints that put its tip
 * there (its {@code reach}, searched from the previous equivalent joints of the same episode) are
 * what the policy is shown, with velocities from the tip's velocity. Frames, instruction and marks
 * pass unchanged.
 *
 * <p><b>Out</b>: the policy's chunk carries the effector's planned Trace-of-Mark trace (the second
 * trace of a {@link mantis.model.policy.MantisPolicyModel} chunk: the effector mark now, then its
 * position one chunk period apart). Each trace point is unprojected through the camera onto the
 * plane at the effector mark's height; the tip's planned displacement (point k minus point 0 on
 * that plane) is added to the measured tip, so a mark centroid that sits off the tool's tip does
 * not bias the targets; the target arm's {@code reach} turns each point into joints (tip at {@link
 * Builder#optTipHeightM the tip height}, searched from the previous point's joints). Point k of the
 * chunk keeps the policy's time for point k. Without an effector trace (no effector mark found, or
 * fewer trace points than chunk points) the <em>fallback</em> maps the policy's own joint targets:
 * source joints -> source tip -> target reach; so does a single trace point the target arm cannot
 * reach. A point neither path can reach holds the previous point. Finally every joint is limited to
 * a fraction of the target arm's velocity and acceleration limits from the measured state and kept
 * a margin inside its position limits (the server's safety filter enforces the limits again).
 *
 * <p>The camera is the calibrated camera that sees the arm: for the simulator its nominal camera
 * {@link CameraModel#mantisDefault}, on a real robot the one from {@code mantis calibrate}. It is
 * scaled to the policy's input size (the size its traces are in). {@link #counts()} says how often
 * each path was used. The chunk's joint names are the target arm's. Thread-safe; closing it closes
 * the wrapped policy.
 */
public final class EmbodimentAdapter implements Policy {
  /**
   * Height of the effector's mark above the table on the simulator's arms (the top of its pusher),
   * metres.
   */
  public static final double DEFAULT_EFFECTOR_HEIGHT_M = 0.035;

  /** Height of the target arm's tool tip above the table, metres. */
  public static final double DEFAULT_TIP_HEIGHT_M = 0.01;

  /** Fraction of each joint's velocity and acceleration limits the targets use. */
  public static final double DEFAULT_LIMIT_FRACTION = 0.9;

  private static final Logger LOG = LoggerFactory.getLogger(EmbodimentAdapter.class);
  private static final int MAX_EPISODES = 4096;
  private static final double POSITION_MARGIN_RAD = 0.03;
  private static final double VELOCITY_PROBE_S = 0.01;

  /**
   * How often each path was used.
   *
   * @param effectorTraceChunks chunks mapped from the effector's trace
   * @param fallbackChunks chunks mapped from the policy's own joint targets (no effector trace)
   * @param unreachedPoints points neither path could reach (held at the previous point)
   * @param effectorPointsFellBack points of effector-trace chunks the target arm could not reach,
   *     mapped by the fallback instead
   */
  public record PathCounts(
      long effectorTraceChunks,
      long fallbackChunks,
      long unreachedPoints,
      long effectorPointsFellBack) {
    /** All chunks mapped. */
    public long chunks() {
      return effectorTraceChunks + fallbackChunks;
    }
  }

  private final Policy policy;
  private final RobotModel source;
  private final RobotModel target;
  private final CameraModel camera;
  private final double effectorHeightM;
  private final double tipHeightM;
  private final double limitFraction;
  private final double[] sourceHomeRad;
  private final boolean jointTargetsOnly;
  private final PolicyInfo info;
  private final MonotonicClock clock;
  private final AtomicLong effectorChunks = new AtomicLong();
  private final AtomicLong fallbackChunks = new AtomicLong();
  private final AtomicLong unreached = new AtomicLong();
  private final AtomicLong effectorPointsFellBack = new AtomicLong();
  private final Map<String, double[]> equivalent =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
          return size() > MAX_EPISODES;
        }
      };

  private EmbodimentAdapter(Builder b) {
    this.policy = b.policy;
    this.source = b.source;
    this.target = b.target;
    PolicyInfo inner = policy.info();
    int w = inner.inputWidthPx() > 0 ? inner.inputWidthPx() : b.camera.widthPx();
    int h = inner.inputHeightPx() > 0 ? inner.inputHeightPx() : b.camera.heightPx();
    this.camera = b.camera.scaledTo(w, h);
    this.effectorHeightM = b.effectorHeightM;
    this.tipHeightM = b.tipHeightM;
    this.limitFraction = b.limitFraction;
    this.sourceHomeRad = b.sourceHomeRad.clone();
    this.jointTargetsOnly = b.jointTargetsOnly;
    this.clock = b.clock;
    this.info =
        new PolicyInfo(
            inner.name(),
            inner.version() + "+" + target.name(),
            target.spec().jointNames(),
            inner.inputWidthPx(),
            inner.inputHeightPx(),
            inner.chunkLength(),
            inner.cardJson());
  }

  /** A builder; {@code setX} are required, {@code optX} optional. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public PolicyInfo info() {
    return info;
  }

  /** How often each path was used so far. */
  public PathCounts counts() {
    return new PathCounts(
        effectorChunks.get(), fallbackChunks.get(), unreached.get(), effectorPointsFellBack.get());
  }

  /** The wrapped policy's robot. */
  public RobotModel source() {
    return source;
  }

  /** The robot this adapter drives. */
  public RobotModel target() {
    return target;
  }

  /** The wrapped policy (for the source robot), which this adapter closes. */
  public Policy policy() {
    return policy;
  }

  @Override
  public ActionChunk predict(Observation observation) {
    return predict(observation, List.of());
  }

  @Override
  public ActionChunk predict(Observation observation, List<Mark> marks) {
    Objects.requireNonNull(observation, "observation");
    RobotSpec robot = target.spec();
    JointState state = observation.jointState();
    if (state.size() != robot.jointCount()) {
      throw new IllegalArgumentException(
          "joint state has "
              + state.size()
              + " joints, robot "
              + robot.name()
              + " has "
              + robot.jointCount());
    }
    if (!state.isFinite()) {
      throw new IllegalArgumentException("joint state is not finite");
    }
    long t0 = clock.nanoTime();
    double[] q0 = state.positionsRad();
    double[] v0 =
        state.velocitiesRadPerS().length == q0.length
            ? state.velocitiesRadPerS()
            : new double[q0.length];
    Vec3 tip = target.reach().tip(q0);
    // On its own arm the policy sees the arm's joints as they are: no search for equivalents.
    Observation seen = source == target ? observation : sourceEquivalent(observation, tip, q0, v0);
    long t1 = clock.nanoTime();

    ActionChunk chunk = policy.predict(seen, marks);
    long t2 = clock.nanoTime();

    List<ActionPoint> in = chunk.points();
    Optional<List<TablePoint>> path =
        jointTargetsOnly ? Optional.empty() : effectorPath(chunk, tip, in.size());
    List<double[]> desired = new ArrayList<>(in.size());
    double[] previous = q0;
    for (int k = 0; k < in.size(); k++) {
      IkResult r;
      if (path.isPresent()) {
        TablePoint p = path.get().get(k);
        r = target.reach().reach(p.xM(), p.yM(), tipHeightM, previous);
        if (!r.solved()) {
          effectorPointsFellBack.incrementAndGet();
        }
      } else {
        r = IkResult.failed("no effector trace", Double.NaN, Double.NaN, 0);
      }
      if (!r.solved()) {
        Vec3 p = source.reach().tip(in.get(k).positionsRad());
        r = target.reach().reach(p.xM(), p.yM(), tipHeightM, previous);
      }
      if (r.solved()) {
        previous = r.joints().orElseThrow();
      } else {
        unreached.incrementAndGet();
      }
      desired.add(previous);
    }
    (path.isPresent() ? effectorChunks : fallbackChunks).incrementAndGet();
    List<double[]> limited = rateLimit(q0, v0, desired, in);
    List<ActionPoint> out = new ArrayList<>(in.size());
    for (int k = 0; k < in.size(); k++) {
      out.add(new ActionPoint(limited.get(k), in.get(k).timeFromStartNanos()));
    }
    long t3 = clock.nanoTime();
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("embodiment.in", t1 - t0);
    stages.putAll(chunk.stageNanos());
    stages.put("embodiment.out", t3 - t2);
    if (LOG.isTraceEnabled()) {
      LOG.trace(
          "{} step {}: tip {} -> {} path, equivalent {} joints {}",
          observation.episodeId(),
          observation.step(),
          tip,
          path.isPresent() ? "effector-trace" : "fallback",
          source.name(),
          java.util.Arrays.toString(seen.jointState().positionsRad()));
    }
    return new ActionChunk(
        robot.jointNames(),
        out,
        chunk.validUntilNanos(),
        chunk.latentTokens(),
        chunk.marks(),
        chunk.traces(),
        info.version(),
        stages);
  }

  /**
   * The observation the policy sees: the source arm's joints (and velocities) for the target arm's
   * tip, searched from the episode's previous equivalent.
   */
  private Observation sourceEquivalent(Observation o, Vec3 tip, double[] q0, double[] v0) {
    String key = o.episodeKey();
    double[] seed;
    synchronized (equivalent) {
      double[] last = o.step() == 0 ? null : equivalent.get(key);
      seed = last != null ? last : sourceHomeRad;
    }
    double[] eq = sourceReach(tip, seed);
    double[] ahead = new double[q0.length];
    for (int j = 0; j < q0.length; j++) {
      ahead[j] = q0[j] + v0[j] * VELOCITY_PROBE_S;
    }
    double[] eqAhead = sourceReach(target.reach().tip(ahead), eq);
    double[] eqV = new double[eq.length];
    for (int j = 0; j < eq.length; j++) {
      eqV[j] = (eqAhead[j] - eq[j]) / VELOCITY_PROBE_S;
    }
    synchronized (equivalent) {
      equivalent.put(key, eq.clone());
    }
    return new Observation(
        o.robotId(),
        o.episodeId(),
        o.step(),
        o.frames(),
        o.instruction(),
        new JointState(source.spec().jointNames(), eq, eqV, o.jointState().stampNanos()),
        o.captureTimeNanos(),
        o.sendTimeNanos());
  }

  /**
   * The source arm's joints putting its tip at (x, y) of {@code tip}, or the seed when it can't.
   */
  private double[] sourceReach(Vec3 tip, double[] seed) {
    IkResult r = source.reach().reach(tip.xM(), tip.yM(), tip.zM(), seed);
    return r.solved() ? r.joints().orElseThrow() : seed.clone();
  }

  /**
   * The tip's planned table points from the chunk's effector trace (one per chunk point), or empty
   * when the chunk has no effector trace long enough or a point does not meet the plane.
   */
  private Optional<List<TablePoint>> effectorPath(ActionChunk chunk, Vec3 tip, int points) {
    if (chunk.traces().size() < 2) {
      return Optional.empty();
    }
    Trace effector = chunk.traces().get(1);
    List<PixelPoint> px = effector.points();
    if (px.size() < points + 1) {
      return Optional.empty();
    }
    Optional<TablePoint> origin = camera.pixelToTable(px.get(0), effectorHeightM);
    if (origin.isEmpty()) {
      return Optional.empty();
    }
    List<TablePoint> out = new ArrayList<>(points);
    for (int k = 1; k <= points; k++) {
      Optional<TablePoint> p = camera.pixelToTable(px.get(k), effectorHeightM);
      if (p.isEmpty()) {
        return Optional.empty();
      }
      out.add(
          new TablePoint(
              tip.xM() + p.get().xM() - origin.get().xM(),
              tip.yM() + p.get().yM() - origin.get().yM()));
    }
    return Optional.of(out);
  }

  /** Velocity and acceleration limits from the measured state, a margin inside the positions. */
  private List<double[]> rateLimit(
      double[] q0, double[] v0, List<double[]> desired, List<ActionPoint> timing) {
    RobotSpec robot = target.spec();
    int n = q0.length;
    double[] q = q0.clone();
    double[] v = v0.clone();
    long previousNanos = 0;
    List<double[]> out = new ArrayList<>(desired.size());
    for (int k = 0; k < desired.size(); k++) {
      double dt = (timing.get(k).timeFromStartNanos() - previousNanos) / 1e9;
      previousNanos = timing.get(k).timeFromStartNanos();
      double[] next = new double[n];
      for (int j = 0; j < n; j++) {
        JointLimits lim = robot.joint(j);
        double lo = lim.minPositionRad() + POSITION_MARGIN_RAD;
        double hi = lim.maxPositionRad() - POSITION_MARGIN_RAD;
        double vMax = lim.maxVelocityRadPerS() * limitFraction;
        double aMax = lim.maxAccelerationRadPerS2() * limitFraction;
        double goal = clamp(desired.get(k)[j], lo, hi);
        double want = dt > 0 ? (goal - q[j]) / dt : 0;
        double vj = clamp(clamp(want, v[j] - aMax * dt, v[j] + aMax * dt), -vMax, vMax);
        next[j] = clamp(q[j] + vj * dt, lo, hi);
        v[j] = dt > 0 ? (next[j] - q[j]) / dt : 0;
      }
      out.add(next);
      q = next;
    }
    return out;
  }

  private static double clamp(double x, double lo, double hi) {
    return x < lo ? lo : Math.min(x, hi);
  }

  @Override
  public void close() {
    PathCounts c = counts();
    if (c.chunks() > 0) {
      LOG.info(
          "{} on {}: {} chunk(s) from the effector trace, {} from the fallback, {} point(s) unreached",
          policy.info().name(),
          target.name(),
          c.effectorTraceChunks(),
          c.fallbackChunks(),
          c.unreachedPoints());
    }
    policy.close();
  }

  /** Builds an {@link EmbodimentAdapter}. */
  public static final class Builder {
    private Policy policy;
    private RobotModel source;
    private RobotModel target;
    private CameraModel camera;
    private double effectorHeightM = DEFAULT_EFFECTOR_HEIGHT_M;
    private double tipHeightM = DEFAULT_TIP_HEIGHT_M;
    private double limitFraction = DEFAULT_LIMIT_FRACTION;
    private double[] sourceHomeRad;
    private boolean jointTargetsOnly;
    private MonotonicClock clock = MonotonicClock.system();

    private Builder() {}

    /**
     * Map the policy's source-arm joint targets (their tips, through the target arm's IK) instead
     * of its effector trace, for every chunk (default false: the effector trace, the joint targets
     * only where it is missing or unreachable). Such chunks count as fallback chunks.
     */
    public Builder optJointTargetsOnly(boolean jointTargetsOnly) {
      this.jointTargetsOnly = jointTargetsOnly;
      return this;
    }

    /** The policy trained on the source arm (required); closed with the adapter. */
    public Builder setPolicy(Policy policy) {
      this.policy = policy;
      return this;
    }

    /** The arm the policy was trained on (required); its joints are the policy's. */
    public Builder setSource(RobotModel source) {
      this.source = source;
      return this;
    }

    /** The arm to drive (required). */
    public Builder setTarget(RobotModel target) {
      this.target = target;
      return this;
    }

    /**
     * The calibrated camera that sees the arm (required), at any size: it is scaled to the policy's
     * input size.
     */
    public Builder setCamera(CameraModel camera) {
      this.camera = camera;
      return this;
    }

    /**
     * Height of the plane the effector's trace is unprojected onto; default {@value
     * #DEFAULT_EFFECTOR_HEIGHT_M} m.
     */
    public Builder optEffectorHeightM(double effectorHeightM) {
      this.effectorHeightM = effectorHeightM;
      return this;
    }

    /**
     * Height of the target arm's tool tip for its targets; default {@value #DEFAULT_TIP_HEIGHT_M}
     * m.
     */
    public Builder optTipHeightM(double tipHeightM) {
      this.tipHeightM = tipHeightM;
      return this;
    }

    /** Fraction of the target arm's velocity and acceleration limits; default 0.9. */
    public Builder optLimitFraction(double limitFraction) {
      this.limitFraction = limitFraction;
      return this;
    }

    /**
     * The source arm's joints the first equivalent of an episode is searched from; default the
     * source's joints for a tip at (0, 0.09) m found from zero (the simulator's folded home pose).
     */
    public Builder optSourceHomeRad(double[] sourceHomeRad) {
      this.sourceHomeRad = sourceHomeRad == null ? null : sourceHomeRad.clone();
      return this;
    }

    /** Clock for stage timings; default the system clock. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The adapter.
     *
     * @throws IllegalArgumentException when the policy's joints are not the source arm's, or a
     *     setting is out of range
     */
    public EmbodimentAdapter build() {
      Objects.requireNonNull(policy, "setPolicy is required");
      Objects.requireNonNull(source, "setSource is required");
      Objects.requireNonNull(target, "setTarget is required");
      Objects.requireNonNull(camera, "setCamera is required");
      Objects.requireNonNull(clock, "clock");
      if (!policy.info().jointNames().equals(source.spec().jointNames())) {
        throw new IllegalArgumentException(
            "policy "
                + policy.info().name()
                + " drives joints "
                + policy.info().jointNames()
                + ", not those of its source robot "
                + source.name()
                + " "
                + source.spec().jointNames());
      }
      if (!Double.isFinite(effectorHeightM) || effectorHeightM < 0 || effectorHeightM > 0.5) {
        throw new IllegalArgumentException(
            "effector height must be in [0, 0.5] m, got " + effectorHeightM);
      }
      if (!Double.isFinite(tipHeightM) || tipHeightM < 0 || tipHeightM > 0.5) {
        throw new IllegalArgumentException("tip height must be in [0, 0.5] m, got " + tipHeightM);
      }
      if (!(limitFraction > 0 && limitFraction <= 1)) {
        throw new IllegalArgumentException(
            "limit fraction must be in (0, 1], got " + limitFraction);
      }
      if (sourceHomeRad == null) {
        double[] zero = new double[source.spec().jointCount()];
        IkResult home = source.reach().reach(0.0, 0.09, 0.0, zero);
        sourceHomeRad = home.joints().orElse(zero);
      } else if (sourceHomeRad.length != source.spec().jointCount()) {
        throw new IllegalArgumentException(
            "source home has "
                + sourceHomeRad.length
                + " joints, robot "
                + source.name()
                + " has "
                + source.spec().jointCount());
      }
      return new EmbodimentAdapter(this);
    }
  }
}
