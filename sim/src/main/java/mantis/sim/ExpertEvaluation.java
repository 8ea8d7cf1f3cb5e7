package mantis.sim;

import java.util.Objects;

/** Runs the {@link ScriptedExpert} on seeded episodes, physics only (no rendering). */
public final class ExpertEvaluation {
  private ExpertEvaluation() {}

  /**
   * Runs {@code episodes} episodes with seeds {@code firstSeed, firstSeed + 1, ...} and returns how
   * many succeeded. Default simulator settings otherwise (50 Hz, 12 s time-out).
   */
  public static int run(TaskFamily family, Embodiment embodiment, int episodes, long firstSeed) {
    return run(SimConfig.builder().optEmbodiment(embodiment).optDomainRandomization(false).build(), family, episodes,
        firstSeed);
  }

  /** Like {@link #run(TaskFamily, Embodiment, int, long)} with an explicit configuration. */
  public static int run(SimConfig config, TaskFamily family, int episodes, long firstSeed) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(family, "family");
    if (episodes < 0) {
      throw new IllegalArgumentException("episodes must be >= 0, got " + episodes);
    }
    TabletopSim sim = TabletopSim.create(config);
    ScriptedExpert expert = new ScriptedExpert();
    int successes = 0;
    for (int e = 0; e < episodes; e++) {
      if (runEpisode(sim, expert, firstSeed + e, family)) {
        successes++;
      }
    }
    return successes;
  }

  /** Runs one episode to success or time-out; true on success. */
  public static boolean runEpisode(TabletopSim sim, ScriptedExpert expert, long seed, TaskFamily family) {
    sim.reset(seed, family);
    while (!sim.done()) {
      double[] a = expert.act(sim);
      if (sim.embodiment() == Embodiment.ARM) {
        sim.step(a);
      } else {
        sim.stepHand(a[0], a[1]);
      }
    }
    return sim.success();
  }
}
