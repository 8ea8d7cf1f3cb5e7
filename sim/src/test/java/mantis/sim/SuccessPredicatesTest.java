package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SuccessPredicatesTest {

  private static int taskIndex(TabletopSim sim) {
    World w = sim.world();
    for (int i = 0; i < w.n; i++) {
      if (w.spec.get(i).name().equals(sim.task().objectName())) {
        return i;
      }
    }
    throw new AssertionError();
  }

  @Test
  void reachHoldsOnlyWithinHalfSizePlusPusherRadius() {
    TabletopSim sim =
        TabletopSim.create(SimConfig.builder().optEmbodiment(Embodiment.HAND).build());
    sim.reset(3, TaskFamily.REACH);
    World w = sim.world();
    int k = taskIndex(sim);
    double reach = w.half[k] + Table.HAND_RADIUS_M;
    w.handX = w.x[k] - reach + 0.001;
    w.handY = w.y[k];
    assertTrue(sim.success());
    w.handX = w.x[k] - reach - 0.01;
    assertFalse(sim.success());
    assertFalse(sim.done());
  }

  @Test
  void armReachUsesThePusherTip() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(4, TaskFamily.REACH);
    assertFalse(sim.success());
    World w = sim.world();
    int k = taskIndex(sim);
    // Put the tip on the object's near side through IK, heading free.
    double tx = w.x[k];
    double ty = w.y[k] - w.half[k] - Table.PUSHER_RADIUS_M + 0.001;
    double[] q = Table.inverse(tx, ty, Table.preferredHeading(tx, ty));
    System.arraycopy(q, 0, w.q, 0, 3);
    assertTrue(sim.success());
    ty -= 0.02;
    q = Table.inverse(tx, ty, Table.preferredHeading(tx, ty));
    System.arraycopy(q, 0, w.q, 0, 3);
    assertFalse(sim.success());
  }

  @Test
  void pushDirectionNeedsEightCentimetresMostlyAlongTheDirection() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(11, TaskFamily.PUSH_DIRECTION);
    PushDirection d = sim.task().direction().orElseThrow();
    World w = sim.world();
    int k = taskIndex(sim);
    double sx = sim.task().startXM();
    double sy = sim.task().startYM();
    w.x[k] = sx + d.dx() * 0.07;
    w.y[k] = sy + d.dy() * 0.07;
    assertFalse(sim.success(), "7 cm is not enough");
    w.x[k] = sx + d.dx() * 0.085;
    w.y[k] = sy + d.dy() * 0.085;
    assertTrue(sim.success(), "8.5 cm along the direction");
    // Same along-distance but a large sideways drift: not "mostly along".
    w.x[k] = sx + d.dx() * 0.085 + d.dy() * 0.06;
    w.y[k] = sy + d.dy() * 0.085 + d.dx() * 0.06;
    assertFalse(sim.success(), "too much sideways motion");
    w.x[k] = sx - d.dx() * 0.1;
    w.y[k] = sy - d.dy() * 0.1;
    assertFalse(sim.success(), "the opposite direction");
  }

  @Test
  void pushToTargetHoldsWhenTheCentreIsInsideTheTargetSquare() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(12, TaskFamily.PUSH_TO_TARGET);
    TargetZone t = sim.groundTruth().target(sim.task().targetName().orElseThrow()).orElseThrow();
    World w = sim.world();
    int k = taskIndex(sim);
    w.x[k] = t.xM() + t.halfSizeM() - 0.002;
    w.y[k] = t.yM() - t.halfSizeM() + 0.002;
    assertTrue(sim.success());
    w.x[k] = t.xM() + t.halfSizeM() + 0.002;
    assertFalse(sim.success());
  }

  @Test
  void episodesTimeOutAfterTheConfiguredDuration() {
    TabletopSim sim =
        TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(0.5).optPhysicsHz(50).build());
    sim.reset(1, TaskFamily.PUSH_DIRECTION);
    double[] hold = sim.jointState().positionsRad();
    int steps = 0;
    while (!sim.done()) {
      sim.step(hold);
      steps++;
    }
    assertTrue(steps == 25, "steps " + steps);
    assertTrue(sim.timedOut());
    assertFalse(sim.success());
  }
}
