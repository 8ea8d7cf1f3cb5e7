package mantis.calibration;

/**
 * A point on a horizontal plane of the table frame, metres.
 *
 * @param xM x, +x to the right of the arm base
 * @param yM y, +y away from the arm base
 */
public record TablePoint(double xM, double yM) {
  /** Euclidean distance to {@code other}, metres. */
  public double distanceTo(TablePoint other) {
    return Math.hypot(xM - other.xM, yM - other.yM);
  }

  /** This point lifted to height {@code zM}. */
  public Vec3 atHeight(double zM) {
    return new Vec3(xM, yM, zM);
  }
}
