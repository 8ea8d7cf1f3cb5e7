package mantis.calibration.camera;

import mantis.calibration.kinematics.Pose;

/**
 * A rigid transform as a row-major 3x3 rotation and a translation (metres), for the little
 * arithmetic hand-eye residuals need. Immutable.
 */
final class Rigid {
  final double[] r;
  final double[] t;

  Rigid(double[] r, double[] t) {
    this.r = r.clone();
    this.t = t.clone();
  }

  static Rigid of(Pose p) {
    return new Rigid(p.rotationRowMajor(), new double[] {p.xM(), p.yM(), p.zM()});
  }

  /** this * o. */
  Rigid times(Rigid o) {
    double[] rr = new double[9];
    double[] tt = new double[3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
          s += r[3 * i + k] * o.r[3 * k + j];
        }
        rr[3 * i + j] = s;
      }
      tt[i] = r[3 * i] * o.t[0] + r[3 * i + 1] * o.t[1] + r[3 * i + 2] * o.t[2] + t[i];
    }
    return new Rigid(rr, tt);
  }

  Rigid inverse() {
    double[] rr = new double[9];
    double[] tt = new double[3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        rr[3 * i + j] = r[3 * j + i];
      }
    }
    for (int i = 0; i < 3; i++) {
      tt[i] = -(rr[3 * i] * t[0] + rr[3 * i + 1] * t[1] + rr[3 * i + 2] * t[2]);
    }
    return new Rigid(rr, tt);
  }

  /** R p + t. */
  double[] apply(double x, double y, double z) {
    return new double[] {
      r[0] * x + r[1] * y + r[2] * z + t[0],
      r[3] * x + r[4] * y + r[5] * z + t[1],
      r[6] * x + r[7] * y + r[8] * z + t[2]
    };
  }

  /** Rotation angle of this transform's rotation, radians in [0, π]. */
  double angleRad() {
    double c = (r[0] + r[4] + r[8] - 1) / 2;
    double s =
        Math.sqrt(Math.pow(r[7] - r[5], 2) + Math.pow(r[2] - r[6], 2) + Math.pow(r[3] - r[1], 2))
            / 2;
    return Math.atan2(s, c);
  }

  double translationNormM() {
    return Math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
  }

  boolean isFinite() {
    for (double v : r) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    for (double v : t) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /** The pose, with the rotation first projected onto the nearest proper rotation's quaternion. */
  Pose toPose() {
    return Pose.fromRotationRowMajor(t[0], t[1], t[2], r);
  }
}
