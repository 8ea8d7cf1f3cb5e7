package mantis.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.kinematics.IkResult;

/**
 * A scripted expert that solves every task family for both embodiments from privileged state
 * ({@link TabletopSim#groundTruth()}).
 *
 * <p>It plans in the table plane for the effector (pusher tip or palm):
 *
 * <ul>
 *   <li>reach: go around other objects to a free side of the object (a face for blocks) and touch
 *       it;
 *   <li>push (direction or onto a target): go around everything to a point behind the object
 *       opposite the push direction, push through while steering (discs straight toward the goal,
 *       blocks one axis at a time through the middle of a face, so they slide straight),
 *       re-approach if the object slips off, and retreat once the task holds.
 * </ul>
 *
 * <p>The effector follows a reference point that moves toward the current goal with limited speed
 * and acceleration (0.4 m/s, 2 m/s²), so the position-controlled arm tracks it closely. For the
 * arm, each reference point becomes joint targets through inverse kinematics: a preferred posture
 * (see {@link Table#preferredHeading}) when it is inside the limits and close to the previous
 * command, otherwise {@link PlanarArmKinematics#inverseNearest} nearest to the previous command.
 *
 * <p>{@link #act} returns joint targets for the arm and a table point {x, y} for the hand. One
 * instance follows one simulator; it notices resets by itself. Not thread-safe.
 */
public final class ScriptedExpert {
  private static final double MAX_SPEED_M_PER_S = 0.4;
  private static final double MAX_ACCEL_M_PER_S2 = 2.0;
  private static final double MAX_WRIST_TURN_RAD_PER_S = 1.5;

  /** The reference is re-anchored on the effector when they drift further apart than this. */
  private static final double MAX_LAG_M = 0.04;

  private static final double NAV_MARGIN_M = 0.008;
  private static final double BEHIND_M = 0.025;
  private static final double AXIS_DONE_M = 0.006;

  private final PlanarArmKinematics kinematics = PlanarArmKinematics.mantisPlanar3();

  /** Largest joint change from the last command the expert accepts from IK, rad. */
  private static final double MAX_IK_JUMP_RAD = 0.6;

  /** The arm of the simulator being driven (the planar arm until the first {@link #act}). */
  private SimRobot arm;

  private long episodeSeed = Long.MIN_VALUE;
  private TaskFamily episodeFamily;
  private long lastStep = -1;
  private int blockAxis = -1;
  private double[] lastCommand;
  private double[] reference;
  private double speed;
  private double dirX;
  private double dirY;

  /** Random-play mode (see {@link #randomPlay}); null for the task-solving expert. */
  private final Long playSeed;

  private java.util.SplittableRandom playRandom;
  private double[] playGoal;
  private long playRetargetStep;

  public ScriptedExpert() {
    this.playSeed = null;
  }

  private ScriptedExpert(long playSeed) {
    this.playSeed = playSeed;
  }

  /**
   * A play-data generator instead of a task solver: the effector heads for random waypoints in the
   * workspace (x in [-0.32, 0.32] m, y in [0.12, 0.58] m, reachable by the arm), a new one every
   * 0.5 to 1.5 s of simulated time or when reached, with the same smooth reference, speed limits
   * and inverse kinematics as the expert. The waypoints are drawn from {@code seed} and the episode
   * seed, so a replay is identical. Its motion cannot be guessed from the scene, unlike the
   * expert's (which heads for the task's object).
   */
  public static ScriptedExpert randomPlay(long seed) {
    return new ScriptedExpert(seed);
  }

  /**
   * Whether this instance plays random waypoints ({@link #randomPlay}) instead of solving the task.
   */
  public boolean isRandomPlay() {
    return playSeed != null;
  }

  private double[] playGoal(WorldState ws, long step, int physicsHz) {
    if (playGoal == null
        || step >= playRetargetStep
        || Math.hypot(playGoal[0] - ws.effectorXM(), playGoal[1] - ws.effectorYM()) < 0.01) {
      double x;
      double y;
      do {
        x = -0.32 + 0.64 * playRandom.nextDouble();
        y = 0.12 + 0.46 * playRandom.nextDouble();
      } while (!armInWorkspace(x, y));
      playGoal = new double[] {x, y};
      playRetargetStep = step + (long) Math.ceil(physicsHz * (0.5 + playRandom.nextDouble()));
    }
    return playGoal;
  }

