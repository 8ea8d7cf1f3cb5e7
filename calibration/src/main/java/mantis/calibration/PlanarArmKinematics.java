package mantis.calibration;

import java.util.Objects;
import java.util.Optional;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/**
 * Kinematics of a planar 3R arm whose base sits at the table origin. Joint angles are relative: the
 * heading of link i is q0 + ... + qi, measured CCW from +x. Immutable and thread-safe.
 */
public final class PlanarArmKinematics {
  private static final int COARSE_HEADINGS = 180;
  private static final int REFINE_LEVELS = 5;
  private static final double LIMIT_EPS_RAD = 1e-9;

  private final double[] linkLengthsM;

  /**
   * @param linkLengthsM the three link lengths, metres, each finite and > 0
   */
  public PlanarArmKinematics(double[] linkLengthsM) {
    Objects.requireNonNull(linkLengthsM, "linkLengthsM");
    if (linkLengthsM.length != 3) {
      throw new IllegalArgumentException(
          "a planar 3R arm needs 3 link lengths, got " + linkLengthsM.length);
    }
    for (double l : linkLengthsM) {
      if (!(l > 0) || !Double.isFinite(l)) {
        throw new IllegalArgumentException("link lengths must be finite and > 0, got " + l);
      }
    }
    this.linkLengthsM = linkLengthsM.clone();
  }

  /** The Mantis arm: links 0.30, 0.25, 0.10 m. */
  public static PlanarArmKinematics mantisPlanar3() {
    return new PlanarArmKinematics(new double[] {0.30, 0.25, 0.10});
  }

  /** The link lengths, metres (a copy). */
  public double[] linkLengthsM() {
    return linkLengthsM.clone();
  }

  /** Largest distance from the base the tip can reach, metres. */
  public double maxReachM() {
    return linkLengthsM[0] + linkLengthsM[1] + linkLengthsM[2];
  }

  /** Pose of the tip for the given joint angles. */
  public TipPose forward(double[] jointsRad) {
    double[][] p = jointPositionsM(jointsRad);
    return new TipPose(p[3][0], p[3][1], jointsRad[0] + jointsRad[1] + jointsRad[2]);
  }

  /** {x, y} of the base, elbow, wrist and tip, metres (for rendering and collision checks). */
  public double[][] jointPositionsM(double[] jointsRad) {
    checkJoints(jointsRad);
    double[][] out = new double[4][2];
    double heading = 0;
    for (int i = 0; i < 3; i++) {
      heading += jointsRad[i];
      out[i + 1][0] = out[i][0] + linkLengthsM[i] * Math.cos(heading);
      out[i + 1][1] = out[i][1] + linkLengthsM[i] * Math.sin(heading);
    }
    return out;
  }

  /**
   * Exact inverse kinematics for a tip position and heading. Of the (up to two) elbow branches, and
   * of the 2π-equivalent angles of each joint, returns the solution inside the limits with the
   * smallest joint-space norm (closest to zero). Empty when unreachable or outside the limits.
   */
  public Optional<double[]> inverse(double xM, double yM, double headingRad, RobotSpec limits) {
    checkLimits(limits);
    if (!Double.isFinite(xM) || !Double.isFinite(yM) || !Double.isFinite(headingRad)) {
      return Optional.empty();
    }
    double[] zero = new double[3];
    Best best = new Best();
    solve(xM, yM, headingRad, limits, zero, best);
    return Optional.ofNullable(best.joints);
  }

  /**
   * Exact inverse kinematics for a tip position and heading, choosing among the elbow branches and
   * the 2π-equivalent joint angles the solution inside the limits closest (Euclidean, joint space)
   * to {@code nearRad}. Empty when unreachable or outside the limits.
   */
  public Optional<double[]> inverse(
      double xM, double yM, double headingRad, double[] nearRad, RobotSpec limits) {
    checkLimits(limits);
    checkJoints(nearRad);
    if (!Double.isFinite(xM) || !Double.isFinite(yM) || !Double.isFinite(headingRad)) {
      return Optional.empty();
    }
    Best best = new Best();
    solve(xM, yM, headingRad, limits, nearRad, best);
    return Optional.ofNullable(best.joints);
  }

