package mantis.server.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

/** The random policy: limits, reproducibility, and its place in {@link Policies}. */
class RandomPolicyTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private final FakeClock clock = new FakeClock(5_000_000_000L);

  private static Observation observation(String robotId, String episodeId, long step, double[] q) {
    return new Observation(
        robotId,
        episodeId,
        step,
        List.of(Frame.wrapRgb(4, 4, new byte[48])),
        "reach the red block",
        JointState.ofPositions(ROBOT.jointNames(), q, 0),
        0,
        0);
  }

  @Test
  void everyTargetStaysInsideTheJointLimitsEvenFromTheEdgesAndBeyond() {
    Policy p = Policies.create("random", ROBOT, 128, clock);
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 500; i++) {
      double[] q = new double[ROBOT.jointCount()];
      for (int j = 0; j < q.length; j++) {
        JointLimits l = ROBOT.joint(j);
        // Inside, exactly at and beyond the limits.
        q[j] = r.nextDouble(l.minPositionRad() - 0.5, l.maxPositionRad() + 0.5);
      }
      ActionChunk c = p.predict(observation("eval-0", "reach-" + i, i % 40, q));
      assertEquals(8, c.points().size());
      assertEquals(ROBOT.jointNames(), c.jointNames());
      assertEquals(clock.nanoTime() + 800_000_000L, c.validUntilNanos());
      for (int k = 0; k < c.points().size(); k++) {
        ActionPoint pt = c.points().get(k);
        assertEquals((k + 1) * 100_000_000L, pt.timeFromStartNanos());
        for (int j = 0; j < ROBOT.jointCount(); j++) {
          JointLimits l = ROBOT.joint(j);
          assertTrue(
              pt.positionRad(j) >= l.minPositionRad() && pt.positionRad(j) <= l.maxPositionRad(),
              "joint " + j + " at " + pt.positionRad(j));
          assertTrue(Double.isFinite(pt.positionRad(j)));
        }
      }
      assertTrue(c.traces().isEmpty() && c.marks().isEmpty());
    }
  }

  @Test
  void theWalkDependsOnlyOnTheEpisodeAndStepSoRunsAreReproducible() {
    Policy p = Policies.create("random", ROBOT, 128, clock);
    Policy other = Policies.create("random", ROBOT, 128, new FakeClock(0));
    double[] q = {0.3, -0.4, 0.2};
    ActionChunk a = p.predict(observation("eval-0", "push_direction-1000003", 4, q));
    ActionChunk b = other.predict(observation("eval-3", "push_direction-1000003", 4, q));
    for (int k = 0; k < a.points().size(); k++) {
      assertArrayEquals(a.points().get(k).positionsRad(), b.points().get(k).positionsRad(), 0.0);
    }
    ActionChunk nextStep = p.predict(observation("eval-0", "push_direction-1000003", 5, q));
    ActionChunk otherEpisode = p.predict(observation("eval-0", "push_direction-1000004", 4, q));
    assertFalse(
        Arrays.equals(a.points().get(7).positionsRad(), nextStep.points().get(7).positionsRad()));
    assertFalse(
        Arrays.equals(
            a.points().get(7).positionsRad(), otherEpisode.points().get(7).positionsRad()));
    // A walk: it moves, by a bounded step per point.
    double[] prev = q;
    for (ActionPoint pt : a.points()) {
      for (int j = 0; j < q.length; j++) {
        assertTrue(
            Math.abs(pt.positionRad(j) - prev[j])
                <= 0.5 * ROBOT.joint(j).maxVelocityRadPerS() * 0.1 + 1e-12);
      }
      prev = pt.positionsRad();
    }
    assertFalse(Arrays.equals(q, a.points().get(7).positionsRad()));
  }

  @Test
  void unknownNamesListRandomAmongTheKnownPolicies() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Policies.create("chaos", ROBOT, 128, clock));
    assertTrue(
        e.getMessage().contains("random") && e.getMessage().contains("chaos"), e.getMessage());
    assertEquals("random", Policies.create("random", ROBOT, 128, clock).info().name());
  }
}
