package mantis.calibration;

/**
 * A point or direction in 3-D, metres.
 *
 * @param xM x
 * @param yM y
 * @param zM z
 */
public record Vec3(double xM, double yM, double zM) {
  /** True when all three coordinates are finite. */
  public boolean isFinite() {
    return Double.isFinite(xM) && Double.isFinite(yM) && Double.isFinite(zM);
  }

  /** The sum of this and {@code other}. */
  public Vec3 plus(Vec3 other) {
    return new Vec3(xM + other.xM, yM + other.yM, zM + other.zM);
  }

  /** Euclidean distance to {@code other}, metres. */
  public double distanceTo(Vec3 other) {
    double dx = xM - other.xM;
    double dy = yM - other.yM;
    double dz = zM - other.zM;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}
