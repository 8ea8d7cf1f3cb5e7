package mantis.teleop;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import mantis.core.Mark;
import mantis.core.PixelPoint;

/**
 * Agreement between the person and the shadow policy, over the whole episode and over a rolling
 * window, from the control ticks where the person drove. Pure maths, no clock of its own: every
 * tick carries its time. Not thread-safe (the teleop session guards it).
 *
 * <ul>
 *   <li>per-joint mean absolute error: {@code |teleop_j - policy_j|}, the person's next target
 *       against the policy's first point, radians;
 *   <li>direction agreement: per (tick, joint), the sign of {@code target - current} with a dead
 *       band ({@code |x| <= deadBand} is "still") is the same for both; percent of (tick, joint)
 *       pairs;
 *   <li>grounded-mark agreement: over ticks where both the policy grounded a mark and the person's
 *       motion heads for a mark ({@link #headingMark}), the share where they are the same mark; NaN
 *       when no tick had both.
 * </ul>
 */
final class AgreementTracker {
  /** Joint motions at or below this (rad) count as "still" for direction agreement. */
  static final double DEFAULT_DEAD_BAND_RAD = 0.005;

  /** Length of the rolling window. */
  static final long DEFAULT_WINDOW_NANOS = 5_000_000_000L;

  /**
   * Half-angle of the cone around the effector's image motion inside which a mark counts as ahead.
   */
  static final double HEADING_CONE_RAD = Math.toRadians(30);

  /**
   * One control tick where the person drove.
   *
   * @param tNanos when (any monotonic clock, the same for every tick)
   * @param currentRad measured joint positions
   * @param teleopRad the person's next joint targets
   * @param policyRad the policy's next joint targets (first point of its chunk)
   * @param policyMarkId the mark the policy grounded, or -1
   * @param personMarkId the mark the person's motion heads for, or -1
   */
  record Tick(
      long tNanos,
      double[] currentRad,
      double[] teleopRad,
      double[] policyRad,
      int policyMarkId,
      int personMarkId) {
    Tick {
      if (currentRad.length != teleopRad.length || currentRad.length != policyRad.length) {
        throw new IllegalArgumentException(
            "joint counts differ: current "
                + currentRad.length
                + ", teleop "
                + teleopRad.length
                + ", policy "
                + policyRad.length);
      }
      currentRad = currentRad.clone();
      teleopRad = teleopRad.clone();
      policyRad = policyRad.clone();
    }
  }

  private final int joints;
  private final double deadBandRad;
  private final long windowNanos;
  private final Sums episode;
  private final ArrayDeque<Tick> window = new ArrayDeque<>();

  AgreementTracker(int joints, double deadBandRad, long windowNanos) {
    if (joints < 1) {
      throw new IllegalArgumentException("joints must be >= 1, got " + joints);
    }
    if (!(deadBandRad >= 0) || !Double.isFinite(deadBandRad)) {
      throw new IllegalArgumentException("dead band must be finite and >= 0, got " + deadBandRad);
    }
    if (windowNanos <= 0) {
      throw new IllegalArgumentException("window must be > 0 ns, got " + windowNanos);
    }
    this.joints = joints;
    this.deadBandRad = deadBandRad;
    this.windowNanos = windowNanos;
    this.episode = new Sums(joints);
  }

  AgreementTracker(int joints) {
    this(joints, DEFAULT_DEAD_BAND_RAD, DEFAULT_WINDOW_NANOS);
  }

  /** Adds a tick where the person drove. */
  void add(Tick tick) {
    if (tick.currentRad().length != joints) {
      throw new IllegalArgumentException(
          "expected " + joints + " joints, got " + tick.currentRad().length);
    }
    episode.add(tick, deadBandRad);
    window.addLast(tick);
    prune(tick.tNanos());
  }

  /** Agreement over every tick added since the last {@link #clear()}. */
  Agreement episode() {
    return episode.agreement();
  }

  /**
   * Agreement over the ticks of the last window before {@code nowNanos} (times {@code > now -
   * window}).
   */
  Agreement rolling(long nowNanos) {
    Sums s = new Sums(joints);
    for (Tick t : window) {
      if (t.tNanos() > nowNanos - windowNanos && t.tNanos() <= nowNanos) {
        s.add(t, deadBandRad);
      }
    }
    return s.agreement();
  }

