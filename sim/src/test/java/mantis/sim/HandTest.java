package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandTest {

  @Test
  void handEpisodesHaveNoJointsAndRefuseJointCommands() {
    TabletopSim sim =
        TabletopSim.create(SimConfig.builder().optEmbodiment(Embodiment.HAND).build());
    sim.reset(8, TaskFamily.PUSH_DIRECTION);
    assertEquals(0, sim.jointState().size());
    assertTrue(sim.jointState().names().isEmpty());
    assertThrows(IllegalStateException.class, () -> sim.step(new double[3]));
    assertEquals(Embodiment.HAND, sim.groundTruth().embodiment());
  }

  @Test
  void armRefusesHandCommandsAndWrongJointCounts() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(8, TaskFamily.PUSH_DIRECTION);
    assertThrows(IllegalStateException.class, () -> sim.stepHand(0.1, 0.3));
    assertThrows(IllegalArgumentException.class, () -> sim.step(new double[2]));
    assertEquals(3, sim.jointState().size());
  }

  @Test
  void theHandMovesTowardItsTargetWithinItsSpeedLimit() {
    SimConfig config =
        SimConfig.builder().optEmbodiment(Embodiment.HAND).optHandMaxSpeedMPerS(0.5).build();
    TabletopSim sim = TabletopSim.create(config);
    sim.reset(2, TaskFamily.REACH);
    double x = sim.groundTruth().effectorXM();
    double y = sim.groundTruth().effectorYM();
    double maxStep = 0;
    for (int i = 0; i < 25; i++) {
      sim.stepHand(x + 1.0, y);
      WorldState ws = sim.groundTruth();
      maxStep = Math.max(maxStep, Math.hypot(ws.effectorXM() - x, ws.effectorYM() - y));
      x = ws.effectorXM();
      y = ws.effectorYM();
    }
    assertTrue(maxStep <= 0.5 / config.physicsHz() + 1e-12, "step " + maxStep);
    assertTrue(maxStep > 0.5 / config.physicsHz() * 0.99, "reaches its top speed: " + maxStep);
  }

  @Test
  void theExpertDrivesTheHandThroughEveryFamily() {
    TabletopSim sim =
        TabletopSim.create(SimConfig.builder().optEmbodiment(Embodiment.HAND).build());
    ScriptedExpert expert = new ScriptedExpert();
    for (TaskFamily family : TaskFamily.values()) {
      int ok = 0;
      for (long seed = 0; seed < 20; seed++) {
        if (ExpertEvaluation.runEpisode(sim, expert, seed, family)) {
          ok++;
        }
      }
      assertTrue(ok >= 19, family + " " + ok);
    }
  }
}
