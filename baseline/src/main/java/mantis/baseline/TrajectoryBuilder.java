package mantis.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TablePoint;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.IkResult;
import mantis.calibration.kinematics.TableReach;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/**
 * Turns a tip polyline into H joint targets: the tip travels the polyline with a trapezoidal speed
 * profile, each sample goes through the robot's {@link TableReach} (tip from forward kinematics,
 * targets by inverse kinematics searched from the previous one, at the tip height), and each joint
 * is then rate-limited to a fraction of its velocity and acceleration limits, starting from the
 * measured velocity, slowed so it can always stop before its position limits, and kept a margin
 * inside them (the safety filter's invariants, with room to spare).
 */
final class TrajectoryBuilder {
  /**
   * Weight of the squared heading error (rad²) against squared joint motion (rad²) when a plan
   * prefers a heading. Small: the last link turns gradually toward the push direction over several
   * chunks, so the arm trails behind the pusher instead of covering the object in the camera's
   * view. Chosen on seeds 0..199 and checked on seeds 10000..10299.
   */
  static final double HEADING_WEIGHT = 0.005;

  private final TableReach reach;

  /** The planar arm's exact solver for the heading preference; null for other arms. */
  private final PlanarArmKinematics planar;

  private final double tipHeightM;
  private final RobotSpec robot;
  private final double limitFraction;
  private final double positionMarginRad;
  private final double tipAccelerationMPerS2;
  private final double headingWeight = HEADING_WEIGHT;

  /**
   * @param reach the arm's tip on the table and its inverse
   * @param planar the planar arm's solver, used for plans that prefer a heading; null for an arm
   *     that is not planar (its tool points down, its yaw kept from the previous point)
   * @param tipHeightM height of the tip above the table for targets, metres (a planar arm ignores
   *     it)
   */
  TrajectoryBuilder(
      TableReach reach,
      PlanarArmKinematics planar,
      double tipHeightM,
      RobotSpec robot,
      double limitFraction,
      double positionMarginRad,
      double tipAccelerationMPerS2) {
    this.reach = reach;
    this.planar = planar;
    this.tipHeightM = tipHeightM;
    this.robot = robot;
    this.limitFraction = limitFraction;
    this.positionMarginRad = positionMarginRad;
    this.tipAccelerationMPerS2 = tipAccelerationMPerS2;
  }

  /**
   * @param q0 current joints
   * @param v0 current joint velocities (zeros when unknown)
   * @param plan where to go
   * @param points H
   * @param dtS spacing of the points, seconds
   * @return H joint target vectors, for times dt, 2 dt, ..., H dt
   */
  List<double[]> build(double[] q0, double[] v0, Plan plan, int points, double dtS) {
    Vec3 tip = reach.tip(q0);
    List<TablePoint> poly = new ArrayList<>();
    poly.add(new TablePoint(tip.xM(), tip.yM()));
    poly.addAll(plan.waypoints());
    double total = 0;
    for (int i = 1; i < poly.size(); i++) {
      total += poly.get(i - 1).distanceTo(poly.get(i));
    }

    // Tip speed now, from the joint velocities.
    Vec3 ahead = reach.tip(add(q0, v0, 1e-3));
    double speed =
        Math.min(
            plan.speedMPerS(), Math.hypot(ahead.xM() - tip.xM(), ahead.yM() - tip.yM()) / 1e-3);

    double turn = plan.headingRad();
    List<double[]> desired = new ArrayList<>(points);
    double s = 0;
    double[] previous = q0.clone();
    for (int k = 0; k < points; k++) {
      double brake = Math.sqrt(2 * tipAccelerationMPerS2 * Math.max(0, total - s));
      double v = Math.min(plan.speedMPerS(), Math.min(brake, speed + tipAccelerationMPerS2 * dtS));
      speed = Math.max(0, v);
      s = Math.min(total, s + speed * dtS);
      TablePoint p = pointAt(poly, s);
      double[] q =
          Double.isNaN(turn) || planar == null
              ? solve(p, previous)
              : solveTowardHeading(p, previous, plan.headingRad());
      desired.add(q);
      previous = q;
    }
    return rateLimit(q0, v0, desired, dtS);
  }

