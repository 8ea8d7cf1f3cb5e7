package mantis.calibration;

/**
 * Pose of the arm's tip (the pusher centre) in the table plane.
 *
 * @param xM tip x, metres
 * @param yM tip y, metres
 * @param headingRad heading of the last link, CCW from +x, radians (the sum of the joint angles,
 *     not wrapped)
 */
public record TipPose(double xM, double yM, double headingRad) {
  /** Distance from the tip to (xM, yM), metres. */
  public double distanceTo(double otherXM, double otherYM) {
    return Math.hypot(xM - otherXM, yM - otherYM);
  }
}
