package mantis.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/**
 * Samples a scene and a task for (seed, family). Only scenes whose task can be carried out are
 * returned: the approach and push positions are inside the arm's comfortable workspace, the
 * object's path is clear of other objects and stays on the table. Scenes do not depend on the
 * embodiment or on domain randomisation, so the arm and the hand see the same scene for the same
 * seed.
 */
final class SceneGenerator {
  static final int MIN_OBJECTS = 2;
  static final int MAX_OBJECTS = 6;
  static final double MIN_HALF_M = 0.022;
  static final double MAX_HALF_M = 0.032;
  static final double MIN_TARGET_HALF_M = 0.05;
  static final double MAX_TARGET_HALF_M = 0.065;

  /** Push-direction tasks: how far the expert aims to push, metres (success needs 0.08). */
  static final double PUSH_DISTANCE_M = 0.12;

  /** Effector radius used for feasibility (the larger of pusher and palm). */
  private static final double R = Math.max(Table.PUSHER_RADIUS_M, Table.HAND_RADIUS_M);

  private static final double GAP_M = 0.03;

  private SceneGenerator() {}

  /** A generated scene. */
  record Scene(
      List<ObjectState> objects,
      List<TargetZone> targets,
      Task task,
      double[] homeJointsRad,
      double handStartXM,
      double handStartYM) {}

  static Scene generate(long seed, TaskFamily family, boolean distinctColours, RobotSpec limits) {
    SplittableRandom rng = new SplittableRandom(mix(seed, family.ordinal()));
    for (int attempt = 0; attempt < 10_000; attempt++) {
      Optional<Scene> s = tryGenerate(rng, family, distinctColours, limits);
      if (s.isPresent()) {
        return s.get();
      }
    }
    throw new IllegalStateException(
        "could not generate a feasible scene for seed " + seed + " " + family);
  }

  static long mix(long seed, long salt) {
    long z = seed * 0x9E3779B97F4A7C15L + (salt + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static Optional<Scene> tryGenerate(
      SplittableRandom rng, TaskFamily family, boolean distinctColours, RobotSpec limits) {
    int n = MIN_OBJECTS + rng.nextInt(MAX_OBJECTS - MIN_OBJECTS + 1);
    int targetCount = 1 + rng.nextInt(2);
    PaletteColour[] palette = PaletteColour.values();
    shuffle(palette, rng);

    // Colours and shapes: every object uniquely named "<colour> <shape>"; target colours unused by
    // objects.
    List<PaletteColour> objectColours = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < n; i++) {
      Shape shape = rng.nextBoolean() ? Shape.BLOCK : Shape.DISC;
      PaletteColour c;
      if (distinctColours || i == 0 || rng.nextDouble() < 0.7) {
        c = palette[next++];
      } else {
        c = objectColours.get(rng.nextInt(objectColours.size()));
        shape = shapes.get(objectColours.indexOf(c)) == Shape.BLOCK ? Shape.DISC : Shape.BLOCK;
        String name = c.word() + " " + shape.word();
        if (names.contains(name)) {
          c = palette[next++];
        }
      }
      objectColours.add(c);
      shapes.add(shape);
      names.add(c.word() + " " + shape.word());
    }
    if (palette.length - next < targetCount) {
      targetCount = palette.length - next;
    }
    if (targetCount < 1) {
      return Optional.empty();
    }

    // Targets first (they are large), then objects around them.
    List<TargetZone> targets = new ArrayList<>();
    for (int t = 0; t < targetCount; t++) {
      double th = uniform(rng, MIN_TARGET_HALF_M, MAX_TARGET_HALF_M);
      boolean placed = false;
      for (int tries = 0; tries < 50 && !placed; tries++) {
        double tx = uniform(rng, Table.REGION_X_MIN + th, Table.REGION_X_MAX - th);
        double ty = uniform(rng, Table.REGION_Y_MIN + th, Table.REGION_Y_MAX - th);
        boolean ok = Table.inWorkspace(tx, ty);
        for (TargetZone other : targets) {
          if (Math.abs(other.xM() - tx) < other.halfSizeM() + th + 0.02
              && Math.abs(other.yM() - ty) < other.halfSizeM() + th + 0.02) {
            ok = false;
          }
        }
        if (ok) {
          PaletteColour c = palette[next++];
          targets.add(new TargetZone(c.word() + " target", c, c.rgb(), tx, ty, th));
          placed = true;
        }
      }
      if (!placed) {
        return Optional.empty();
      }
    }

    List<ObjectState> objects = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Shape shape = shapes.get(i);
      double h = uniform(rng, MIN_HALF_M, MAX_HALF_M);
      double b = bound(shape, h);
      boolean placed = false;
      for (int tries = 0; tries < 100 && !placed; tries++) {
        double ox = uniform(rng, Table.REGION_X_MIN + h, Table.REGION_X_MAX - h);
        double oy = uniform(rng, Table.REGION_Y_MIN + h, Table.REGION_Y_MAX - h);
        boolean ok = Table.inWorkspace(ox, oy);
        for (ObjectState o : objects) {
          if (Math.hypot(o.xM() - ox, o.yM() - oy) < b + bound(o) + GAP_M) {
            ok = false;
          }
        }
        for (TargetZone t : targets) {
          if (Math.abs(t.xM() - ox) < t.halfSizeM() + b + 0.01
              && Math.abs(t.yM() - oy) < t.halfSizeM() + b + 0.01) {
            ok = false;
          }
        }
        if (ok) {
          PaletteColour c = objectColours.get(i);
          int rgb = jitter(c.rgb(), rng);
          double height = shape == Shape.BLOCK ? Table.BLOCK_HEIGHT_M : Table.DISC_HEIGHT_M;
          objects.add(new ObjectState(names.get(i), c, rgb, shape, ox, oy, 0.0, h, height));
          placed = true;
        }
      }
      if (!placed) {
        return Optional.empty();
      }
    }

    Optional<Task> task = chooseTask(rng, family, objects, targets);
    if (task.isEmpty()) {
      return Optional.empty();
    }
    double[] home = homePose(rng, limits);
    if (home == null) {
      return Optional.empty();
    }
    double handX = uniform(rng, -0.05, 0.05);
    double handY = uniform(rng, 0.11, 0.13);
    return Optional.of(new Scene(objects, targets, task.get(), home, handX, handY));
  }

