package mantis.core.safety;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every action chunk safe to execute on one robot: the last step before a chunk reaches an
 * arm. Thread-safe; apart from the latched e-stop it keeps no state between calls.
 *
 * <p>{@link #filter} never throws on bad chunk content and always returns a chunk that obeys:
 *
 * <ul>
 *   <li>every value is finite;
 *   <li>the joint names are the robot's, in the robot's order, and every point has one position per
 *       joint;
 *   <li>every position of joint {@code j} is inside {@code [min_j + margin, max_j - margin]};
 *   <li>{@code timeFromStartNanos} is &gt; 0 for the first point and strictly increases, by at
 *       least the minimum point spacing (1 ms by default);
 *   <li>with {@code p_0} and {@code v_0} the start state (below), {@code dt_i} the spacing of point
 *       {@code i} in seconds and {@code v_i = (p_i - p_(i-1)) / dt_i}: {@code |v_i| <= maxVelocity}
 *       and {@code |v_i - v_(i-1)| <= maxAcceleration * dt_i} for every joint;
 *   <li>the chunk ends in a state from which the joint can still stop inside its limits ({@code
 *       v_n^2 <= 2 a d}, {@code d} the distance to the limit it moves towards), so the next chunk
 *       can be safe too;
 *   <li>{@code validUntilNanos} is the input's and lies in the future by the filter's clock (an
 *       expired chunk becomes a hold valid for the hold validity);
 *   <li>latent tokens, marks, traces, model version and stage timings are the input's.
 * </ul>
 *
 * <p>The start state is the measured joint state ({@code velocity = 0} when the state has none)
 * projected onto what is feasible: the position clamped into the limits minus the margin, the
 * velocity clamped to the maximum speed and to the speed from which the joint can still stop before
 * the limit it moves towards ({@code sqrt(2 a d)}). A measured state outside that set is reported
 * as an intervention; no chunk could do better from it.
 *
 * <p>Corrections: non-finite targets keep the joint's previous position; targets beyond the limits
 * are clamped; steps too fast or too abrupt are slowed per joint to the closest feasible velocity:
 * each point keeps its time, so a joint falls short of a target it cannot reach in time and the
 * next chunk (computed from the new measured state) carries on from there; points with
 * non-positive, duplicate, out-of-order or closer than the minimum spacing times are sorted and
 * dropped. A chunk that cannot be repaired (e-stop latched, expired, empty, wrong joints,
 * non-finite or mismatched joint state) becomes a {@linkplain #hold hold} at the current clamped
 * position. Every correction is reported in {@link SafetyResult#interventions()}.
 */
public final class SafetyFilter {
  /** Default distance kept from each position limit, rad. */
  public static final double DEFAULT_POSITION_MARGIN_RAD = 0.02;

  /** Default validity of a hold chunk from the moment it is made, ns. */
  public static final long DEFAULT_HOLD_VALIDITY_NANOS = 500_000_000L;

  /** Default smallest spacing between consecutive points (and from the start to the first), ns. */
  public static final long DEFAULT_MIN_POINT_SPACING_NANOS = 1_000_000L;

  /** Model version of the chunks made by {@link #hold(JointState)}. */
  public static final String HOLD_MODEL_VERSION = "safety-hold";

  private static final Logger log = LoggerFactory.getLogger(SafetyFilter.class);

  /** Measured-state deviations smaller than this are clamped silently (sensor noise). */
  private static final double STATE_TOLERANCE = 1e-9;

  private final RobotSpec robot;
  private final List<String> jointNames;
  private final int jointCount;
  private final double[] lo;
  private final double[] hi;
  private final double[] vMax;
  private final double[] aMax;
  private final double marginRad;
  private final MonotonicClock clock;
  private final long holdValidityNanos;
  private final long minSpacingNanos;
  private final AtomicReference<String> estopReason = new AtomicReference<>();

  private SafetyFilter(Builder b) {
    this.robot = b.robot;
    this.jointNames = robot.jointNames();
    this.jointCount = robot.jointCount();
    this.marginRad = b.marginRad;
    this.clock = b.clock;
    this.holdValidityNanos = b.holdValidityNanos;
    this.minSpacingNanos = b.minSpacingNanos;
    lo = new double[jointCount];
    hi = new double[jointCount];
    vMax = new double[jointCount];
    aMax = new double[jointCount];
    for (int j = 0; j < jointCount; j++) {
      JointLimits l = robot.joint(j);
      lo[j] = l.minPositionRad() + marginRad;
      hi[j] = l.maxPositionRad() - marginRad;
      vMax[j] = l.maxVelocityRadPerS();
      aMax[j] = l.maxAccelerationRadPerS2();
    }
  }

  /** A builder; {@link Builder#setRobot} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The robot whose limits this filter enforces. */
  public RobotSpec robot() {
    return robot;
  }

  /** The distance kept from each position limit, rad. */
  public double positionMarginRad() {
    return marginRad;
  }

  /** The smallest spacing between consecutive output points, ns. */
  public long minPointSpacingNanos() {
    return minSpacingNanos;
  }

  /**
   * Returns a safe version of {@code raw}, starting from {@code current}. Never throws because of
   * the content of {@code raw} or {@code current} (either may even be null): anything unusable
   * becomes a hold.
   */
  public SafetyResult filter(ActionChunk raw, JointState current) {
    long now = clock.nanoTime();
    Interventions iv = new Interventions();
    StartState start = startState(current, iv);

    String estop = estopReason.get();
    if (estop != null) {
      iv.add(InterventionKind.ESTOP, "e-stop latched: " + estop);
      return holdResult(raw, start, now, iv);
    }
    if (raw == null || raw.points().isEmpty()) {
      iv.add(InterventionKind.EMPTY_CHUNK, raw == null ? "no chunk" : "chunk has no points");
      return holdResult(raw, start, now, iv);
    }
    if (!start.known) {
      return holdResult(raw, start, now, iv);
    }
    if (!raw.jointNames().equals(jointNames)) {
      iv.add(
          InterventionKind.WRONG_JOINT_COUNT,
          "chunk joints " + raw.jointNames() + " do not match robot joints " + jointNames);
      return holdResult(raw, start, now, iv);
    }
    List<ActionPoint> points = raw.points();
    for (int i = 0; i < points.size(); i++) {
      ActionPoint p = points.get(i);
      if (p == null || p.size() != jointCount) {
        iv.add(
            InterventionKind.WRONG_JOINT_COUNT,
            "point "
                + i
                + " has "
                + (p == null ? 0 : p.size())
                + " positions, robot has "
                + jointCount
                + " joints");
        return holdResult(raw, start, now, iv);
      }
    }
    if (raw.validUntilNanos() <= now) {
      iv.add(
          InterventionKind.EXPIRED,
          "valid until " + raw.validUntilNanos() + " ns but now is " + now + " ns");
      return holdResult(raw, start, now, iv);
    }

    List<ActionPoint> ordered = orderedPoints(points, iv);
    if (ordered.isEmpty()) {
      iv.add(InterventionKind.EMPTY_CHUNK, "no point left after dropping bad times");
      return holdResult(raw, start, now, iv);
    }
    List<ActionPoint> safe = limitMotion(ordered, start, iv);
    ActionChunk out = raw.withPoints(safe, raw.validUntilNanos());
    return new SafetyResult(out, iv.list(), false);
  }

  /**
   * A one-point chunk that holds {@code current}'s position (clamped into the limits minus the
   * margin), valid for the hold validity from now. If the joint is moving, the point's time leaves
   * room to brake within the acceleration limit. Non-finite or missing positions hold at the
   * nearest limit for ±infinity, or at 0 clamped into the limits otherwise.
   */
  public ActionChunk hold(JointState current) {
    long now = clock.nanoTime();
    StartState start = startState(current, new Interventions());
    return holdChunk(null, start, now);
  }

  /**
   * Like {@link #hold(JointState)}, but valid for the hold validity from {@code sinceNanos} (when
   * {@code current} was measured or reached the server, on the filter's clock) instead of from now:
   * a hold stops at a state that gets older by the moment, so it must not outlive that state by
   * more than a fresh hold would. A {@code sinceNanos} in the future counts from now. The result
   * may already be expired: the state is too old to stop at, and a client holds wherever it is (it
   * never executes an expired chunk).
   */
  public ActionChunk hold(JointState current, long sinceNanos) {
    long now = clock.nanoTime();
    StartState start = startState(current, new Interventions());
    ActionChunk hold = holdChunk(null, start, now);
    long from = sinceNanos - now < 0 ? sinceNanos : now;
    return hold.withPoints(hold.points(), saturatedAdd(from, holdValidityNanos));
  }

  /** Latches the e-stop: every chunk becomes a hold until {@link #reset()}. */
  public void estop(String reason) {
    String r = reason == null || reason.isBlank() ? "unspecified" : reason;
    if (estopReason.compareAndSet(null, r)) {
      log.warn("E-stop latched on {}: {}", robot.name(), r);
    }
  }

  /** Releases a latched e-stop. */
  public void reset() {
    String was = estopReason.getAndSet(null);
    if (was != null) {
      log.info("E-stop released on {} (was: {})", robot.name(), was);
    }
  }

  /** True while the e-stop is latched. */
  public boolean isEstopped() {
    return estopReason.get() != null;
  }

  // ---------------------------------------------------------------------------------------------

  /** The projected start state of every joint; {@code known} false when it cannot be trusted. */
  private static final class StartState {
    final double[] positionsRad;
    final double[] velocitiesRadPerS;
    boolean known = true;

    StartState(int n) {
      positionsRad = new double[n];
      velocitiesRadPerS = new double[n];
    }
  }

  private StartState startState(JointState current, Interventions iv) {
    StartState s = new StartState(jointCount);
    if (current == null) {
      iv.add(InterventionKind.WRONG_JOINT_COUNT, "no joint state");
      s.known = false;
      for (int j = 0; j < jointCount; j++) {
        s.positionsRad[j] = fallbackPosition(j, Double.NaN);
        s.velocitiesRadPerS[j] = vMax[j];
      }
      return s;
    }
    List<String> names = current.names();
    boolean sameOrder = names.equals(jointNames);
    if (!sameOrder && names.size() != jointCount) {
      iv.add(
          InterventionKind.WRONG_JOINT_COUNT,
          "joint state has " + names.size() + " joints " + names + ", robot has " + jointNames);
      s.known = false;
    }
    double[] vel = current.velocitiesRadPerS();
    for (int j = 0; j < jointCount; j++) {
      int k = sameOrder ? j : names.indexOf(jointNames.get(j));
      if (k < 0) {
        if (s.known || names.size() == jointCount) {
          iv.add(
              InterventionKind.WRONG_JOINT_COUNT, "joint state lacks joint " + jointNames.get(j));
        }
        s.known = false;
        s.positionsRad[j] = fallbackPosition(j, Double.NaN);
        s.velocitiesRadPerS[j] = vMax[j];
        continue;
      }
      double p = current.positionRad(k);
      double v = vel.length == 0 ? 0.0 : vel[k];
      if (!Double.isFinite(p) || !Double.isFinite(v)) {
        iv.add(
            InterventionKind.NON_FINITE,
            "joint state of "
                + jointNames.get(j)
                + " is not finite: position "
                + p
                + ", velocity "
                + v);
        s.known = false;
        s.positionsRad[j] = fallbackPosition(j, p);
        s.velocitiesRadPerS[j] = Double.isFinite(v) ? Math.min(Math.abs(v), vMax[j]) : vMax[j];
        continue;
      }
      double pc = clamp(p, lo[j], hi[j]);
      if (Math.abs(pc - p) > STATE_TOLERANCE) {
        iv.add(
            InterventionKind.POSITION_LIMIT,
            "measured "
                + jointNames.get(j)
                + " at "
                + p
                + " rad, outside ["
                + lo[j]
                + ", "
                + hi[j]
                + "]");
      }
      double vc = clamp(v, -vMax[j], vMax[j]);
      if (Math.abs(vc - v) > STATE_TOLERANCE) {
        iv.add(
            InterventionKind.VELOCITY_LIMIT,
            "measured " + jointNames.get(j) + " at " + v + " rad/s, limit " + vMax[j]);
      }
      double up = Math.sqrt(2 * aMax[j] * Math.max(0.0, hi[j] - pc));
      double down = -Math.sqrt(2 * aMax[j] * Math.max(0.0, pc - lo[j]));
      double vb = clamp(vc, down, up);
      if (Math.abs(vb - vc) > STATE_TOLERANCE) {
        iv.add(
            InterventionKind.ACCELERATION_LIMIT,
            "measured "
                + jointNames.get(j)
                + " at "
                + pc
                + " rad moving "
                + vc
                + " rad/s cannot stop inside the limits");
      }
      s.positionsRad[j] = pc;
      s.velocitiesRadPerS[j] = vb;
    }
    return s;
  }

  private double fallbackPosition(int j, double p) {
    if (p == Double.POSITIVE_INFINITY) {
      return hi[j];
    }
    if (p == Double.NEGATIVE_INFINITY) {
      return lo[j];
    }
    if (Double.isNaN(p)) {
      return clamp(0.0, lo[j], hi[j]);
    }
    return clamp(p, lo[j], hi[j]);
  }

  private SafetyResult holdResult(ActionChunk raw, StartState start, long now, Interventions iv) {
    return new SafetyResult(holdChunk(raw, start, now), iv.list(), true);
  }

  /** A one-point chunk at the start position, late enough to brake from the start velocity. */
  private ActionChunk holdChunk(ActionChunk meta, StartState start, long now) {
    double brakeS = 0;
    for (int j = 0; j < jointCount; j++) {
      brakeS = Math.max(brakeS, Math.abs(start.velocitiesRadPerS[j]) / aMax[j]);
    }
    long brakeNanos = (long) Math.ceil(brakeS * 1e9) + 1;
    long t = Math.max(minSpacingNanos, brakeNanos);
    List<ActionPoint> pts = List.of(new ActionPoint(start.positionsRad.clone(), t));
    long validUntil = saturatedAdd(now, holdValidityNanos);
    if (meta == null) {
      return new ActionChunk(
          jointNames, pts, validUntil, null, null, null, HOLD_MODEL_VERSION, null);
    }
    return new ActionChunk(
        jointNames,
        pts,
        validUntil,
        meta.latentTokens(),
        meta.marks(),
        meta.traces(),
        meta.modelVersion(),
        meta.stageNanos());
  }

  /**
   * Stable-sorts the points by time, then keeps only those at least the minimum spacing after the
   * previous kept one (the start counting as time 0).
   */
  private List<ActionPoint> orderedPoints(List<ActionPoint> points, Interventions iv) {
    boolean sorted = true;
    for (int i = 1; i < points.size(); i++) {
      if (points.get(i).timeFromStartNanos() < points.get(i - 1).timeFromStartNanos()) {
        sorted = false;
        break;
      }
    }
    List<ActionPoint> byTime = points;
    if (!sorted) {
      byTime = new ArrayList<>(points);
      byTime.sort((a, b) -> Long.compare(a.timeFromStartNanos(), b.timeFromStartNanos()));
    }
    List<ActionPoint> kept = new ArrayList<>(byTime.size());
    long last = 0;
    int dropped = 0;
    for (ActionPoint p : byTime) {
      long t = p.timeFromStartNanos();
      if (t > 0 && t - last >= minSpacingNanos) {
        kept.add(p);
        last = t;
      } else {
        dropped++;
      }
    }
    if (!sorted || dropped > 0) {
      iv.add(
          InterventionKind.TIME_ORDER,
          (sorted ? "" : "points out of time order, sorted; ")
              + dropped
              + " of "
              + points.size()
              + " points dropped (time <= 0, duplicate, or closer than "
              + minSpacingNanos
              + " ns)");
    }
    return kept;
  }

  /**
   * Per joint, tracks each target as closely as the position, velocity, acceleration and braking
   * limits allow. {@code points} are in strictly increasing time with spacing >= min spacing.
   */
  private List<ActionPoint> limitMotion(
      List<ActionPoint> points, StartState start, Interventions iv) {
    int n = points.size();
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = points.get(i).positionsRad();
    }
    boolean changed = false;
    for (int j = 0; j < jointCount; j++) {
      double p = start.positionsRad[j];
      double v = start.velocitiesRadPerS[j];
      double a = aMax[j];
      long lastT = 0;
      for (int i = 0; i < n; i++) {
        long t = points.get(i).timeFromStartNanos();
        double dt = (t - lastT) * 1e-9;
        lastT = t;
        double target = out[i][j];
        // Details are built only for the first intervention of a kind: this loop is hot.
        if (!Double.isFinite(target)) {
          if (iv.first(InterventionKind.NON_FINITE)) {
            iv.describe(
                InterventionKind.NON_FINITE,
                "point " + i + " " + jointNames.get(j) + " = " + target + "; joint kept in place");
          }
          target = p;
        }
        if (target < lo[j] || target > hi[j]) {
          if (iv.first(InterventionKind.POSITION_LIMIT)) {
            iv.describe(
                InterventionKind.POSITION_LIMIT,
                "point "
                    + i
                    + " "
                    + jointNames.get(j)
                    + " = "
                    + target
                    + " rad outside ["
                    + lo[j]
                    + ", "
                    + hi[j]
                    + "]");
          }
          target = clamp(target, lo[j], hi[j]);
        }
        double wanted = (target - p) / dt;
        double accLo = Math.max(v - a * dt, -vMax[j]);
        double accHi = Math.min(v + a * dt, vMax[j]);
        double brakeHi = brakeSpeed(hi[j] - p, a, dt);
        double brakeLo = -brakeSpeed(p - lo[j], a, dt);
        double vNew;
        if (wanted >= accLo && wanted <= accHi && wanted >= brakeLo && wanted <= brakeHi) {
          vNew = wanted;
        } else {
          // From a feasible state the intersection is never empty (braking at max deceleration
          // always qualifies); only rounding can make it empty by a hair, then braking wins.
          vNew = clamp(clamp(wanted, accLo, accHi), brakeLo, brakeHi);
          if (Math.abs(wanted) > vMax[j] && iv.first(InterventionKind.VELOCITY_LIMIT)) {
            iv.describe(
                InterventionKind.VELOCITY_LIMIT,
                "point "
                    + i
                    + " "
                    + jointNames.get(j)
                    + " asked "
                    + wanted
                    + " rad/s, limit "
                    + vMax[j]);
          }
          if (vNew != clamp(wanted, -vMax[j], vMax[j])
              && iv.first(InterventionKind.ACCELERATION_LIMIT)) {
            iv.describe(
                InterventionKind.ACCELERATION_LIMIT,
                "point "
                    + i
                    + " "
                    + jointNames.get(j)
                    + " asked "
                    + wanted
                    + " rad/s from "
                    + v
                    + " rad/s in "
                    + dt
                    + " s");
          }
        }
        double pNew = vNew == wanted ? target : clamp(p + vNew * dt, lo[j], hi[j]);
        if (pNew != out[i][j]) {
          changed = true;
        }
        // The velocity actually realised by the rounded positions, as any checker computes it.
        v = (pNew - p) / dt;
        p = pNew;
        out[i][j] = pNew;
      }
    }
    if (!changed) {
      return points;
    }
    List<ActionPoint> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      result.add(new ActionPoint(out[i], points.get(i).timeFromStartNanos()));
    }
    return result;
  }

  /**
   * The largest speed towards a limit at distance {@code d} such that, after a step of {@code dt},
   * the joint can still stop before the limit: {@code v^2 + 2 a dt v <= 2 a d}. Written in a form
   * without cancellation.
   */
  static double brakeSpeed(double d, double a, double dt) {
    if (!(d > 0)) {
      return 0.0;
    }
    double adt = a * dt;
    return 2 * a * d / (adt + Math.sqrt(adt * adt + 2 * a * d));
  }

  private static double clamp(double x, double min, double max) {
    return x < min ? min : (x > max ? max : x);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return r;
  }

  /**
   * Collects interventions, at most one per kind and joint-independent detail to keep them short.
   */
  private static final class Interventions {
    private final Map<InterventionKind, int[]> counts = new EnumMap<>(InterventionKind.class);
    private final List<Intervention> list = new ArrayList<>();

    void add(InterventionKind kind, String detail) {
      if (first(kind)) {
        describe(kind, detail);
      }
    }

    /**
     * Counts one intervention of {@code kind}; true when it is the first, which then needs {@link
     * #describe}.
     */
    boolean first(InterventionKind kind) {
      int[] c = counts.computeIfAbsent(kind, k -> new int[1]);
      return c[0]++ == 0;
    }

    void describe(InterventionKind kind, String detail) {
      list.add(new Intervention(kind, detail));
    }

    List<Intervention> list() {
      if (list.isEmpty()) {
        return List.of();
      }
      List<Intervention> out = new ArrayList<>(list.size());
      for (Intervention i : list) {
        int c = counts.get(i.kind())[0];
        out.add(
            c == 1 ? i : new Intervention(i.kind(), i.detail() + " (and " + (c - 1) + " more)"));
      }
      return out;
    }
  }

  /** Builds a {@link SafetyFilter}; validates in {@link #build()}. */
  public static final class Builder {
    private RobotSpec robot;
    private double marginRad = DEFAULT_POSITION_MARGIN_RAD;
    private MonotonicClock clock = MonotonicClock.system();
    private long holdValidityNanos = DEFAULT_HOLD_VALIDITY_NANOS;
    private long minSpacingNanos = DEFAULT_MIN_POINT_SPACING_NANOS;

    private Builder() {}

    /** The robot whose limits to enforce. Required. */
    public Builder setRobot(RobotSpec robot) {
      this.robot = Objects.requireNonNull(robot, "robot");
      return this;
    }

    /** Distance kept from each position limit, rad; default 0.02 rad. */
    public Builder optPositionMarginRad(double marginRad) {
      this.marginRad = marginRad;
      return this;
    }

    /** Clock for expiry checks and hold validity; default the system clock. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a hold chunk stays valid from the moment it is made, ns; default 500 ms. */
    public Builder optHoldValidityNanos(long holdValidityNanos) {
      this.holdValidityNanos = holdValidityNanos;
      return this;
    }

    /**
     * Smallest spacing between consecutive points, and from the start to the first point, ns;
     * default 1 ms. Closer points are dropped: finer control is pointless and would make rates
     * numerically meaningless.
     */
    public Builder optMinPointSpacingNanos(long minSpacingNanos) {
      this.minSpacingNanos = minSpacingNanos;
      return this;
    }

    /**
     * Builds the filter.
     *
     * @throws IllegalStateException when the robot is missing
     * @throws IllegalArgumentException when a setting is out of range
     */
    public SafetyFilter build() {
      if (robot == null) {
        throw new IllegalStateException("setRobot is required");
      }
      if (!(marginRad >= 0) || !Double.isFinite(marginRad)) {
        throw new IllegalArgumentException(
            "position margin must be finite and >= 0, got " + marginRad);
      }
      for (JointLimits l : robot.joints()) {
        if (l.minPositionRad() + marginRad >= l.maxPositionRad() - marginRad) {
          throw new IllegalArgumentException(
              "position margin "
                  + marginRad
                  + " rad leaves no room for joint "
                  + l.name()
                  + " ["
                  + l.minPositionRad()
                  + ", "
                  + l.maxPositionRad()
                  + "]");
        }
      }
      if (holdValidityNanos <= 0) {
        throw new IllegalArgumentException(
            "hold validity must be > 0 ns, got " + holdValidityNanos);
      }
      if (minSpacingNanos < 100_000L || minSpacingNanos > 1_000_000_000L) {
        throw new IllegalArgumentException(
            "min point spacing must be in [0.1 ms, 1 s], got " + minSpacingNanos + " ns");
      }
      return new SafetyFilter(this);
    }
  }
}
