package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimConfigTest {

  @Test
  void defaultsAreArmWithRandomisationAt50HzFor12Seconds() {
    SimConfig c = SimConfig.defaults();
    assertEquals(Embodiment.ARM, c.embodiment());
    assertTrue(c.domainRandomization());
    assertEquals(50, c.physicsHz());
    assertEquals(12.0, c.maxEpisodeSeconds());
  }

  @Test
  void buildRejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> SimConfig.builder().optPhysicsHz(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SimConfig.builder().optMaxEpisodeSeconds(Double.NaN).build());
    assertThrows(
        IllegalArgumentException.class, () -> SimConfig.builder().optMaxEpisodeSeconds(-1).build());
    assertThrows(
        IllegalArgumentException.class, () -> SimConfig.builder().optHandMaxSpeedMPerS(0).build());
    assertThrows(NullPointerException.class, () -> SimConfig.builder().optEmbodiment(null));
  }

  @Test
  void toBuilderKeepsEverySetting() {
    SimConfig c =
        SimConfig.builder()
            .optEmbodiment(Embodiment.HAND)
            .optDomainRandomization(false)
            .optPhysicsHz(100)
            .optMaxEpisodeSeconds(5)
            .optDistinctObjectColours(false)
            .optHandMaxSpeedMPerS(0.3)
            .build();
    assertEquals(c.toString(), c.toBuilder().build().toString());
  }
}