  private static Optional<Task> chooseTask(
      SplittableRandom rng,
      TaskFamily family,
      List<ObjectState> objects,
      List<TargetZone> targets) {
    int[] order = permutation(objects.size(), rng);
    PushDirection[] dirs = PushDirection.values();
    shuffle(dirs, rng);
    int[] targetOrder = permutation(targets.size(), rng);
    for (int idx : order) {
      ObjectState o = objects.get(idx);
      switch (family) {
        case REACH:
          if (reachFeasible(o, objects)) {
            return Optional.of(
                new Task(
                    family,
                    o.name(),
                    Optional.empty(),
                    Optional.empty(),
                    o.xM(),
                    o.yM(),
                    Instructions.reach(o.name(), rng)));
          }
          break;
        case PUSH_DIRECTION:
          for (PushDirection d : dirs) {
            double gx = o.xM() + d.dx() * PUSH_DISTANCE_M;
            double gy = o.yM() + d.dy() * PUSH_DISTANCE_M;
            if (pushFeasible(o, gx, gy, objects)) {
              return Optional.of(
                  new Task(
                      family,
                      o.name(),
                      Optional.of(d),
                      Optional.empty(),
                      o.xM(),
                      o.yM(),
                      Instructions.pushDirection(o.name(), d, rng)));
            }
          }
          break;
        case PUSH_TO_TARGET:
          for (int ti : targetOrder) {
            TargetZone t = targets.get(ti);
            double dist = Math.hypot(t.xM() - o.xM(), t.yM() - o.yM());
            if (dist >= 0.10 && dist <= 0.35 && pushFeasible(o, t.xM(), t.yM(), objects)) {
              return Optional.of(
                  new Task(
                      family,
                      o.name(),
                      Optional.empty(),
                      Optional.of(t.name()),
                      o.xM(),
                      o.yM(),
                      Instructions.pushToTarget(o.name(), t.name(), rng)));
            }
          }
          break;
        default:
          throw new IllegalArgumentException(String.valueOf(family));
      }
    }
    return Optional.empty();
  }

  /** Some approach side of the object is reachable and free of other objects. */
  static boolean reachFeasible(ObjectState o, List<ObjectState> objects) {
    int dirs = 8;
    for (int k = 0; k < dirs; k++) {
      double a = 2 * Math.PI * k / dirs;
      if (o.shape() == Shape.BLOCK && k % 2 == 1) {
        continue;
      }
      double ax = o.xM() + Math.cos(a) * (o.halfSizeM() + R + 0.01);
      double ay = o.yM() + Math.sin(a) * (o.halfSizeM() + R + 0.01);
      if (!Table.inWorkspace(ax, ay)) {
        continue;
      }
      boolean clear = true;
      for (ObjectState other : objects) {
        if (other != o && Math.hypot(other.xM() - ax, other.yM() - ay) < bound(other) + R + 0.01) {
          clear = false;
        }
      }
      if (clear) {
        return true;
      }
    }
    return false;
  }

