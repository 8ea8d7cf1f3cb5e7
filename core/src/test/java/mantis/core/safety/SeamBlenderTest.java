package mantis.core.safety;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

class SeamBlenderTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private static final double DT = 0.02; // 50 Hz, the simulator's physics rate
  private static final long DT_NANOS = 20_000_000L;

  private static SeamBlender blender() {
    return SeamBlender.builder().setRobot(ROBOT).setStepS(DT).build();
  }

  /** Checks one command against the limits, given the two before it (either may be null). */
  private static void assertWithinLimits(double[] c, double[] c1, double[] c2, String where) {
    for (int j = 0; j < c.length; j++) {
      JointLimits l = ROBOT.joint(j);
      assertTrue(Double.isFinite(c[j]), where + ": non-finite command");
      assertTrue(
          c[j] >= l.minPositionRad() && c[j] <= l.maxPositionRad(),
          where + ": joint " + j + " at " + c[j]);
      if (c1 != null) {
        double v = (c[j] - c1[j]) / DT;
        assertTrue(
            Math.abs(v) <= l.maxVelocityRadPerS() * (1 + 1e-9),
            where + ": joint " + j + " speed " + v);
        if (c2 != null) {
          double acc = (c[j] - 2 * c1[j] + c2[j]) / (DT * DT);
          assertTrue(
              Math.abs(acc) <= l.maxAccelerationRadPerS2() * (1 + 1e-9) + 1e-6,
              where
                  + ": joint "
                  + j
                  + " acceleration "
                  + acc
                  + " > "
                  + l.maxAccelerationRadPerS2());
        }
      }
    }
  }

  private static ActionChunk chunk(
      List<double[]> positions, long spacingNanos, long validUntilNanos) {
    List<ActionPoint> pts = new ArrayList<>();
    for (int i = 0; i < positions.size(); i++) {
      pts.add(new ActionPoint(positions.get(i), (i + 1) * spacingNanos));
    }
    return new ActionChunk(ROBOT.jointNames(), pts, validUntilNanos, null, null, null, "t", null);
  }

  @Test
  void stepChangesBetweenRandomChunksStayWithinTheLimitsAtEveryStep() {
    Random random = new Random(20_261_125L);
    for (int episode = 0; episode < 200; episode++) {
      FakeClock clock = new FakeClock(1_000_000_000L);
      ChunkPlayer player = new ChunkPlayer(clock);
      SeamBlender blender = blender();
      double[] c = new double[3];
      for (int j = 0; j < 3; j++) {
        c[j] = -2 + 4 * random.nextDouble();
      }
      blender.reset(c);
      double[] c1 = c;
      double[] c2 = null;
      for (int round = 0; round < 12; round++) {
        // A chunk of 4 random points anywhere in the limits (a step change at nearly every seam),
        // sometimes with too little validity for the round.
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          double[] p = new double[3];
          for (int j = 0; j < 3; j++) {
            JointLimits l = ROBOT.joint(j);
            p[j] =
                l.minPositionRad()
                    + (l.maxPositionRad() - l.minPositionRad()) * random.nextDouble();
          }
          pts.add(p);
        }
        long start = clock.nanoTime();
        long validFor = random.nextInt(5) == 0 ? 100_000_000L : 1_000_000_000L;
        boolean accepted =
            player.offer(
                chunk(pts, 25_000_000L * (1 + random.nextInt(4)), start + validFor), start, c1);
        assertTrue(accepted);
        boolean fresh = true;
        boolean held = false;
        for (int k = 1; k <= 15; k++) {
          clock.advanceNanos(DT_NANOS);
          var target = player.targetAt(clock.nanoTime());
          double[] cmd;
          String where = "episode " + episode + " round " + round + " step " + k;
          if (target.isEmpty()) {
            // Hold at a "measured" position near the last command, as the sim client does.
            if (!held) {
              held = true;
              double[] hold = c1.clone();
              for (int j = 0; j < 3; j++) {
                hold[j] += 0.01 * random.nextGaussian();
              }
              blender.reset(hold);
              c1 = blender.next(hold, false);
              c2 = null;
              assertArrayEquals(hold, c1, 1e-12, "a hold at rest stays put");
            }
            continue;
          }
          cmd = blender.next(target.get(), fresh);
          fresh = false;
          assertWithinLimits(cmd, c1, c2, where);
          c2 = c1;
          c1 = cmd;
        }
      }
    }
  }

  @Test
  void aStepChangeIsCrossFadedOverTheBlendTime() {
    SeamBlender blender = blender();
    double[] zero = {0, 0, 0};
    double[] step = {0.002, -0.002, 0.001}; // small: the limits would allow the jump in one step
    blender.reset(zero);
    for (int k = 0; k < 10; k++) {
      assertArrayEquals(zero, blender.next(zero, false), 0.0);
    }
    // 0.1 s = 5 steps of smoothstep weights 0.104, 0.352, 0.648, 0.896, 1.
    for (int k = 1; k <= 5; k++) {
      double[] cmd = blender.next(step, k == 1);
      double s = k / 5.0;
      double w = s * s * (3 - 2 * s);
      for (int j = 0; j < 3; j++) {
        assertEquals(step[j] * w, cmd[j], 1e-12, "step " + k + " joint " + j);
      }
      assertEquals(k < 5, blender.isBlending());
    }
    assertArrayEquals(
        step, blender.next(step, false), 0.0, "after the blend the target passes through");
  }

  @Test
  void aLargeStepChangeIsSpreadWithinTheLimitsAndSettlesWithoutOvershoot() {
    SeamBlender blender = blender();
    double[] zero = {0, 0, 0};
    double[] step = {0.3, -0.3, 0.3};
    blender.reset(zero);
    List<double[]> out = new ArrayList<>(List.of(zero, zero));
    out.add(blender.next(step, true));
    for (int k = 0; k < 60; k++) {
      out.add(blender.next(step, false));
    }
    for (int i = 2; i < out.size(); i++) {
      assertTrue(
          out.get(i)[0] >= out.get(i - 1)[0] && out.get(i)[0] <= step[0],
          "monotone, no overshoot: " + i);
      assertWithinLimits(out.get(i), out.get(i - 1), out.get(i - 2), "step " + i);
    }
    assertArrayEquals(step, out.get(out.size() - 1), 1e-12, "settled on the new target");
  }

  @Test
  void withoutBlendingAStepChangeWouldBreakTheAccelerationLimit() {
    // The property above could fail: the raw targets jump.
    double jumpAcc = 0.5 / (DT * DT);
    assertTrue(jumpAcc > ROBOT.joint(0).maxAccelerationRadPerS2());
    SeamBlender blender = blender();
    blender.reset(new double[3]);
    double[] c1 = blender.next(new double[3], false);
    double[] c2 = new double[3];
    double[] big = {0.5, 0.5, 0.5};
    double[] cmd = blender.next(big, true);
    assertWithinLimits(cmd, c1, c2, "jump");
    assertTrue(cmd[0] < 0.01, "the jump is spread out: " + cmd[0]);
  }

  @Test
  void aChunkThatAgreesWithThePreviousOnePassesThroughUnchanged() {
    SeamBlender blender = blender();
    double[] speed = {0.5, -0.3, 0.2}; // rad/s
    double[] q0 = {-1.0, 1.0, 0.0};
    blender.reset(q0);
    int k = 0;
    for (; k < 50; k++) { // 1 s to catch up with the ramp from rest
      blender.next(ramp(q0, speed, k + 1), false);
    }
    assertArrayEquals(
        ramp(q0, speed, k + 1),
        blender.next(ramp(q0, speed, k + 1), false),
        1e-12,
        "caught up with the ramp");
    k++;
    for (int i = 0; i < 30; i++, k++) {
      double[] t = ramp(q0, speed, k + 1);
      double[] cmd = blender.next(t, i == 0 || i == 12); // two seams, both agreeing
      assertArrayEquals(t, cmd, 1e-12, "step " + i + " after the seam");
    }
  }

  private static double[] ramp(double[] q0, double[] speed, int step) {
    double[] q = new double[q0.length];
    for (int j = 0; j < q.length; j++) {
      q[j] = q0[j] + speed[j] * step * DT;
    }
    return q;
  }

  @Test
  void afterAHoldNothingFromTheOldChunkIsEmitted() {
    double[] speed = {1.5, -1.5, 2.0};
    double[] q0 = {-1.0, 1.0, -1.0};
    double[] hold = {-0.2, 0.2, 0.1};

    // With a reset at the hold, a new chunk standing still at the hold position gives exactly the
    // hold.
    SeamBlender blender = blender();
    blender.reset(q0);
    for (int k = 0; k < 40; k++) {
      blender.next(ramp(q0, speed, k + 1), false);
    }
    blender.reset(hold);
    for (int k = 0; k < 20; k++) {
      assertArrayEquals(hold, blender.next(hold, k == 0), 0.0, "step " + k + " after the hold");
    }

    // Without the reset the old motion would carry on into the blend: the test above can fail.
    SeamBlender noReset = blender();
    noReset.reset(q0);
    double[] last = null;
    for (int k = 0; k < 40; k++) {
      last = noReset.next(ramp(q0, speed, k + 1), false);
    }
    double[] next = noReset.next(last, true);
    assertTrue(next[0] > last[0], "the old velocity continues without a reset");
  }

  @Test
  void nonFiniteTargetsKeepTheCommandFinite() {
    SeamBlender blender = blender();
    blender.reset(new double[] {0.1, 0.2, 0.3});
    double[] cmd = blender.next(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 9.0}, true);
    for (double v : cmd) {
      assertTrue(Double.isFinite(v));
    }
    assertEquals(0.1, cmd[0], 0.0, "a NaN target keeps the joint in place");
    assertTrue(cmd[2] <= ROBOT.joint(2).maxPositionRad());
    double[] start = blender().next(new double[] {Double.NaN, 0.5, 0.5}, false);
    assertArrayEquals(
        new double[] {0, 0.5, 0.5}, start, 0.0, "without a reset it starts at rest at the target");
  }

  @Test
  void badInputIsRejectedClearly() {
    assertThrows(IllegalStateException.class, () -> SeamBlender.builder().setStepS(DT).build());
    assertThrows(
        IllegalArgumentException.class, () -> SeamBlender.builder().setRobot(ROBOT).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SeamBlender.builder().setRobot(ROBOT).setStepS(DT).optBlendTimeS(-1).build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> blender().next(new double[2], false));
    assertEquals("target has 2 values, the robot has 3 joints", e.getMessage());
  }
}
