package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DeterminismTest {

  private static void advance(TabletopSim sim, ScriptedExpert expert, int steps) {
    for (int i = 0; i < steps && !sim.done(); i++) {
      double[] a = expert.act(sim);
      if (sim.embodiment() == Embodiment.ARM) {
        sim.step(a);
      } else {
        sim.stepHand(a[0], a[1]);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Embodiment.class)
  void sameSeedGivesIdenticalStatesAndFrames(Embodiment embodiment) {
    SimConfig config = SimConfig.builder().optEmbodiment(embodiment).build();
    TabletopSim a = TabletopSim.create(config);
    TabletopSim b = TabletopSim.create(config);
    for (TaskFamily family : TaskFamily.values()) {
      a.reset(77, family);
      b.reset(77, family);
      ScriptedExpert ea = new ScriptedExpert();
      ScriptedExpert eb = new ScriptedExpert();
      assertEquals(a.instruction(), b.instruction());
      for (int chunk = 0; chunk < 6; chunk++) {
        advance(a, ea, 15);
        advance(b, eb, 15);
        assertEquals(a.groundTruth().objects(), b.groundTruth().objects());
        assertEquals(a.groundTruth().effectorXM(), b.groundTruth().effectorXM());
        assertArrayEquals(a.jointState().positionsRad(), b.jointState().positionsRad());
        assertArrayEquals(a.render(96, 72).rgbUnsafe(), b.render(96, 72).rgbUnsafe());
      }
      assertEquals(a.success(), b.success());
    }
  }

  @Test
  void resettingTheSameSimulatorReplaysTheEpisodeExactly() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    ScriptedExpert expert = new ScriptedExpert();
    sim.reset(5, TaskFamily.PUSH_TO_TARGET);
    advance(sim, expert, 40);
    byte[] first = sim.render(64, 64).rgb();
    WorldState firstState = sim.groundTruth();
    sim.reset(99, TaskFamily.REACH);
    advance(sim, expert, 10);
    sim.reset(5, TaskFamily.PUSH_TO_TARGET);
    advance(sim, expert, 40);
    assertArrayEquals(first, sim.render(64, 64).rgbUnsafe());
    assertEquals(firstState.objects(), sim.groundTruth().objects());
  }

  @Test
  void differentSeedsGiveDifferentScenesAndFrames() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(1, TaskFamily.REACH);
    byte[] one = sim.render(64, 64).rgb();
    var objectsOne = sim.groundTruth().objects();
    sim.reset(2, TaskFamily.REACH);
    assertFalse(Arrays.equals(one, sim.render(64, 64).rgbUnsafe()));
    assertNotEquals(objectsOne, sim.groundTruth().objects());
  }

  @Test
  void sceneDoesNotDependOnEmbodimentOrDomainRandomisation() {
    TabletopSim arm = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    TabletopSim hand =
        TabletopSim.create(
            SimConfig.builder()
                .optEmbodiment(Embodiment.HAND)
                .optDomainRandomization(false)
                .build());
    for (long seed = 0; seed < 20; seed++) {
      arm.reset(seed, TaskFamily.PUSH_DIRECTION);
      hand.reset(seed, TaskFamily.PUSH_DIRECTION);
      assertEquals(arm.task(), hand.task());
      assertEquals(arm.groundTruth().objects(), hand.groundTruth().objects());
      assertEquals(arm.groundTruth().targets(), hand.groundTruth().targets());
    }
  }
}
