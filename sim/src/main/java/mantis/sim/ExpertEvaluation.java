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
    return run(
        SimConfig.builder().optEmbodiment(embodiment).optDomainRandomization(false).build(),
        family,
        episodes,
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
  public static boolean runEpisode(
      TabletopSim sim, ScriptedExpert expert, long seed, TaskFamily family) {
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

  /**
   * Prints the expert's success per embodiment and family: {@code ExpertEvaluation [episodes=200]
   * [firstSeed=0]}.
   */
  public static void main(String[] args) {
    int episodes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    long firstSeed = args.length > 1 ? Long.parseLong(args[1]) : 0;
    for (Embodiment embodiment : Embodiment.values()) {
      for (TaskFamily family : TaskFamily.values()) {
        int ok = run(family, embodiment, episodes, firstSeed);
        System.out.printf(
            java.util.Locale.ROOT,
            "%-5s %-15s %4d/%d  %.1f%%%n",
            embodiment,
            family,
            ok,
            episodes,
            100.0 * ok / Math.max(1, episodes));
      }
    }
  }
}
