package mantis.app;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.sim.Embodiment;
import mantis.sim.ExpertEvaluation;
import mantis.sim.SimConfig;
import mantis.sim.TaskFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mantis expert}: the sim's scripted expert per family. */
@Command(
    name = "expert",
    mixinStandardHelpOptions = true,
    description =
        "Run the simulator's scripted expert (privileged state, inverse kinematics) on seeded episodes "
            + "and print success per family with Wilson 95%% intervals.")
final class ExpertCommand implements Callable<Integer> {
  @Option(
      names = "--episodes",
      defaultValue = "200",
      description = "Episodes per family (default ${DEFAULT-VALUE}).")
  int episodes;

  @Option(
      names = "--first-seed",
      defaultValue = "0",
      description = "Seed of the first episode (default ${DEFAULT-VALUE}).")
  long firstSeed;

  @Option(names = "--embodiment", defaultValue = "ARM", description = "ARM (default) or HAND.")
  Embodiment embodiment;

  @Option(
      names = "--robot",
      defaultValue = "planar3",
      description = "The arm: planar3 (default) or ur5e (the bundled UR5e-like 6-joint arm).")
  String robot;

  @Option(
      names = "--family",
      defaultValue = "all",
      converter = Families.class,
      description = "all (default), reach, push_direction or push_to_target.")
  List<TaskFamily> families;

  @Override
  public Integer call() {
    SimConfig config;
    try {
      config =
          SimConfig.builder()
              .optEmbodiment(embodiment)
              .optDomainRandomization(false)
              .optRobot(robot)
              .build();
    } catch (IllegalArgumentException e) {
      System.err.println("mantis expert: " + e.getMessage());
      return 2;
    }
    if (episodes < 1) {
      System.err.println("mantis expert: --episodes must be >= 1, got " + episodes);
      return 2;
    }
    System.out.printf(
        "Scripted expert, %s%s, %d episodes per family from seed %d%n",
        embodiment, embodiment == Embodiment.ARM ? " " + config.robot() : "", episodes, firstSeed);
    System.out.printf(
        "%-16s %8s %8s %9s %17s %9s%n",
        "family", "episodes", "success", "rate", "95% CI (Wilson)", "seconds");
    for (TaskFamily f : families) {
      long t0 = System.nanoTime();
      int ok = ExpertEvaluation.run(config, f, episodes, firstSeed);
      double[] ci = Stats.wilson(ok, episodes);
      System.out.printf(
          "%-16s %8d %8d %8.1f%% %7.1f%% - %5.1f%% %9.1f%n",
          f.name().toLowerCase(Locale.ROOT),
          episodes,
          ok,
          100.0 * ok / episodes,
          100 * ci[0],
          100 * ci[1],
          (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }
}
