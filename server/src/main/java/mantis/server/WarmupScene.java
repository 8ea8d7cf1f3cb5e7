package mantis.server;

import java.util.List;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Observation;
import mantis.core.RobotSpec;

/**
 * The observation the server warms its policy up with when none is given: a tabletop drawn here,
 * without the simulator, so that the policy's whole path (decoding, mark detection, the model) runs
 * on a scene with something to find. A light table, a red block, a blue target disc and a dark
 * two-segment arm from the bottom edge, at the policy's input size; the arm's joints at zero, or at
 * the middle of a joint's range where zero lies outside it.
 */
final class WarmupScene {
  /** The instruction sent with the scene. */
  static final String INSTRUCTION = "reach the red block";

  private WarmupScene() {}

  static Observation observation(RobotSpec robot, int widthPx, int heightPx) {
    if (widthPx <= 0 || heightPx <= 0) {
      throw new IllegalArgumentException(
          "warm-up scene size must be positive, got " + widthPx + "x" + heightPx);
    }
    byte[] rgb = new byte[widthPx * heightPx * 3];
    int s = Math.min(widthPx, heightPx);
    for (int y = 0; y < heightPx; y++) {
      for (int x = 0; x < widthPx; x++) {
        int[] c = {196, 186, 164};
        if (inBox(x, y, widthPx * 0.62, heightPx * 0.35, s * 0.06)) {
          c = new int[] {205, 40, 35};
        } else if (inDisc(x, y, widthPx * 0.3, heightPx * 0.3, s * 0.07)) {
          c = new int[] {40, 70, 200};
        } else if (nearSegment(
                x, y, widthPx * 0.5, heightPx - 1.0, widthPx * 0.45, heightPx * 0.6, s * 0.025)
            || nearSegment(
                x, y, widthPx * 0.45, heightPx * 0.6, widthPx * 0.55, heightPx * 0.45, s * 0.02)) {
          c = new int[] {55, 55, 60};
        }
        int i = (y * widthPx + x) * 3;
        rgb[i] = (byte) c[0];
        rgb[i + 1] = (byte) c[1];
        rgb[i + 2] = (byte) c[2];
      }
    }
    double[] q = new double[robot.jointCount()];
    for (int j = 0; j < q.length; j++) {
      JointLimits limits = robot.joint(j);
      if (limits.minPositionRad() > 0 || limits.maxPositionRad() < 0) {
        q[j] = 0.5 * (limits.minPositionRad() + limits.maxPositionRad());
      }
    }
    JointState js = JointState.ofPositions(robot.jointNames(), q, 0);
    return new Observation(
        "warmup",
        "warmup",
        0,
        List.of(Frame.wrapRgb(widthPx, heightPx, rgb)),
        INSTRUCTION,
        js,
        0,
        0);
  }

  private static boolean inBox(int x, int y, double cx, double cy, double half) {
    return Math.abs(x + 0.5 - cx) <= half && Math.abs(y + 0.5 - cy) <= half;
  }

  private static boolean inDisc(int x, int y, double cx, double cy, double r) {
    double dx = x + 0.5 - cx;
    double dy = y + 0.5 - cy;
    return dx * dx + dy * dy <= r * r;
  }

  private static boolean nearSegment(
      int x, int y, double ax, double ay, double bx, double by, double r) {
    double px = x + 0.5 - ax;
    double py = y + 0.5 - ay;
    double vx = bx - ax;
    double vy = by - ay;
    double t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
    double dx = px - t * vx;
    double dy = py - t * vy;
    return dx * dx + dy * dy <= r * r;
  }
}
