package mantis.calibration.kinematics;

/** Small orientation helpers on unit quaternions. */
final class Rotations {
  private Rotations() {}

  /**
   * The rotation vector (axis times angle, radians, in the base frame) of the rotation taking the
   * orientation of {@code current} to that of {@code target}: log(q_target * conj(q_current)).
   */
  static double[] rotationVector(Pose target, Pose current) {
    // q = qt * conj(qc)
    double ax = target.qx();
    double ay = target.qy();
    double az = target.qz();
    double aw = target.qw();
    double bx = -current.qx();
    double by = -current.qy();
    double bz = -current.qz();
    double bw = current.qw();
    double w = aw * bw - ax * bx - ay * by - az * bz;
    double x = aw * bx + ax * bw + ay * bz - az * by;
    double y = aw * by - ax * bz + ay * bw + az * bx;
    double z = aw * bz + ax * by - ay * bx + az * bw;
    return logOf(x, y, z, w);
  }

  static double[] logOf(double x, double y, double z, double w) {
    if (w < 0) {
      x = -x;
      y = -y;
      z = -z;
      w = -w;
    }
    double s = Math.sqrt(x * x + y * y + z * z);
    if (s < 1e-300) {
      return new double[] {0, 0, 0};
    }
    double angle = 2 * Math.atan2(s, w);
    double k = angle / s;
    return new double[] {x * k, y * k, z * k};
  }
}
