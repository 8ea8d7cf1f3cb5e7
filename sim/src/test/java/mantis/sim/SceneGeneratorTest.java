package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SceneGeneratorTest {

  @Test
  void scenesHoldTwoToSixUniquelyNamedNonOverlappingObjectsAndDistinctlyColouredTargets() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    Set<Integer> counts = new HashSet<>();
    for (TaskFamily family : TaskFamily.values()) {
      for (long seed = 0; seed < 150; seed++) {
        sim.reset(seed, family);
        WorldState ws = sim.groundTruth();
        List<ObjectState> objects = ws.objects();
        counts.add(objects.size());
        assertTrue(objects.size() >= 2 && objects.size() <= 6, "object count " + objects.size());
        Set<String> names = new HashSet<>();
        Set<PaletteColour> objectColours = new HashSet<>();
        for (ObjectState o : objects) {
          assertTrue(names.add(o.name()), "duplicate name " + o.name());
          assertEquals(o.colour().word() + " " + o.shape().word(), o.name());
          objectColours.add(o.colour());
          assertTrue(
              o.xM() - o.halfSizeM() >= Table.REGION_X_MIN - 1e-9
                  && o.xM() + o.halfSizeM() <= Table.REGION_X_MAX + 1e-9);
          assertTrue(
              o.yM() - o.halfSizeM() >= Table.REGION_Y_MIN - 1e-9
                  && o.yM() + o.halfSizeM() <= Table.REGION_Y_MAX + 1e-9);
          assertTrue(o.halfSizeM() >= 0.02 && o.halfSizeM() <= 0.035);
          for (ObjectState p : objects) {
            if (p != o) {
              assertTrue(
                  Math.hypot(p.xM() - o.xM(), p.yM() - o.yM())
                      > SceneGenerator.bound(o) + SceneGenerator.bound(p),
                  o.name() + " overlaps " + p.name());
            }
          }
        }
        assertFalse(ws.targets().isEmpty());
        for (TargetZone t : ws.targets()) {
          assertFalse(
              objectColours.contains(t.colour()),
              "target " + t.name() + " shares an object colour");
          assertEquals(t.colour().word() + " target", t.name());
        }
        Task task = ws.task();
        assertEquals(family, task.family());
        assertTrue(task.instruction().contains("the " + task.objectName()), task.instruction());
        task.targetName()
            .ifPresent(
                t -> assertTrue(task.instruction().contains("the " + t), task.instruction()));
        task.direction()
            .ifPresent(
                d ->
                    assertTrue(
                        task.instruction().matches(".*\\b" + d.word() + "\\b.*"),
                        task.instruction()));
        assertEquals(family == TaskFamily.PUSH_DIRECTION, task.direction().isPresent());
        assertEquals(family == TaskFamily.PUSH_TO_TARGET, task.targetName().isPresent());
        assertFalse(sim.success(), "seed " + seed + " " + family + " starts solved");
      }
    }
    assertEquals(Set.of(2, 3, 4, 5, 6), counts);
  }

  @Test
  void instructionsUseSeveralPhrasingsPerFamily() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    for (TaskFamily family : TaskFamily.values()) {
      Set<String> verbs = new HashSet<>();
      for (long seed = 0; seed < 100; seed++) {
        sim.reset(seed, family);
        String instruction = sim.instruction();
        String object = sim.task().objectName();
        verbs.add(instruction.substring(0, instruction.indexOf("the " + object)));
      }
      assertTrue(verbs.size() >= 4, family + " phrasings: " + verbs);
    }
  }

  @Test
  void colourJitterStaysNearThePaletteHue() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    for (long seed = 0; seed < 50; seed++) {
      sim.reset(seed, TaskFamily.REACH);
      for (ObjectState o : sim.groundTruth().objects()) {
        double d = Math.abs(Colours.hueDeg(o.rgb()) - o.colour().hueDeg());
        assertTrue(Math.min(d, 360 - d) <= 6, o.name() + " hue off by " + d);
      }
    }
  }

  @Test
  void colourRepeatsAcrossShapesOnlyWhenAllowed() {
    TabletopSim sim =
        TabletopSim.create(SimConfig.builder().optDistinctObjectColours(false).build());
    boolean sawRepeat = false;
    for (long seed = 0; seed < 300; seed++) {
      sim.reset(seed, TaskFamily.REACH);
      Set<String> names = new HashSet<>();
      Set<PaletteColour> colours = new HashSet<>();
      for (ObjectState o : sim.groundTruth().objects()) {
        assertTrue(names.add(o.name()));
        sawRepeat |= !colours.add(o.colour());
      }
    }
    assertTrue(
        sawRepeat, "with distinct colours off some scene should reuse a colour on another shape");
  }
}
