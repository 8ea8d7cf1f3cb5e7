package mantis.core.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.Trace;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Property tests: hundreds of thousands of random and adversarial chunks and joint states go
 * through the filter and an independent {@link InvariantChecker} must find zero violations in what
 * comes out.
 */
class SafetyFilterPropertyTest {
  private static final double[] NASTY = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    1e300,
    -1e300,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    Double.MIN_VALUE,
    -0.0,
    1e-300,
    7.0,
    -7.0
  };
  private static final long[] SPACINGS_NANOS = {
    0,
    1,
    1_000,
    500_000,
    999_999,
    1_000_000,
    1_000_001,
    5_000_000,
    20_000_000,
    100_000_000,
    1_000_000_000L,
    60_000_000_000L,
    1_000_000_000_000_000L
  };

  /** A robot with asymmetric, narrow and wide ranges and very different rate limits. */
  private static RobotSpec oddRobot() {
    return new RobotSpec(
        "odd-6",
        List.of(
            new JointLimits("a", -0.3, 0.1, 0.5, 1.0),
            new JointLimits("b", 0.0, 3.1, 6.0, 40.0),
            new JointLimits("c", -10.0, 10.0, 0.05, 0.2),
            new JointLimits("d", 1.0, 1.2, 1.0, 100.0),
            new JointLimits("e", -3.2, 3.2, 3.0, 3.0),
            new JointLimits("f", -1.0, 1.0, 100.0, 5000.0)));
  }

  private static RobotSpec oneJoint() {
    return new RobotSpec("one", List.of(new JointLimits("j", -1.0, 1.0, 1.0, 4.0)));
  }

  private record Setup(
      RobotSpec robot, double margin, SafetyFilter filter, InvariantChecker checker) {}

  @Tag("slow")
  @Test
  void noViolationLeavesTheFilterForTwoHundredThousandRandomAndAdversarialChunks() {
    FakeClock clock = new FakeClock(5_000_000_000L);
    List<Setup> setups = new ArrayList<>();
    for (RobotSpec r : List.of(RobotSpecs.mantisPlanar3(), oddRobot(), oneJoint())) {
      for (double m : new double[] {0.0, 0.02}) {
        SafetyFilter f =
            SafetyFilter.builder().setRobot(r).optPositionMarginRad(m).optClock(clock).build();
        setups.add(new Setup(r, m, f, new InvariantChecker(r, m)));
      }
    }
    SplittableRandom rnd = new SplittableRandom(20240607L);
    int chunks = 200_000;
    int held = 0;
    int moved = 0;
    int movedWithCorrections = 0;
    int passedUnchanged = 0;
    List<String> failures = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      Setup s = setups.get(rnd.nextInt(setups.size()));
      clock.advanceNanos(rnd.nextLong(0, 50_000_000L));
      boolean estop = rnd.nextInt(40) == 0;
      if (estop) {
        s.filter.estop("test");
      }
      JointState current = randomState(rnd, s.robot);
      ActionChunk raw = randomChunk(rnd, s.robot, current, clock.nanoTime());
      long now = clock.nanoTime();
      SafetyResult r;
      try {
        r = s.filter.filter(raw, current);
      } catch (RuntimeException e) {
        failures.add("chunk " + c + " threw " + e);
        continue;
      } finally {
        s.filter.reset();
      }
      List<String> v = s.checker.violations(raw, current, now, estop, r);
      if (!v.isEmpty() && failures.size() < 20) {
        failures.add(
            "chunk "
                + c
                + " on "
                + s.robot.name()
                + " margin "
                + s.margin
                + ": "
                + v
                + "\n  raw="
                + describe(raw)
                + "\n  current="
                + describe(current)
                + "\n  out="
                + describe(r.chunk())
                + "\n  interventions="
                + r.interventions());
      }
      if (r.held()) {
        held++;
      } else if (r.passedUnchanged()) {
        passedUnchanged++;
        moved++;
      } else {
        moved++;
        movedWithCorrections++;
      }
    }
    assertTrue(
        failures.isEmpty(),
        failures.size() + " failing chunks, first:\n" + String.join("\n", failures));
    // Not vacuous: every branch was exercised substantially.
    assertTrue(held > chunks / 10, "holds: " + held);
    assertTrue(movedWithCorrections > chunks / 5, "corrected motions: " + movedWithCorrections);
    assertTrue(passedUnchanged > chunks / 50, "unchanged: " + passedUnchanged);
    assertEquals(chunks, held + moved);
  }

  @Test
  void chunksThatAlreadyObeyEveryLimitPassUnchanged() {
    FakeClock clock = new FakeClock(1_000_000_000L);
    SplittableRandom rnd = new SplittableRandom(7L);
    int checked = 0;
    for (RobotSpec robot : List.of(RobotSpecs.mantisPlanar3(), oddRobot(), oneJoint())) {
      SafetyFilter filter = SafetyFilter.builder().setRobot(robot).optClock(clock).build();
      InvariantChecker checker = new InvariantChecker(robot, filter.positionMarginRad());
      for (int c = 0; c < 10_000; c++) {
        Feasible f = feasibleChunk(rnd, robot, filter.positionMarginRad(), clock.nanoTime());
        ActionChunk raw = f.chunk();
        JointState current = f.start();
        SafetyResult r = filter.filter(raw, current);
        assertTrue(checker.violations(raw, current, clock.nanoTime(), false, r).isEmpty());
        assertTrue(r.passedUnchanged(), () -> "changed a feasible chunk: " + r.interventions());
        assertEquals(raw.points().size(), r.chunk().points().size());
        for (int i = 0; i < raw.points().size(); i++) {
          assertTrue(
              Arrays.equals(
                  raw.points().get(i).positionsRad(), r.chunk().points().get(i).positionsRad()));
          assertEquals(
              raw.points().get(i).timeFromStartNanos(),
              r.chunk().points().get(i).timeFromStartNanos());
        }
        checked++;
      }
    }
    assertEquals(30_000, checked);
  }

  @Test
  void aClosedLoopFollowingItsOwnOutputNeverNeedsTheStateProjected() {
    // The arm executes each filtered chunk up to its first point, then asks again with wild
    // targets:
    // the filter's own output must always be a feasible start (no state intervention).
    FakeClock clock = new FakeClock(0);
    RobotSpec robot = RobotSpecs.mantisPlanar3();
    SafetyFilter filter = SafetyFilter.builder().setRobot(robot).optClock(clock).build();
    InvariantChecker checker = new InvariantChecker(robot, filter.positionMarginRad());
    SplittableRandom rnd = new SplittableRandom(99L);
    double[] p = new double[3];
    double[] v = new double[3];
    for (int step = 0; step < 20_000; step++) {
      JointState current = new JointState(robot.jointNames(), p, v, clock.nanoTime());
      int h = 1 + rnd.nextInt(10);
      long dt = 5_000_000L + rnd.nextLong(50_000_000L);
      List<ActionPoint> pts = new ArrayList<>();
      for (int i = 1; i <= h; i++) {
        double[] x = new double[3];
        for (int j = 0; j < 3; j++) {
          x[j] = rnd.nextDouble(-3.5, 3.5);
        }
        pts.add(new ActionPoint(x, i * dt));
      }
      ActionChunk raw =
          new ActionChunk(
              robot.jointNames(),
              pts,
              clock.nanoTime() + 1_000_000_000L,
              null,
              null,
              null,
              "loop",
              null);
      SafetyResult r = filter.filter(raw, current);
      assertTrue(checker.violations(raw, current, clock.nanoTime(), false, r).isEmpty());
      for (Intervention i : r.interventions()) {
        assertTrue(i.detail().startsWith("point"), () -> "state intervention on own output: " + i);
      }
      ActionPoint first = r.chunk().points().get(0);
      double sec = first.timeFromStartNanos() / 1e9;
      for (int j = 0; j < 3; j++) {
        v[j] = (first.positionsRad()[j] - p[j]) / sec;
        p[j] = first.positionsRad()[j];
      }
      clock.advanceNanos(first.timeFromStartNanos());
    }
  }

  // ------------------------------------------------------------------------------------------------

  private record Feasible(JointState start, ActionChunk chunk) {}

  /**
   * A chunk built by integrating random accelerations, each kept only if the point stays strictly
   * inside every limit (with slack, so rounding cannot matter); the chunk ends where no candidate
   * qualifies.
   */
  private static Feasible feasibleChunk(
      SplittableRandom rnd, RobotSpec robot, double margin, long now) {
    int n = robot.jointCount();
    while (true) {
      double[] p = new double[n];
      double[] v = new double[n];
      double[] lo = new double[n];
      double[] hi = new double[n];
      for (int j = 0; j < n; j++) {
        JointLimits l = robot.joint(j);
        lo[j] = l.minPositionRad() + margin;
        hi[j] = l.maxPositionRad() - margin;
        double half = (hi[j] - lo[j]) / 2;
        p[j] = (lo[j] + hi[j]) / 2 + rnd.nextDouble(-0.5, 0.5) * half;
        v[j] =
            rnd.nextDouble(-0.3, 0.3)
                * Math.min(
                    l.maxVelocityRadPerS(), Math.sqrt(l.maxAccelerationRadPerS2() * half * 0.5));
      }
      boolean withVelocities = rnd.nextInt(5) != 0;
      if (!withVelocities) {
        Arrays.fill(v, 0.0);
      }
      JointState start = new JointState(robot.jointNames(), p, withVelocities ? v : null, now);
      int h = 1 + rnd.nextInt(16);
      List<ActionPoint> pts = new ArrayList<>();
      long t = 0;
      points:
      for (int i = 0; i < h; i++) {
        long dtN = 1_000_000L + rnd.nextLong(40_000_000L);
        double dt = dtN / 1e9;
        double[] x = new double[n];
        double[] nvs = new double[n];
        for (int j = 0; j < n; j++) {
          JointLimits l = robot.joint(j);
          double a = l.maxAccelerationRadPerS2();
          boolean ok = false;
          for (int k = 0; k < 20 && !ok; k++) {
            double nv = v[j] + rnd.nextDouble(-0.9, 0.9) * a * dt;
            double nx = p[j] + nv * dt;
            double room = nv >= 0 ? hi[j] - nx : nx - lo[j];
            ok =
                Math.abs(nv) < 0.99 * l.maxVelocityRadPerS()
                    && room > 1e-6
                    && nv * nv < 0.99 * 2 * a * room;
            x[j] = nx;
            nvs[j] = nv;
          }
          if (!ok) {
            break points;
          }
        }
        t += dtN;
        for (int j = 0; j < n; j++) {
          v[j] = (x[j] - p[j]) / dt;
          p[j] = x[j];
        }
        pts.add(new ActionPoint(x, t));
      }
      if (pts.isEmpty()) {
        continue;
      }
      return new Feasible(
          start,
          new ActionChunk(
              robot.jointNames(),
              pts,
              now + 200_000_000L,
              new int[] {1, 2},
              null,
              null,
              "feasible",
              Map.of("policy", 5L)));
    }
  }

  private static JointState randomState(SplittableRandom rnd, RobotSpec robot) {
    int n = robot.jointCount();
    int mode = rnd.nextInt(100);
    if (mode == 0) {
      return null;
    }
    List<String> names = new ArrayList<>(robot.jointNames());
    double[] p = new double[n];
    double[] v = new double[n];
    for (int j = 0; j < n; j++) {
      JointLimits l = robot.joint(j);
      double vmax = l.maxVelocityRadPerS();
      int jm = rnd.nextInt(10);
      if (mode < 60 || jm < 5) {
        p[j] = rnd.nextDouble(l.minPositionRad(), l.maxPositionRad());
        v[j] = rnd.nextDouble(-vmax, vmax);
      } else if (jm < 9) {
        // At or beyond a limit, moving towards it.
        boolean up = rnd.nextBoolean();
        double[] offsets = {0, 0.005, 0.02, 0.021, -0.01, -0.5, 1e-12};
        double off = offsets[rnd.nextInt(offsets.length)];
        p[j] = up ? l.maxPositionRad() - off : l.minPositionRad() + off;
        double speed = vmax * new double[] {1, 1.5, 0.5, 0.01, 100}[rnd.nextInt(5)];
        v[j] = up ? speed : -speed;
      } else {
        p[j] = rnd.nextInt(3) == 0 ? NASTY[rnd.nextInt(NASTY.length)] : rnd.nextDouble(-1, 1);
        v[j] = rnd.nextInt(3) == 0 ? NASTY[rnd.nextInt(NASTY.length)] : 0;
      }
    }
    boolean withVelocities = rnd.nextInt(4) != 0;
    int nm = rnd.nextInt(100);
    if (nm < 3) {
      Collections.shuffle(names, new java.util.Random(rnd.nextLong()));
    } else if (nm < 5 && n > 1) {
      names.remove(n - 1);
      return new JointState(
          names, Arrays.copyOf(p, n - 1), withVelocities ? Arrays.copyOf(v, n - 1) : null, 0);
    } else if (nm < 7) {
      names.add("extra");
      return new JointState(
          names, Arrays.copyOf(p, n + 1), withVelocities ? Arrays.copyOf(v, n + 1) : null, 0);
    } else if (nm < 8) {
      names.set(0, "renamed");
    }
    return new JointState(names, p, withVelocities ? v : null, 0);
  }

  private static ActionChunk randomChunk(
      SplittableRandom rnd, RobotSpec robot, JointState current, long now) {
    int n = robot.jointCount();
    List<String> names = new ArrayList<>(robot.jointNames());
    int nm = rnd.nextInt(100);
    int width = n;
    if (nm < 3) {
      Collections.shuffle(names, new java.util.Random(rnd.nextLong()));
    } else if (nm < 5) {
      names.add("extra");
      width = n + 1;
    } else if (nm < 7 && n > 1) {
      names.remove(0);
      width = n - 1;
    }
    int h = rnd.nextInt(50) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 30);
    long[] times = randomTimes(rnd, h);
    double[] base = new double[n];
    for (int j = 0; j < n; j++) {
      double x = current != null && j < current.size() ? current.positionRad(j) : 0;
      base[j] = Double.isFinite(x) && Math.abs(x) < 20 ? x : 0;
    }
    int pm = rnd.nextInt(10);
    List<ActionPoint> pts = new ArrayList<>();
    double[] walk = base.clone();
    for (int i = 0; i < h; i++) {
      int w = width;
      if (rnd.nextInt(200) == 0) {
        w = width + (rnd.nextBoolean() ? 1 : -1);
        w = Math.max(0, w);
      }
      double[] x = new double[w];
      for (int j = 0; j < w; j++) {
        JointLimits l = robot.joint(Math.min(j, n - 1));
        double span = l.maxPositionRad() - l.minPositionRad();
        if (pm < 4) {
          // A smooth walk, small steps, mostly feasible.
          walk[Math.min(j, n - 1)] += rnd.nextDouble(-0.02, 0.02) * span;
          x[j] = walk[Math.min(j, n - 1)];
        } else if (pm < 6) {
          x[j] = rnd.nextDouble(l.minPositionRad() - 0.5 * span, l.maxPositionRad() + 0.5 * span);
        } else if (pm < 7) {
          // Huge jump to a limit or beyond.
          x[j] =
              rnd.nextBoolean()
                  ? l.maxPositionRad() + rnd.nextDouble(0, 1)
                  : l.minPositionRad() - rnd.nextDouble(0, 1);
        } else if (pm < 8) {
          x[j] = base[Math.min(j, n - 1)];
        } else {
          x[j] =
              rnd.nextInt(4) == 0
                  ? NASTY[rnd.nextInt(NASTY.length)]
                  : rnd.nextDouble(l.minPositionRad(), l.maxPositionRad());
        }
      }
      pts.add(new ActionPoint(x, times[i]));
    }
    long validUntil;
    int vm = rnd.nextInt(20);
    if (vm < 14) {
      validUntil = now + 1 + rnd.nextLong(2_000_000_000L);
    } else if (vm < 16) {
      validUntil = now;
    } else if (vm < 18) {
      validUntil = now - rnd.nextLong(1, 2_000_000_000L);
    } else if (vm < 19) {
      validUntil = Long.MIN_VALUE;
    } else {
      validUntil = Long.MAX_VALUE;
    }
    List<Mark> marks =
        rnd.nextBoolean()
            ? List.of(new Mark(1, new PixelPoint(3, 4), new PixelBox(1, 2, 5, 6), 30, 0xff0000))
            : List.of();
    List<Trace> traces =
        rnd.nextBoolean() ? List.of(new Trace(1, List.of(new PixelPoint(1, 1)))) : List.of();
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("decode", rnd.nextLong(1000));
    stages.put("policy", rnd.nextLong(1000));
    return new ActionChunk(
        names,
        pts,
        validUntil,
        new int[] {rnd.nextInt(8), rnd.nextInt(8)},
        marks,
        traces,
        "v" + rnd.nextInt(3),
        stages);
  }

  private static long[] randomTimes(SplittableRandom rnd, int h) {
    long[] t = new long[h];
    int mode = rnd.nextInt(10);
    long spacing = SPACINGS_NANOS[rnd.nextInt(SPACINGS_NANOS.length)];
    long start = rnd.nextInt(3) == 0 ? 0 : spacing;
    for (int i = 0; i < h; i++) {
      if (mode < 5) {
        t[i] = start + i * spacing;
      } else if (mode < 7) {
        t[i] = start + i * spacing + rnd.nextLong(-spacing / 2 - 1, spacing / 2 + 1);
      } else if (mode < 8) {
        t[i] = rnd.nextLong(-1_000_000_000L, 1_000_000_000L);
      } else if (mode < 9) {
        t[i] = i == 0 ? spacing : t[i - 1] + (rnd.nextInt(3) == 0 ? 0 : spacing);
      } else {
        long[] extremes = {
          Long.MAX_VALUE, Long.MIN_VALUE, 0, -1, 1, Long.MAX_VALUE - 1, 20_000_000L
        };
        t[i] = extremes[rnd.nextInt(extremes.length)];
      }
    }
    if (mode == 5 && h > 1) {
      // Reverse order entirely.
      for (int i = 0; i < h / 2; i++) {
        long x = t[i];
        t[i] = t[h - 1 - i];
        t[h - 1 - i] = x;
      }
    }
    return t;
  }

  private static String describe(ActionChunk c) {
    if (c == null) {
      return "null";
    }
    StringBuilder sb =
        new StringBuilder(c.jointNames() + " validUntil=" + c.validUntilNanos() + " [");
    for (ActionPoint p : c.points()) {
      sb.append(p.timeFromStartNanos())
          .append(':')
          .append(Arrays.toString(p.positionsRad()))
          .append(' ');
    }
    return sb.append(']').toString();
  }

  private static String describe(JointState s) {
    return s == null
        ? "null"
        : s.names()
            + " p="
            + Arrays.toString(s.positionsRad())
            + " v="
            + Arrays.toString(s.velocitiesRadPerS());
  }
}
