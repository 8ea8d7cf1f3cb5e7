package mantis.sim;

/** Fixed geometry of the tabletop world, table frame, metres. */
final class Table {
  private Table() {}

  /** The table top that objects are kept on (it fills the nominal camera's view). */
  static final double X_MIN = -0.38;
  static final double X_MAX = 0.38;
  static final double Y_MIN = 0.07;
  static final double Y_MAX = 0.65;

  /** Where objects and targets are placed at reset. */
  static final double REGION_X_MIN = -0.30;
  static final double REGION_X_MAX = 0.30;
  static final double REGION_Y_MIN = 0.18;
  static final double REGION_Y_MAX = 0.55;

  /** Arm link lengths, metres. */
  static final double[] LINKS_M = {0.30, 0.25, 0.10};
  /** Radius of the arm's round pusher. */
  static final double PUSHER_RADIUS_M = 0.02;
  /** Radius of the hand's palm, which is what pushes. */
  static final double HAND_RADIUS_M = 0.03;

  /** Heights of object top faces above the table. */
  static final double BLOCK_HEIGHT_M = 0.03;
  static final double DISC_HEIGHT_M = 0.02;

  /** Reach success slack for contact resolution, metres. */
  static final double CONTACT_SLOP_M = 0.002;

  /** Comfortable tip workspace (radius from the base) used to keep tasks reachable. */
  static final double REACH_MIN_M = 0.14;
  static final double REACH_MAX_M = 0.60;

  /** Forward kinematics: {x,y} of base, elbow, wrist, tip into {@code out} (length 8). */
  static void jointPositions(double[] q, double[] out) {
    double x = 0;
    double y = 0;
    double heading = 0;
    out[0] = 0;
    out[1] = 0;
    for (int i = 0; i < 3; i++) {
      heading += q[i];
      x += LINKS_M[i] * Math.cos(heading);
      y += LINKS_M[i] * Math.sin(heading);
      out[2 * i + 2] = x;
      out[2 * i + 3] = y;
    }
  }

  static boolean inWorkspace(double x, double y) {
    double r = Math.hypot(x, y);
    return r >= REACH_MIN_M && r <= REACH_MAX_M;
  }
}