  /**
   * The next command: joint targets for the arm ({@link TabletopSim#step}) or the hand's
   * table-plane target {x, y} ({@link TabletopSim#stepHand}).
   */
  public double[] act(TabletopSim sim) {
    long step = sim.stepCount();
    if (step == 0
        || step < lastStep
        || sim.seed() != episodeSeed
        || sim.family() != episodeFamily) {
      episodeSeed = sim.seed();
      episodeFamily = sim.family();
      blockAxis = -1;
      lastCommand = null;
      reference = null;
      if (playSeed != null) {
        playRandom = new java.util.SplittableRandom(playSeed * 0x9E3779B97F4A7C15L ^ sim.seed());
        playGoal = null;
      }
    }
    lastStep = step;
    arm = sim.arm();
    WorldState ws = sim.groundTruth();
    double[] goal =
        playSeed != null
            ? playGoal(ws, step, sim.config().physicsHz())
            : effectorGoal(ws, sim.success());
    double vMax = MAX_SPEED_M_PER_S;
    if (ws.embodiment() == Embodiment.ARM && arm.planar()) {
      // Where the preferred posture turns quickly with the radius, slow down so the wrist keeps up.
      double slope = Table.preferredHeadingSlope(ws.effectorXM(), ws.effectorYM());
      vMax = Math.min(vMax, MAX_WRIST_TURN_RAD_PER_S / Math.max(slope, 1e-9));
    }
    double[] point =
        advanceReference(
            ws.effectorXM(), ws.effectorYM(), goal, vMax, 1.0 / sim.config().physicsHz());
    if (ws.embodiment() == Embodiment.HAND) {
      return point;
    }
    double[] q = ws.jointPositionsRad();
    double[] ref = lastCommand != null ? lastCommand : q;
    if (!arm.planar()) {
      lastCommand = spatialTargets(point[0], point[1], ref);
      return lastCommand.clone();
    }
    Optional<double[]> ik = armTargets(point[0], point[1], ref, sim);
    if (ik.isEmpty()) {
      double r = Math.hypot(point[0], point[1]);
      double s =
          Math.min(Table.REACH_MAX_M + 0.02, Math.max(Table.REACH_MIN_M, r)) / Math.max(r, 1e-9);
      ik = armTargets(point[0] * s, point[1] * s, ref, sim);
    }
    lastCommand = ik.orElse(ref).clone();
    return lastCommand.clone();
  }

  /**
   * A spatial arm's joint targets for a tip position: the tip at {@link SimRobot#PUSH_HEIGHT_M},
   * pointing down, solved from the previous command. A target outside the arm's comfortable
   * workspace is first pulled radially into it; a solution that would move a joint more than {@link
   * #MAX_IK_JUMP_RAD} (IK found another branch) or no solution keeps the previous command.
   */
  private double[] spatialTargets(double x, double y, double[] ref) {
    double r = Math.hypot(x, y);
    double s = Math.min(arm.reachMaxM(), Math.max(arm.reachMinM(), r)) / Math.max(r, 1e-9);
    IkResult res = arm.model().reach().reach(x * s, y * s, SimRobot.PUSH_HEIGHT_M, ref);
    Optional<double[]> qq = res.joints();
    if (qq.isEmpty()) {
      return ref.clone();
    }
    double[] t = qq.get();
    for (int j = 0; j < t.length; j++) {
      if (Math.abs(t[j] - ref[j]) > MAX_IK_JUMP_RAD) {
        return ref.clone();
      }
    }
    return t;
  }

  /** Moves the reference point toward the goal within the speed and acceleration limits. */
  private double[] advanceReference(
      double ex, double ey, double[] goal, double maxSpeed, double dt) {
    if (reference == null || Math.hypot(reference[0] - ex, reference[1] - ey) > MAX_LAG_M) {
      reference = new double[] {ex, ey};
      speed = 0;
    }
    double dx = goal[0] - reference[0];
    double dy = goal[1] - reference[1];
    double d = Math.hypot(dx, dy);
    if (d < 1e-9) {
      speed = 0;
      return reference.clone();
    }
    double ux = dx / d;
    double uy = dy / d;
    // Slow down for turns: keep only the part of the speed along the new direction.
    double turn = ux * dirX + uy * dirY;
    speed *= Math.max(0, turn);
    dirX = ux;
    dirY = uy;
    double vMax = Math.min(maxSpeed, Math.sqrt(2 * MAX_ACCEL_M_PER_S2 * d));
    speed = Math.min(vMax, speed + MAX_ACCEL_M_PER_S2 * dt);
    double stepM = Math.min(d, speed * dt);
    reference[0] += ux * stepM;
    reference[1] += uy * stepM;
    return reference.clone();
  }

