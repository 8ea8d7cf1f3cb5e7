package mantis.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mantis.calibration.PlanarArmKinematics;

/**
 * A scripted expert that solves every task family for both embodiments from privileged state
 * ({@link TabletopSim#groundTruth()}).
 *
 * <p>It plans in the table plane for the effector (pusher tip or palm) and, for the arm, turns each
 * next effector position into joint targets with {@link PlanarArmKinematics#inverseNearest}:
 *
 * <ul>
 *   <li>reach: go around other objects to a free side of the object (a face for blocks) and touch it;
 *   <li>push (direction or onto a target): go around everything to a point behind the object
 *       opposite the push direction, push through while steering (discs straight toward the goal,
 *       blocks one axis at a time through the middle of a face, so they slide straight), re-approach
 *       if the object slips off, and retreat once the task holds.
 * </ul>
 *
 * <p>{@link #act} returns joint targets for the arm and a table point {x, y} for the hand. One
 * instance follows one simulator; it notices resets by itself. Not thread-safe.
 */
public final class ScriptedExpert {
  /** How far ahead of the effector each command points, metres. */
  private static final double LOOKAHEAD_M = 0.03;
  private static final double NAV_MARGIN_M = 0.008;
  private static final double BEHIND_M = 0.025;
  private static final double AXIS_DONE_M = 0.006;

  private final PlanarArmKinematics kinematics = PlanarArmKinematics.mantisPlanar3();
  private long episodeSeed = Long.MIN_VALUE;
  private TaskFamily episodeFamily;
  private int blockAxis = -1;

  public ScriptedExpert() {}

  /**
   * The next command: joint targets for the arm ({@link TabletopSim#step}) or the hand's table-plane
   * target {x, y} ({@link TabletopSim#stepHand}).
   */
  public double[] act(TabletopSim sim) {
    if (sim.stepCount() == 0 || sim.seed() != episodeSeed || sim.family() != episodeFamily) {
      episodeSeed = sim.seed();
      episodeFamily = sim.family();
      blockAxis = -1;
    }
    WorldState ws = sim.groundTruth();
    double[] goal = effectorGoal(ws, sim.success());
    if (ws.embodiment() == Embodiment.HAND) {
      return goal;
    }
    double[] q = ws.jointPositionsRad();
    Optional<double[]> ik = kinematics.inverseNearest(goal[0], goal[1], q, sim.robot());
    if (ik.isEmpty()) {
      double r = Math.hypot(goal[0], goal[1]);
      double s = Math.min(Table.REACH_MAX_M + 0.02, Math.max(Table.REACH_MIN_M, r)) / Math.max(r, 1e-9);
      ik = kinematics.inverseNearest(goal[0] * s, goal[1] * s, q, sim.robot());
    }
    return ik.orElse(q);
  }

  /** The effector's next position, at most {@link #LOOKAHEAD_M} away. */
  double[] effectorGoal(WorldState ws, boolean success) {
    ObjectState o = ws.taskObject();
    double ex = ws.effectorXM();
    double ey = ws.effectorYM();
    double r = ws.effectorRadiusM();
    if (success) {
      // Retreat: back away from the object.
      double dx = ex - o.xM();
      double dy = ey - o.yM();
      double d = Math.max(Math.hypot(dx, dy), 1e-9);
      return toward(ex, ey, ex + dx / d * LOOKAHEAD_M, ey + dy / d * LOOKAHEAD_M);
    }
    switch (ws.task().family()) {
      case REACH:
        return reach(ws, o, ex, ey, r);
      case PUSH_DIRECTION: {
        PushDirection d = ws.task().direction().orElseThrow();
        double gx = ws.task().startXM() + d.dx() * SceneGenerator.PUSH_DISTANCE_M;
        double gy = ws.task().startYM() + d.dy() * SceneGenerator.PUSH_DISTANCE_M;
        return push(ws, o, gx, gy, ex, ey, r);
      }
      case PUSH_TO_TARGET: {
        TargetZone t = ws.target(ws.task().targetName().orElseThrow()).orElseThrow();
        return push(ws, o, t.xM(), t.yM(), ex, ey, r);
      }
      default:
        throw new IllegalArgumentException(String.valueOf(ws.task().family()));
    }
  }

