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

  /** Tip radii between which the preferred heading turns from radially outward to inward. */
  private static final double TURN_OUTER_M = 0.42;

  private static final double TURN_INNER_M = 0.08;

  /**
   * The arm's preferred heading of its last link for a tip position: radially outward beyond 0.42 m
   * from the base, turning smoothly (a smoothstep in the radius) to point inward at 0.08 m, which
   * keeps the wrist far enough from the base for the elbow limits. A smooth function of the
   * position, so following it keeps joint motions small.
   */
  static double preferredHeading(double x, double y) {
    double t = turnFraction(Math.hypot(x, y));
    return Math.atan2(y, x) + Math.PI * t * t * (3 - 2 * t);
  }

  /** |d heading / d radius| of {@link #preferredHeading}, rad per metre. */
  static double preferredHeadingSlope(double x, double y) {
    double t = turnFraction(Math.hypot(x, y));
    return Math.PI * 6 * t * (1 - t) / (TURN_OUTER_M - TURN_INNER_M);
  }

  private static double turnFraction(double r) {
    return Math.max(0, Math.min(1, (TURN_OUTER_M - r) / (TURN_OUTER_M - TURN_INNER_M)));
  }

  /**
   * Inverse kinematics on the elbow branch q1 >= 0 for a tip position and heading, angles wrapped
   * to (-pi, pi]; null when unreachable.
   */
  static double[] inverse(double x, double y, double heading) {
    double l1 = LINKS_M[0];
    double l2 = LINKS_M[1];
    double wx = x - LINKS_M[2] * Math.cos(heading);
    double wy = y - LINKS_M[2] * Math.sin(heading);
    double c2 = (wx * wx + wy * wy - l1 * l1 - l2 * l2) / (2 * l1 * l2);
    if (c2 < -1 || c2 > 1) {
      return null;
    }
    double q1 = Math.acos(c2);
    double q0 = Math.atan2(wy, wx) - Math.atan2(l2 * Math.sin(q1), l1 + l2 * Math.cos(q1));
    double q2 = heading - q0 - q1;
    return new double[] {wrap(q0), q1, wrap(q2)};
  }

  static double wrap(double a) {
    return Math.atan2(Math.sin(a), Math.cos(a));
  }
}
