package mantis.baseline;

import java.util.ArrayList;
import java.util.List;
import mantis.calibration.TablePoint;

/**
 * Decides where the tip goes, from the located scene and the episode's memory: reach the object's
 * nearest free side; for pushes, go behind the object (around it if needed), then push through.
 * Blocks are pushed face-on along table axes (they slide along the face normal), discs along the
 * line through their centre. Pure geometry; no I/O.
 */
final class TaskPlanner {
  /** Workspace radii the tip is kept inside, metres. */
  static final double MIN_RADIUS_M = 0.12;

  static final double MAX_RADIUS_M = 0.62;

  private final double pusherRadiusM;
  private final double freeSpeedMPerS;
  private final double pushSpeedMPerS;
  private final double pushDistanceM;

  TaskPlanner(
      double pusherRadiusM, double freeSpeedMPerS, double pushSpeedMPerS, double pushDistanceM) {
    this.pusherRadiusM = pusherRadiusM;
    this.freeSpeedMPerS = freeSpeedMPerS;
    this.pushSpeedMPerS = pushSpeedMPerS;
    this.pushDistanceM = pushDistanceM;
  }

  Plan plan(
      Instruction instruction,
      EpisodeMemory memory,
      TablePoint tip,
      TablePoint object,
      double halfSizeM,
      boolean disc,
      TablePoint target,
      List<SceneObject> obstacles) {
    return switch (instruction.kind()) {
      case REACH -> reach(tip, object, halfSizeM, disc, obstacles);
      case PUSH_DIRECTION -> pushDirection(instruction, memory, tip, object, halfSizeM, disc);
      case PUSH_TO_TARGET ->
          target == null
              ? Plan.hold("target not seen")
              : pushToTarget(memory, tip, object, halfSizeM, disc, target);
    };
  }

  // ----------------------------------------------------------------------------------------------
  // reach

  private Plan reach(
      TablePoint tip, TablePoint c, double h, boolean disc, List<SceneObject> obstacles) {
    double contact = h + pusherRadiusM;
    int directions = disc ? 16 : 4;
    double tx = tip.xM() - c.xM();
    double ty = tip.yM() - c.yM();
    double tn = Math.hypot(tx, ty);
    double bestCost = Double.POSITIVE_INFINITY;
    double bestNx = 0;
    double bestNy = -1;
    for (int k = 0; k < directions; k++) {
      double a = 2 * Math.PI * k / directions - Math.PI / 2;
      double nx = Math.cos(a);
      double ny = Math.sin(a);
      TablePoint stand = offset(c, nx, ny, contact + 0.03);
      TablePoint goal = offset(c, nx, ny, contact - 0.01);
      double cost = tn < 1e-9 ? 0 : 1 - (nx * tx + ny * ty) / tn;
      if (!inWorkspace(stand) || !inWorkspace(goal)) {
        cost += 10;
      }
      for (SceneObject o : obstacles) {
        double clear = o.boundM() + pusherRadiusM + 0.005;
        if (o.centre().distanceTo(stand) < clear || o.centre().distanceTo(goal) < clear) {
          cost += 5;
        }
      }
      if (cost < bestCost - 1e-9) {
        bestCost = cost;
        bestNx = nx;
        bestNy = ny;
      }
    }
    TablePoint goal = offset(c, bestNx, bestNy, contact - 0.012);
    TablePoint stand = offset(c, bestNx, bestNy, contact + 0.03);
    double along = tx * bestNx + ty * bestNy;
    double lateral = Math.abs(-tx * bestNy + ty * bestNx);
    double corridor = disc ? 0.6 * h : h - 0.004;
    List<TablePoint> waypoints = new ArrayList<>();
    if (!(along > contact - 0.02 && lateral < corridor)) {
      waypoints.addAll(around(tip, stand, c, boundOf(h, disc) + pusherRadiusM + 0.01));
    }
    waypoints.add(goal);
    return new Plan(waypoints, freeSpeedMPerS, List.of(c), "reach", Double.NaN);
  }

  // -------------------------------------------------------------------------------------------
  // pushes