  /**
   * The IK solution for p that trades joint motion from {@code previous} against the heading's
   * distance from the preferred one: min |q - previous|² + w (heading - preferred)², over headings
   * near the previous one (so consecutive points stay close and the heading turns gradually).
   */
  private double[] solveTowardHeading(TablePoint p, double[] previous, double preferredRad) {
    double[] best = solve(p, previous);
    double bestCost = cost(best, previous, preferredRad);
    double h0 = previous[0] + previous[1] + previous[2];
    double centre = h0;
    double step = 0.05;
    for (int level = 0; level < 3; level++) {
      double newCentre = centre;
      for (int k = -8; k <= 8; k++) {
        double h = centre + k * step;
        Optional<double[]> q = planar.inverse(p.xM(), p.yM(), h, previous, robot);
        if (q.isPresent()) {
          double c = cost(q.get(), previous, preferredRad);
          if (c < bestCost) {
            bestCost = c;
            best = q.get();
            newCentre = h;
          }
        }
      }
      centre = newCentre;
      step /= 6;
    }
    return best.clone();
  }

  private double cost(double[] q, double[] previous, double preferredRad) {
    double c = 0;
    for (int j = 0; j < q.length; j++) {
      double d = q[j] - previous[j];
      c += d * d;
    }
    double dh = wrap(q[0] + q[1] + q[2] - preferredRad);
    return c + headingWeight * dh * dh;
  }

  private double[] solve(TablePoint p, double[] previous) {
    IkResult q = reach.reach(p.xM(), p.yM(), tipHeightM, previous);
    if (!q.solved()) {
      TablePoint clamped = TaskPlanner.clampToWorkspace(p);
      q = reach.reach(clamped.xM(), clamped.yM(), tipHeightM, previous);
    }
    return q.joints().orElse(previous.clone());
  }

  private List<double[]> rateLimit(double[] q0, double[] v0, List<double[]> desired, double dtS) {
    int n = q0.length;
    double[] q = q0.clone();
    double[] v = v0.clone();
    List<double[]> out = new ArrayList<>(desired.size());
    for (double[] target : desired) {
      double[] next = new double[n];
      for (int j = 0; j < n; j++) {
        JointLimits lim = robot.joint(j);
        double vMax = lim.maxVelocityRadPerS() * limitFraction;
        double aMax = lim.maxAccelerationRadPerS2() * limitFraction;
        double goal =
            clamp(
                target[j],
                lim.minPositionRad() + positionMarginRad,
                lim.maxPositionRad() - positionMarginRad);
        double want = (goal - q[j]) / dtS;
        // Brake in time to stop at the goal.
        double stop = Math.sqrt(2 * aMax * Math.abs(goal - q[j]));
        want = Math.signum(want) * Math.min(Math.abs(want), Math.min(vMax, stop));
        // Never faster than what can still stop before the position limits.
        double lo = lim.minPositionRad() + positionMarginRad;
        double hi = lim.maxPositionRad() - positionMarginRad;
        double upMax = Math.max(0, Math.sqrt(2 * aMax * Math.max(0, hi - q[j])) - aMax * dtS);
        double downMax = Math.max(0, Math.sqrt(2 * aMax * Math.max(0, q[j] - lo)) - aMax * dtS);
        want = clamp(want, -downMax, upMax);
        double vj = clamp(want, v[j] - aMax * dtS, v[j] + aMax * dtS);
        vj = clamp(vj, -vMax, vMax);
        next[j] =
            clamp(
                q[j] + vj * dtS,
                lim.minPositionRad() + positionMarginRad,
                lim.maxPositionRad() - positionMarginRad);
        v[j] = (next[j] - q[j]) / dtS;
      }
      out.add(next);
      q = next;
    }
    return out;
  }

  private static TablePoint pointAt(List<TablePoint> poly, double s) {
    double left = s;
    for (int i = 1; i < poly.size(); i++) {
      TablePoint a = poly.get(i - 1);
      TablePoint b = poly.get(i);
      double len = a.distanceTo(b);
      if (left <= len || i == poly.size() - 1) {
        double t = len < 1e-12 ? 1 : Math.min(1, left / len);
        return new TablePoint(a.xM() + (b.xM() - a.xM()) * t, a.yM() + (b.yM() - a.yM()) * t);
      }
      left -= len;
    }
    return poly.get(poly.size() - 1);
  }

  private static double[] add(double[] q, double[] v, double dt) {
    double[] out = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      out[i] = q[i] + (i < v.length ? v[i] : 0) * dt;
    }
    return out;
  }

  private static double wrap(double a) {
    return Math.atan2(Math.sin(a), Math.cos(a));
  }

  private static double clamp(double v, double lo, double hi) {
    return v < lo ? lo : Math.min(v, hi);
  }
}
