package mantis.baseline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import mantis.sim.TaskFamily;
import org.junit.jupiter.api.Test;

/**
 * The baseline in closed loop on the simulator (128x128 frames, a call every 0.3 s of sim time).
 */
class VisualServoClosedLoopTest {
  @Test
  void reachSucceedsInAtLeastEightyPercentOfSeededEpisodes() {
    ClosedLoopEval.Result r = ClosedLoopEval.defaults().run(TaskFamily.REACH, 40, 1000);
    assertTrue(r.rate() >= 0.8, "reach success " + r.successes() + "/40");
  }

  @Test
  void pushingInADirectionMostlySucceeds() {
    ClosedLoopEval.Result r = ClosedLoopEval.defaults().run(TaskFamily.PUSH_DIRECTION, 20, 2000);
    assertTrue(r.rate() >= 0.6, "push-direction success " + r.successes() + "/20");
  }

  @Test
  void pushingOntoATargetMostlySucceeds() {
    ClosedLoopEval.Result r = ClosedLoopEval.defaults().run(TaskFamily.PUSH_TO_TARGET, 20, 3000);
    assertTrue(r.rate() >= 0.6, "push-to-target success " + r.successes() + "/20");
  }
}
