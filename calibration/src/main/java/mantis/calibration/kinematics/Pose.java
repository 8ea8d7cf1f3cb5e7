package mantis.calibration.kinematics;

/**
 * A pose in a chain's base frame: position in metres and orientation as a unit quaternion (x, y, z,
 * w; the ROS/KDL order). The quaternion is normalized on construction; it must have a norm within
 * 1e-6 of 1.
 *
 * @param xM position x, metres
 * @param yM position y, metres
 * @param zM position z, metres
 * @param qx quaternion x
 * @param qy quaternion y
 * @param qz quaternion z
 * @param qw quaternion w
 */
public record Pose(double xM, double yM, double zM, double qx, double qy, double qz, double qw) {
  private static final double NORM_TOLERANCE = 1e-6;

  public Pose {
    double[] all = {xM, yM, zM, qx, qy, qz, qw};
    for (double v : all) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("pose values must be finite, got " + describe(all));
      }
    }
    double n = Math.sqrt(qx * qx + qy * qy + qz * qz + qw * qw);
    if (Math.abs(n - 1) > NORM_TOLERANCE) {
      throw new IllegalArgumentException(
          "pose quaternion must have unit norm (within 1e-6), got norm " + n);
    }
    qx /= n;
    qy /= n;
    qz /= n;
    qw /= n;
  }

  /** A pose with the identity orientation. */
  public static Pose ofPosition(double xM, double yM, double zM) {
    return new Pose(xM, yM, zM, 0, 0, 0, 1);
  }

  /**
   * The pose with the given position, metres, and rotation matrix ({@code rowMajor}: 9 values, a
   * proper rotation).
   */
  public static Pose fromRotationRowMajor(double xM, double yM, double zM, double[] rowMajor) {
    if (rowMajor.length != 9) {
      throw new IllegalArgumentException("a rotation matrix has 9 values, got " + rowMajor.length);
    }
    double[] r = rowMajor;
    return fromRotation(xM, yM, zM, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]);
  }

  /** The pose with the given position and rotation matrix (row-major, proper rotation). */
  static Pose fromRotation(
      double xM,
      double yM,
      double zM,
      double r11,
      double r12,
      double r13,
      double r21,
      double r22,
      double r23,
      double r31,
      double r32,
      double r33) {
    double trace = r11 + r22 + r33;
    double qx;
    double qy;
    double qz;
    double qw;
    if (trace > 0) {
      double s = 2 * Math.sqrt(trace + 1);
      qw = 0.25 * s;
      qx = (r32 - r23) / s;
      qy = (r13 - r31) / s;
      qz = (r21 - r12) / s;
    } else if (r11 > r22 && r11 > r33) {
      double s = 2 * Math.sqrt(1 + r11 - r22 - r33);
      qw = (r32 - r23) / s;
      qx = 0.25 * s;
      qy = (r12 + r21) / s;
      qz = (r13 + r31) / s;
    } else if (r22 > r33) {
      double s = 2 * Math.sqrt(1 + r22 - r11 - r33);
      qw = (r13 - r31) / s;
      qx = (r12 + r21) / s;
      qy = 0.25 * s;
      qz = (r23 + r32) / s;
    } else {
      double s = 2 * Math.sqrt(1 + r33 - r11 - r22);
      qw = (r21 - r12) / s;
      qx = (r13 + r31) / s;
      qy = (r23 + r32) / s;
      qz = 0.25 * s;
    }
    if (qw < 0) {
      qx = -qx;
      qy = -qy;
      qz = -qz;
      qw = -qw;
    }
    double n = Math.sqrt(qx * qx + qy * qy + qz * qz + qw * qw);
    return new Pose(xM, yM, zM, qx / n, qy / n, qz / n, qw / n);
  }

  /** The rotation matrix of the orientation, row-major. */
  public double[] rotationRowMajor() {
    double xx = qx * qx;
    double yy = qy * qy;
    double zz = qz * qz;
    double xy = qx * qy;
    double xz = qx * qz;
    double yz = qy * qz;
    double wx = qw * qx;
    double wy = qw * qy;
    double wz = qw * qz;
    return new double[] {
      1 - 2 * (yy + zz),
      2 * (xy - wz),
      2 * (xz + wy),
      2 * (xy + wz),
      1 - 2 * (xx + zz),
      2 * (yz - wx),
      2 * (xz - wy),
      2 * (yz + wx),
      1 - 2 * (xx + yy)
    };
  }

  /** Distance between the positions, metres. */
  public double positionDistanceM(Pose other) {
    double dx = xM - other.xM;
    double dy = yM - other.yM;
    double dz = zM - other.zM;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  /** Angle of the rotation taking this orientation to {@code other}'s, radians in [0, π]. */
  public double angleToRad(Pose other) {
    double[] e = Rotations.rotationVector(other, this);
    return Math.sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
  }

  private static String describe(double[] v) {
    return java.util.Arrays.toString(v);
  }
}