  /**
   * Inverse kinematics for a tip position with the heading chosen freely: the solution inside the
   * limits closest (Euclidean, joint space) to {@code currentRad}. Searches the heading coarse to
   * fine. Empty when no heading gives a solution inside the limits.
   */
  public Optional<double[]> inverseNearest(
      double xM, double yM, double[] currentRad, RobotSpec limits) {
    checkLimits(limits);
    checkJoints(currentRad);
    if (!Double.isFinite(xM) || !Double.isFinite(yM)) {
      return Optional.empty();
    }
    double d = Math.hypot(xM, yM);
    if (d > maxReachM() + 1e-12) {
      return Optional.empty();
    }
    Best best = new Best();
    double step = 2 * Math.PI / COARSE_HEADINGS;
    // Seeds: a uniform scan, the current heading and the radial directions (the only headings that
    // reach the rim of the workspace).
    for (int i = 0; i < COARSE_HEADINGS; i++) {
      solve(xM, yM, -Math.PI + i * step, limits, currentRad, best);
    }
    double phi = Math.atan2(yM, xM);
    solve(xM, yM, currentRad[0] + currentRad[1] + currentRad[2], limits, currentRad, best);
    solve(xM, yM, phi, limits, currentRad, best);
    solve(xM, yM, phi + Math.PI, limits, currentRad, best);
    if (best.joints == null) {
      return Optional.empty();
    }
    for (int level = 0; level < REFINE_LEVELS; level++) {
      double centre = best.headingRad;
      step /= 8;
      for (int k = -8; k <= 8; k++) {
        if (k != 0) {
          solve(xM, yM, centre + k * step, limits, currentRad, best);
        }
      }
    }
    return Optional.of(best.joints);
  }

  /**
   * Both elbow branches for one heading; offers each solution inside the limits to {@code best}.
   */
  private void solve(
      double xM, double yM, double headingRad, RobotSpec limits, double[] reference, Best best) {
    double l1 = linkLengthsM[0];
    double l2 = linkLengthsM[1];
    double l3 = linkLengthsM[2];
    double wx = xM - l3 * Math.cos(headingRad);
    double wy = yM - l3 * Math.sin(headingRad);
    double r2 = wx * wx + wy * wy;
    double c2 = (r2 - l1 * l1 - l2 * l2) / (2 * l1 * l2);
    if (c2 > 1 + 1e-12 || c2 < -1 - 1e-12) {
      return;
    }
    c2 = Math.max(-1, Math.min(1, c2));
    double elbowMagnitude = Math.acos(c2);
    for (int sign = 1; sign >= -1; sign -= 2) {
      double q1 = sign * elbowMagnitude;
      double q0 = Math.atan2(wy, wx) - Math.atan2(l2 * Math.sin(q1), l1 + l2 * Math.cos(q1));
      double q2 = headingRad - q0 - q1;
      double[] q = {q0, q1, q2};
      boolean ok = true;
      for (int j = 0; j < 3 && ok; j++) {
        double wrapped = nearestEquivalentInLimits(q[j], reference[j], limits.joint(j));
        if (Double.isNaN(wrapped)) {
          ok = false;
        } else {
          q[j] = wrapped;
        }
      }
      if (ok) {
        best.offer(q, reference, headingRad);
      }
      if (elbowMagnitude == 0) {
        break;
      }
    }
  }

  /**
   * The angle equal to {@code q} modulo 2π, inside the limits, closest to {@code reference}; NaN if
   * none.
   */
  private static double nearestEquivalentInLimits(double q, double reference, JointLimits limit) {
    double twoPi = 2 * Math.PI;
    double base = q + twoPi * Math.rint((reference - q) / twoPi);
    double bestValue = Double.NaN;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int k = -1; k <= 1; k++) {
      double candidate = base + k * twoPi;
      if (candidate < limit.minPositionRad() - LIMIT_EPS_RAD
          || candidate > limit.maxPositionRad() + LIMIT_EPS_RAD) {
        continue;
      }
      candidate = Math.max(limit.minPositionRad(), Math.min(limit.maxPositionRad(), candidate));
      double distance = Math.abs(candidate - reference);
      if (distance < bestDistance) {
        bestDistance = distance;
        bestValue = candidate;
      }
    }
    return bestValue;
  }

  private static void checkLimits(RobotSpec limits) {
    Objects.requireNonNull(limits, "limits");
    if (limits.jointCount() != 3) {
      throw new IllegalArgumentException(
          "a planar 3R arm needs 3 joint limits, got " + limits.jointCount());
    }
  }

  private static void checkJoints(double[] jointsRad) {
    Objects.requireNonNull(jointsRad, "jointsRad");
    if (jointsRad.length != 3) {
      throw new IllegalArgumentException("a planar 3R arm has 3 joints, got " + jointsRad.length);
    }
  }

  /** Running minimum of squared joint-space distance to a reference. */
  private static final class Best {
    double[] joints;
    double cost = Double.POSITIVE_INFINITY;
    double headingRad;

    void offer(double[] q, double[] reference, double heading) {
      double c = 0;
      for (int j = 0; j < q.length; j++) {
        double d = q[j] - reference[j];
        c += d * d;
      }
      if (c < cost) {
        cost = c;
        joints = q;
        headingRad = heading;
      }
    }
  }
}