  private Plan pushDirection(
      Instruction instruction,
      EpisodeMemory memory,
      TablePoint tip,
      TablePoint c,
      double h,
      boolean disc) {
    TablePoint start = memory.objectStart == null ? c : memory.objectStart;
    double dx = instruction.directionX();
    double dy = instruction.directionY();
    double progress = (c.xM() - start.xM()) * dx + (c.yM() - start.yM()) * dy;
    if (progress >= pushDistanceM - 0.005) {
      memory.phase = EpisodeMemory.Phase.DONE;
    }
    if (memory.phase == EpisodeMemory.Phase.DONE) {
      return Plan.hold("done");
    }
    TablePoint objectGoal = offset(start, dx, dy, pushDistanceM);
    double remaining = pushDistanceM - progress;
    return push(memory, tip, c, h, disc, dx, dy, remaining, objectGoal);
  }

  private Plan pushToTarget(
      EpisodeMemory memory,
      TablePoint tip,
      TablePoint c,
      double h,
      boolean disc,
      TablePoint target) {
    double ex = target.xM() - c.xM();
    double ey = target.yM() - c.yM();
    double tolerance = 0.012;
    if (disc
        ? Math.hypot(ex, ey) < tolerance
        : Math.abs(ex) < tolerance && Math.abs(ey) < tolerance) {
      memory.phase = EpisodeMemory.Phase.DONE;
      return Plan.hold("done");
    }
    if (memory.phase == EpisodeMemory.Phase.DONE) {
      memory.phase = EpisodeMemory.Phase.APPROACH;
    }
    double dx;
    double dy;
    double remaining;
    if (disc) {
      double e = Math.hypot(ex, ey);
      dx = ex / e;
      dy = ey / e;
      remaining = e;
    } else {
      // Blocks slide along a face normal: one axis at a time, the larger error first.
      int axis = memory.legAxis;
      if (axis < 0 || Math.abs(axis == 0 ? ex : ey) < tolerance) {
        int newAxis = Math.abs(ex) >= Math.abs(ey) ? 0 : 1;
        if (newAxis != axis) {
          memory.phase = EpisodeMemory.Phase.APPROACH;
        }
        axis = newAxis;
        memory.legAxis = axis;
      }
      double e = axis == 0 ? ex : ey;
      dx = axis == 0 ? Math.signum(e) : 0;
      dy = axis == 1 ? Math.signum(e) : 0;
      remaining = Math.abs(e);
    }
    return push(memory, tip, c, h, disc, dx, dy, remaining, target);
  }