  /**
   * The object can be pushed from its centre to (gx, gy) along the path the expert takes (straight
   * for discs, larger axis first for blocks) without hitting another object, staying on the table
   * and with every pusher position in the workspace.
   */
  static boolean pushFeasible(ObjectState o, double gx, double gy, List<ObjectState> objects) {
    double h = o.halfSizeM();
    if (gx - h < Table.X_MIN + 0.01
        || gx + h > Table.X_MAX - 0.01
        || gy - h < Table.Y_MIN + 0.01
        || gy + h > Table.Y_MAX - 0.01) {
      return false;
    }
    double[][] legs = pushLegs(o.shape(), o.xM(), o.yM(), gx, gy);
    for (double[] leg : legs) {
      double ax = leg[0];
      double ay = leg[1];
      double bx = leg[2];
      double by = leg[3];
      double len = Math.hypot(bx - ax, by - ay);
      if (len < 1e-9) {
        continue;
      }
      double ux = (bx - ax) / len;
      double uy = (by - ay) / len;
      double back = h + R + 0.04;
      double px = ax - ux * back;
      double py = ay - uy * back;
      if (!Table.inWorkspace(px, py)
          || !Table.inWorkspace(bx - ux * (h + R) + ux * 0.02, by - uy * (h + R) + uy * 0.02)) {
        return false;
      }
      for (ObjectState other : objects) {
        if (other == o) {
          continue;
        }
        double d = segmentDistance(other.xM(), other.yM(), px, py, bx + ux * 0.02, by + uy * 0.02);
        if (d < bound(other) + bound(o) + 0.015) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The object's path as legs {ax, ay, bx, by}: straight for a disc, larger axis first for a block.
   */
  static double[][] pushLegs(Shape shape, double cx, double cy, double gx, double gy) {
    if (shape == Shape.DISC) {
      return new double[][] {{cx, cy, gx, gy}};
    }
    if (Math.abs(gx - cx) >= Math.abs(gy - cy)) {
      return new double[][] {{cx, cy, gx, cy}, {gx, cy, gx, gy}};
    }
    return new double[][] {{cx, cy, cx, gy}, {cx, gy, gx, gy}};
  }

  static double segmentDistance(double x, double y, double ax, double ay, double bx, double by) {
    double vx = bx - ax;
    double vy = by - ay;
    double l2 = vx * vx + vy * vy;
    double t = l2 < 1e-18 ? 0 : ((x - ax) * vx + (y - ay) * vy) / l2;
    t = Math.max(0, Math.min(1, t));
    return Math.hypot(x - (ax + t * vx), y - (ay + t * vy));
  }

  /** Radius of the object's bounding circle. */
  static double bound(ObjectState o) {
    return bound(o.shape(), o.halfSizeM());
  }

  static double bound(Shape shape, double half) {
    return shape == Shape.BLOCK ? half * Math.sqrt(2) : half;
  }

  /** A folded home pose with the tip near (0, 0.09), jittered; null if outside the limits. */
  private static double[] homePose(SplittableRandom rng, RobotSpec limits) {
    double tx = uniform(rng, -0.03, 0.03);
    double ty = uniform(rng, 0.08, 0.10);
    double heading = Table.preferredHeading(tx, ty) + uniform(rng, -0.1, 0.1);
    double[] q = Table.inverse(tx, ty, heading);
    if (q == null) {
      return null;
    }
    return insideLimits(limits, q) ? q : null;
  }

  /** Small hue and brightness jitter around a palette colour. */
  static int jitter(int rgb, SplittableRandom rng) {
    double[] hsv = Colours.toHsv(rgb);
    double h = hsv[0] + uniform(rng, -4, 4);
    double s = Math.max(0.55, Math.min(1.0, hsv[1] * uniform(rng, 0.92, 1.05)));
    double v = Math.max(0.5, Math.min(1.0, hsv[2] * uniform(rng, 0.9, 1.08)));
    return Colours.fromHsv(h, s, v);
  }

  static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  private static int[] permutation(int n, SplittableRandom rng) {
    int[] p = new int[n];
    Arrays.setAll(p, i -> i);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static <T> void shuffle(T[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  static boolean insideLimits(RobotSpec limits, double[] q) {
    for (int j = 0; j < q.length; j++) {
      JointLimits l = limits.joint(j);
      if (!(q[j] >= l.minPositionRad() && q[j] <= l.maxPositionRad())) {
        return false;
      }
    }
    return true;
  }
}