  private double[] reach(WorldState ws, ObjectState o, double ex, double ey, double r) {
    double h = o.halfSizeM();
    double rx = ex - o.xM();
    double ry = ey - o.yM();
    // Candidate approach sides, best aligned with where the effector already is.
    double[] best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    int dirs = 16;
    for (int k = 0; k < dirs; k++) {
      if (o.shape() == Shape.BLOCK && k % 4 != 0) {
        continue;
      }
      double a = 2 * Math.PI * k / dirs;
      double nx = Math.cos(a);
      double ny = Math.sin(a);
      double px = o.xM() + nx * (h + r + 0.02);
      double py = o.yM() + ny * (h + r + 0.02);
      if (ws.embodiment() == Embodiment.ARM && !Table.inWorkspace(px, py)) {
        continue;
      }
      boolean free = true;
      for (ObjectState other : ws.objects()) {
        if (!other.name().equals(o.name())
            && Math.hypot(other.xM() - px, other.yM() - py) < SceneGenerator.bound(other) + r + 0.005) {
          free = false;
        }
      }
      if (!free) {
        continue;
      }
      double score = (rx * nx + ry * ny) / Math.max(Math.hypot(rx, ry), 1e-9);
      if (score > bestScore) {
        bestScore = score;
        best = new double[] {nx, ny};
      }
    }
    if (best == null) {
      return toward(ex, ey, o.xM(), o.yM());
    }
    double nx = best[0];
    double ny = best[1];
    double along = rx * nx + ry * ny;
    double lat = -rx * ny + ry * nx;
    if (along >= h + r - 0.01 && along <= h + r + 0.03 && Math.abs(lat) < h * 0.5) {
      // Lined up in front of the chosen side: touch it.
      return toward(ex, ey, o.xM() + nx * (h + r - 0.004), o.yM() + ny * (h + r - 0.004));
    }
    return navigate(ws, ex, ey, o.xM() + nx * (h + r + 0.02), o.yM() + ny * (h + r + 0.02), r);
  }

  private double[] push(WorldState ws, ObjectState o, double gx, double gy, double ex, double ey, double r) {
    double h = o.halfSizeM();
    double rx = gx - o.xM();
    double ry = gy - o.yM();
    double ux;
    double uy;
    double remaining;
    if (o.shape() == Shape.DISC) {
      double d = Math.max(Math.hypot(rx, ry), 1e-9);
      ux = rx / d;
      uy = ry / d;
      remaining = d;
    } else {
      if (blockAxis < 0 || Math.abs(blockAxis == 0 ? rx : ry) < AXIS_DONE_M) {
        blockAxis = Math.abs(rx) >= Math.abs(ry) ? 0 : 1;
      }
      ux = blockAxis == 0 ? Math.signum(rx) : 0;
      uy = blockAxis == 1 ? Math.signum(ry) : 0;
      remaining = Math.abs(blockAxis == 0 ? rx : ry);
    }
    double cx = o.xM() - ux * (h + r);
    double cy = o.yM() - uy * (h + r);
    double relx = ex - o.xM();
    double rely = ey - o.yM();
    double along = relx * ux + rely * uy;
    double lat = -relx * uy + rely * ux;
    double latTol = o.shape() == Shape.BLOCK ? h * 0.45 : Math.max(0.006, h * 0.3);
    boolean behind = along <= -(h + r) + 0.012 && along >= -(h + r) - BEHIND_M - 0.015;
    if (behind && Math.abs(lat) < latTol) {
      double step = Math.min(LOOKAHEAD_M, remaining + 0.004);
      // Push through along u, pulling the lateral error back to the object's axis.
      return new double[] {cx + ux * step, cy + uy * step};
    }
    double px = o.xM() - ux * (h + r + BEHIND_M);
    double py = o.yM() - uy * (h + r + BEHIND_M);
    return navigate(ws, ex, ey, px, py, r);
  }

  /** Next point toward (gx, gy) around every object. */
  private double[] navigate(WorldState ws, double ex, double ey, double gx, double gy, double r) {
    List<PathPlanner.Circle> obstacles = new ArrayList<>();
    for (ObjectState other : ws.objects()) {
      obstacles.add(new PathPlanner.Circle(other.xM(), other.yM(), SceneGenerator.bound(other) + r + NAV_MARGIN_M));
    }
    double minR = ws.embodiment() == Embodiment.ARM ? Table.REACH_MIN_M - 0.02 : 0;
    double maxR = ws.embodiment() == Embodiment.ARM ? Table.REACH_MAX_M + 0.03 : 10;
    double[] w = PathPlanner.nextWaypoint(ex, ey, gx, gy, obstacles, minR, maxR);
    return toward(ex, ey, w[0], w[1]);
  }

  private static double[] toward(double ex, double ey, double x, double y) {
    double dx = x - ex;
    double dy = y - ey;
    double d = Math.hypot(dx, dy);
    if (d <= LOOKAHEAD_M) {
      return new double[] {x, y};
    }
    return new double[] {ex + dx / d * LOOKAHEAD_M, ey + dy / d * LOOKAHEAD_M};
  }
}
