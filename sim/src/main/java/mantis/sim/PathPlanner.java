package mantis.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shortest collision-free paths for a disc effector among circular obstacles, on a visibility graph
 * of octagons around the obstacles. Used by the scripted expert to move around objects it should
 * not touch.
 */
final class PathPlanner {
  /** An obstacle: a circle the effector's centre must stay out of. */
  record Circle(double xM, double yM, double radiusM) {
    boolean contains(double x, double y) {
      return Math.hypot(x - xM, y - yM) < radiusM;
    }
  }

  private static final int SIDES = 8;

  private PathPlanner() {}

  /**
   * The waypoint to head for next on the way from (sx, sy) to (gx, gy), or the goal itself when the
   * straight line is clear or no path exists. Obstacles containing the start are left by the
   * shortest way out first.
   */
  static double[] nextWaypoint(
      double sx,
      double sy,
      double gx,
      double gy,
      List<Circle> obstacles,
      double minR,
      double maxR) {
    // Leave any obstacle we are inside of.
    for (Circle c : obstacles) {
      if (c.contains(sx, sy) && !c.contains(gx, gy)) {
        double dx = sx - c.xM();
        double dy = sy - c.yM();
        double d = Math.hypot(dx, dy);
        if (d < 1e-9) {
          dx = gx - c.xM();
          dy = gy - c.yM();
          d = Math.hypot(dx, dy);
        }
        // Step out toward the goal's side: blend the outward normal with the goal direction.
        double ox = c.xM() + dx / d * (c.radiusM() + 0.006);
        double oy = c.yM() + dy / d * (c.radiusM() + 0.006);
        return new double[] {ox, oy};
      }
    }
    List<Circle> active = new ArrayList<>();
    for (Circle c : obstacles) {
      if (!c.contains(gx, gy)) {
        active.add(c);
      }
    }
    if (clear(sx, sy, gx, gy, active)) {
      return new double[] {gx, gy};
    }
    List<double[]> nodes = new ArrayList<>();
    nodes.add(new double[] {sx, sy});
    nodes.add(new double[] {gx, gy});
    double scale = 1.0 / Math.cos(Math.PI / SIDES) + 0.02;
    for (Circle c : active) {
      for (int k = 0; k < SIDES; k++) {
        double a = 2 * Math.PI * k / SIDES + Math.PI / SIDES;
        double x = c.xM() + Math.cos(a) * c.radiusM() * scale;
        double y = c.yM() + Math.sin(a) * c.radiusM() * scale;
        double r = Math.hypot(x, y);
        if (r < minR || r > maxR || insideAny(x, y, active)) {
          continue;
        }
        nodes.add(new double[] {x, y});
      }
    }
    int n = nodes.size();
    double[] dist = new double[n];
    int[] prev = new int[n];
    boolean[] done = new boolean[n];
    Arrays.fill(dist, Double.POSITIVE_INFINITY);
    Arrays.fill(prev, -1);
    dist[0] = 0;
    for (int iter = 0; iter < n; iter++) {
      int u = -1;
      for (int i = 0; i < n; i++) {
        if (!done[i] && (u < 0 || dist[i] < dist[u])) {
          u = i;
        }
      }
      if (u < 0 || dist[u] == Double.POSITIVE_INFINITY) {
        break;
      }
      done[u] = true;
      if (u == 1) {
        break;
      }
      double[] pu = nodes.get(u);
      for (int v = 0; v < n; v++) {
        if (done[v]) {
          continue;
        }
        double[] pv = nodes.get(v);
        double len = Math.hypot(pv[0] - pu[0], pv[1] - pu[1]);
        if (dist[u] + len < dist[v] && clear(pu[0], pu[1], pv[0], pv[1], active)) {
          dist[v] = dist[u] + len;
          prev[v] = u;
        }
      }
    }
    if (prev[1] < 0) {
      return new double[] {gx, gy};
    }
    int v = 1;
    while (prev[v] != 0) {
      v = prev[v];
    }
    return nodes.get(v).clone();
  }

  private static boolean insideAny(double x, double y, List<Circle> obstacles) {
    for (Circle c : obstacles) {
      if (c.contains(x, y)) {
        return true;
      }
    }
    return false;
  }

  static boolean clear(double ax, double ay, double bx, double by, List<Circle> obstacles) {
    for (Circle c : obstacles) {
      if (SceneGenerator.segmentDistance(c.xM(), c.yM(), ax, ay, bx, by) < c.radiusM() - 1e-9) {
        return false;
      }
    }
    return true;
  }
}
