package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ScriptedExpertTest {
  private static final int EPISODES = 200;

  @ParameterizedTest
  @EnumSource(TaskFamily.class)
  void armExpertSolvesAtLeast95PercentOf200SeededEpisodes(TaskFamily family) {
    int successes = ExpertEvaluation.run(family, Embodiment.ARM, EPISODES, 0);
    assertTrue(successes >= 190, family + ": " + successes + "/" + EPISODES);
  }

  @ParameterizedTest
  @EnumSource(TaskFamily.class)
  void handExpertSolvesAtLeast95PercentOf200SeededEpisodes(TaskFamily family) {
    int successes = ExpertEvaluation.run(family, Embodiment.HAND, EPISODES, 0);
    assertTrue(successes >= 190, family + ": " + successes + "/" + EPISODES);
  }

  @ParameterizedTest
  @EnumSource(TaskFamily.class)
  void armExpertAlsoSucceedsOnAnotherSeedRange(TaskFamily family) {
    int successes = ExpertEvaluation.run(family, Embodiment.ARM, 100, 1_000_000);
    assertTrue(successes >= 95, family + ": " + successes + "/100");
  }
}