  /**
   * Joint targets for a tip position: the preferred posture when it is inside the limits and close
   * to the previous command, otherwise the solution nearest to the previous command (not to the
   * measured joints, whose tracking lag would otherwise feed back into the choice).
   */
  private Optional<double[]> armTargets(double x, double y, double[] ref, TabletopSim sim) {
    double[] p = Table.inverse(x, y, Table.preferredHeading(x, y));
    if (p != null && SceneGenerator.insideLimits(sim.robot(), p)) {
      double jump = 0;
      for (int j = 0; j < p.length; j++) {
        jump = Math.max(jump, Math.abs(p[j] - ref[j]));
      }
      if (jump < 1.0) {
        return Optional.of(p);
      }
    }
    return kinematics.inverseNearest(x, y, ref, sim.robot());
  }

  /** Where the effector should head now. */
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
      return new double[] {ex + dx / d * 0.05, ey + dy / d * 0.05};
    }
    switch (ws.task().family()) {
      case REACH:
        return reach(ws, o, ex, ey, r);
      case PUSH_DIRECTION:
        {
          PushDirection d = ws.task().direction().orElseThrow();
          double gx = ws.task().startXM() + d.dx() * SceneGenerator.PUSH_DISTANCE_M;
          double gy = ws.task().startYM() + d.dy() * SceneGenerator.PUSH_DISTANCE_M;
          return push(ws, o, gx, gy, ex, ey, r);
        }
      case PUSH_TO_TARGET:
        {
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
      if (ws.embodiment() == Embodiment.ARM && !armInWorkspace(px, py)) {
        continue;
      }
      boolean free = true;
      for (ObjectState other : ws.objects()) {
        if (!other.name().equals(o.name())
            && Math.hypot(other.xM() - px, other.yM() - py)
                < SceneGenerator.bound(other) + r + 0.005) {
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
      return new double[] {o.xM(), o.yM()};
    }
    double nx = best[0];
    double ny = best[1];
    double along = rx * nx + ry * ny;
    double lat = -rx * ny + ry * nx;
    if (along >= h + r - 0.01 && along <= h + r + 0.03 && Math.abs(lat) < h * 0.5) {
      // Lined up in front of the chosen side: touch it.
      return new double[] {o.xM() + nx * (h + r - 0.004), o.yM() + ny * (h + r - 0.004)};
    }
    return navigate(ws, ex, ey, o.xM() + nx * (h + r + 0.02), o.yM() + ny * (h + r + 0.02), r);
  }

  private double[] push(
      WorldState ws, ObjectState o, double gx, double gy, double ex, double ey, double r) {
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
    double relx = ex - o.xM();
    double rely = ey - o.yM();
    double along = relx * ux + rely * uy;
    double lat = -relx * uy + rely * ux;
    double latTol = o.shape() == Shape.BLOCK ? h * 0.45 : Math.max(0.006, h * 0.3);
    boolean behind = along <= -(h + r) + 0.012 && along >= -(h + r) - BEHIND_M - 0.015;
    if (behind && Math.abs(lat) < latTol) {
      // Push through along u from the contact point behind the object's centre line.
      double push = remaining + 0.003;
      return new double[] {o.xM() - ux * (h + r) + ux * push, o.yM() - uy * (h + r) + uy * push};
    }
    double px = o.xM() - ux * (h + r + BEHIND_M);
    double py = o.yM() - uy * (h + r + BEHIND_M);
    return navigate(ws, ex, ey, px, py, r);
  }

  private boolean armInWorkspace(double x, double y) {
    return arm == null ? Table.inWorkspace(x, y) : arm.inWorkspace(x, y);
  }

  /** Next waypoint toward (gx, gy) around every object. */
  private double[] navigate(WorldState ws, double ex, double ey, double gx, double gy, double r) {
    List<PathPlanner.Circle> obstacles = new ArrayList<>();
    for (ObjectState other : ws.objects()) {
      obstacles.add(
          new PathPlanner.Circle(
              other.xM(), other.yM(), SceneGenerator.bound(other) + r + NAV_MARGIN_M));
    }
    double minR = 0;
    double maxR = 10;
    if (ws.embodiment() == Embodiment.ARM) {
      minR = (arm == null ? Table.REACH_MIN_M : arm.reachMinM()) - 0.02;
      maxR = (arm == null ? Table.REACH_MAX_M : arm.reachMaxM()) + 0.03;
    }
    return PathPlanner.nextWaypoint(ex, ey, gx, gy, obstacles, minR, maxR);
  }
}