  /** Forgets everything (a new episode). */
  void clear() {
    episode.reset();
    window.clear();
  }

  private void prune(long nowNanos) {
    Iterator<Tick> it = window.iterator();
    while (it.hasNext() && it.next().tNanos() <= nowNanos - windowNanos) {
      it.remove();
    }
  }

  /** -1, 0 or +1: which way {@code delta} moves a joint, 0 inside the dead band. */
  static int direction(double delta, double deadBandRad) {
    if (Math.abs(delta) <= deadBandRad) {
      return 0;
    }
    return delta > 0 ? 1 : -1;
  }

  /**
   * The mark the effector's image motion heads for: with {@code d = to - from} the effector mark's
   * motion in the image, the mark (not the effector's own) whose centroid, seen from {@code to},
   * lies at the smallest angle to {@code d}, if that angle is within {@link #HEADING_CONE_RAD}. -1
   * when the effector moved less than {@code minMotionPx}, or no mark lies in the cone.
   *
   * @param from the effector mark's centroid a little earlier
   * @param to the effector mark's centroid now
   * @param marks the marks now
   * @param effectorMarkId the effector's mark among {@code marks} (excluded), or 0 when unknown
   * @param minMotionPx least effector motion that defines a heading
   */
  static int headingMark(
      PixelPoint from, PixelPoint to, List<Mark> marks, int effectorMarkId, double minMotionPx) {
    double dx = to.xPx() - from.xPx();
    double dy = to.yPx() - from.yPx();
    double moved = Math.hypot(dx, dy);
    if (!(moved >= minMotionPx) || moved == 0) {
      return -1;
    }
    double minCos = Math.cos(HEADING_CONE_RAD);
    int best = -1;
    double bestCos = -2;
    double bestDist = Double.POSITIVE_INFINITY;
    for (Mark m : marks) {
      if (m.id() == effectorMarkId) {
        continue;
      }
      double vx = m.centroid().xPx() - to.xPx();
      double vy = m.centroid().yPx() - to.yPx();
      double dist = Math.hypot(vx, vy);
      if (dist < 1e-9) {
        continue;
      }
      double cos = (vx * dx + vy * dy) / (dist * moved);
      if (cos < minCos) {
        continue;
      }
      if (cos > bestCos + 1e-12 || (Math.abs(cos - bestCos) <= 1e-12 && dist < bestDist)) {
        best = m.id();
        bestCos = cos;
        bestDist = dist;
      }
    }
    return best;
  }

  /** Running sums for one window of ticks. */
  private static final class Sums {
    private final double[] absErrRad;
    private long ticks;
    private long directionPairs;
    private long directionAgree;
    private long markTicks;
    private long markAgree;

    Sums(int joints) {
      absErrRad = new double[joints];
    }

    void add(Tick t, double deadBandRad) {
      ticks++;
      double[] q = t.currentRad();
      for (int j = 0; j < absErrRad.length; j++) {
        absErrRad[j] += Math.abs(t.teleopRad()[j] - t.policyRad()[j]);
        int person = direction(t.teleopRad()[j] - q[j], deadBandRad);
        int policy = direction(t.policyRad()[j] - q[j], deadBandRad);
        directionPairs++;
        if (person == policy) {
          directionAgree++;
        }
      }
      if (t.policyMarkId() >= 1 && t.personMarkId() >= 1) {
        markTicks++;
        if (t.policyMarkId() == t.personMarkId()) {
          markAgree++;
        }
      }
    }

    void reset() {
      java.util.Arrays.fill(absErrRad, 0);
      ticks = 0;
      directionPairs = 0;
      directionAgree = 0;
      markTicks = 0;
      markAgree = 0;
    }

    Agreement agreement() {
      if (ticks == 0) {
        return Agreement.empty();
      }
      List<Double> mae = new ArrayList<>(absErrRad.length);
      for (double e : absErrRad) {
        mae.add(e / ticks);
      }
      double dir = 100.0 * directionAgree / directionPairs;
      double mark = markTicks == 0 ? Double.NaN : 100.0 * markAgree / markTicks;
      return new Agreement(ticks, mae, dir, mark);
    }
  }
}