  /** Approach behind the object (opposite to d), then push it {@code remaining} metres along d. */
  private Plan push(
      EpisodeMemory memory,
      TablePoint tip,
      TablePoint c,
      double h,
      boolean disc,
      double dx,
      double dy,
      double remaining,
      TablePoint objectGoal) {
    double contact = h + pusherRadiusM;
    if (memory.phase == EpisodeMemory.Phase.PUSH
        && (Math.abs(memory.pushDx - dx) > 1e-3 || Math.abs(memory.pushDy - dy) > 1e-3)) {
      // The direction turned (disc steering): keep pushing while the tip is still behind the
      // object.
      double turn = memory.pushDx * dx + memory.pushDy * dy;
      if (!disc || turn < Math.cos(Math.toRadians(35))) {
        memory.phase = EpisodeMemory.Phase.APPROACH;
      }
    }
    memory.pushDx = dx;
    memory.pushDy = dy;
    double tx = tip.xM() - c.xM();
    double ty = tip.yM() - c.yM();
    double along = tx * dx + ty * dy; // negative when behind the object
    double lateral = -tx * dy + ty * dx;
    double lateralTolerance = disc ? 0.55 * h : h - 0.006;
    TablePoint prePush = offset(c, -dx, -dy, contact + 0.035);
    List<TablePoint> objectPath = List.of(c, objectGoal);

    if (memory.phase == EpisodeMemory.Phase.PUSH) {
      boolean lost = Math.abs(lateral) > lateralTolerance || along < -(contact + 0.06) || along > 0;
      if (lost) {
        memory.phase = EpisodeMemory.Phase.APPROACH;
      }
    }
    if (memory.phase == EpisodeMemory.Phase.APPROACH) {
      boolean behind =
          along < -(contact - 0.005)
              && along > -(contact + 0.05)
              && Math.abs(lateral) < 0.5 * lateralTolerance;
      if (tip.distanceTo(prePush) < 0.012 || behind) {
        memory.phase = EpisodeMemory.Phase.PUSH;
      } else {
        List<TablePoint> waypoints =
            around(tip, prePush, c, boundOf(h, disc) + pusherRadiusM + 0.012);
        return new Plan(waypoints, freeSpeedMPerS, objectPath, "approach", Math.atan2(dy, dx));
      }
    }
    // Push: the tip moves along d on the line through the object's centre, until the object has
    // travelled the remaining distance.
    double end = remaining - contact + 0.004;
    TablePoint tipGoal = offset(c, dx, dy, end);
    return new Plan(List.of(tipGoal), pushSpeedMPerS, objectPath, "push", Math.atan2(dy, dx));
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  /**
   * Waypoints from {@code from} to {@code to} that keep outside the circle (c, clearance): straight
   * when clear, else around the side of the circle the tip is on.
   */
  static List<TablePoint> around(TablePoint from, TablePoint to, TablePoint c, double clearance) {
    List<TablePoint> out = new ArrayList<>();
    if (segmentDistance(c, from, to) >= clearance) {
      out.add(to);
      return out;
    }
    double ux = to.xM() - c.xM();
    double uy = to.yM() - c.yM();
    double un = Math.hypot(ux, uy);
    if (un < 1e-9) {
      out.add(to);
      return out;
    }
    ux /= un;
    uy /= un;
    double vx = -uy;
    double vy = ux;
    double side = (from.xM() - c.xM()) * vx + (from.yM() - c.yM()) * vy;
    double s = side >= 0 ? 1 : -1;
    // Prefer the side that stays in the workspace.
    double r = clearance * 1.2;
    TablePoint backCorner =
        new TablePoint(c.xM() + s * vx * r + ux * 0.7 * r, c.yM() + s * vy * r + uy * 0.7 * r);
    if (!inWorkspace(backCorner)) {
      s = -s;
      backCorner =
          new TablePoint(c.xM() + s * vx * r + ux * 0.7 * r, c.yM() + s * vy * r + uy * 0.7 * r);
    }
    TablePoint frontCorner =
        new TablePoint(c.xM() + s * vx * r - ux * 0.7 * r, c.yM() + s * vy * r - uy * 0.7 * r);
    if (segmentDistance(c, from, backCorner) < clearance) {
      out.add(clampToWorkspace(frontCorner));
    }
    out.add(clampToWorkspace(backCorner));
    out.add(to);
    return out;
  }

  static double segmentDistance(TablePoint p, TablePoint a, TablePoint b) {
    double vx = b.xM() - a.xM();
    double vy = b.yM() - a.yM();
    double l2 = vx * vx + vy * vy;
    double t = l2 < 1e-18 ? 0 : ((p.xM() - a.xM()) * vx + (p.yM() - a.yM()) * vy) / l2;
    t = Math.max(0, Math.min(1, t));
    return Math.hypot(p.xM() - (a.xM() + t * vx), p.yM() - (a.yM() + t * vy));
  }

  static boolean inWorkspace(TablePoint p) {
    double r = Math.hypot(p.xM(), p.yM());
    return r >= MIN_RADIUS_M && r <= MAX_RADIUS_M;
  }

  static TablePoint clampToWorkspace(TablePoint p) {
    double r = Math.hypot(p.xM(), p.yM());
    if (r < 1e-9) {
      return new TablePoint(0, MIN_RADIUS_M);
    }
    double clamped = Math.max(MIN_RADIUS_M, Math.min(MAX_RADIUS_M, r));
    return new TablePoint(p.xM() * clamped / r, p.yM() * clamped / r);
  }

  private static TablePoint offset(TablePoint c, double dx, double dy, double distanceM) {
    return new TablePoint(c.xM() + dx * distanceM, c.yM() + dy * distanceM);
  }

  private static double boundOf(double h, boolean disc) {
    return disc ? h : h * Math.sqrt(2);
  }
}
