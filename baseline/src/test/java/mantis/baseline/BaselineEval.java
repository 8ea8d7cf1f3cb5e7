package mantis.baseline;

import java.util.Locale;
import mantis.sim.TaskFamily;

/**
 * Prints the visual-servo baseline's closed-loop success on seeded simulator episodes.
 *
 * <p>Usage: {@code BaselineEval [family=REACH] [episodes=200] [firstSeed=0]}; family ALL runs the
 * three families. Run with {@code mvn -q -pl baseline exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=mantis.baseline.BaselineEval -Dexec.args="REACH 200 0"}.
 */
public final class BaselineEval {
  private BaselineEval() {}

  public static void main(String[] args) {
    String familyArg = args.length > 0 ? args[0].toUpperCase(Locale.ROOT) : "REACH";
    int episodes = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    long firstSeed = args.length > 2 ? Long.parseLong(args[2]) : 0;
    TaskFamily[] families =
        familyArg.equals("ALL")
            ? TaskFamily.values()
            : new TaskFamily[] {TaskFamily.valueOf(familyArg)};
    for (TaskFamily family : families) {
      long t0 = System.nanoTime();
      ClosedLoopEval.Result r = ClosedLoopEval.defaults().run(family, episodes, firstSeed);
      double[] ci = r.wilson95();
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%-15s seeds %d..%d: %d/%d = %.1f%% (95%% CI %.1f-%.1f%%), %d safety interventions, %.1f s wall%n",
          family,
          firstSeed,
          firstSeed + episodes - 1,
          r.successes(),
          episodes,
          100 * r.rate(),
          100 * ci[0],
          100 * ci[1],
          r.interventions(),
          seconds);
      if (System.getProperty("mantis.eval.failures") != null) {
        for (ClosedLoopEval.Episode e : r.episodes()) {
          if (!e.success()) {
            System.out.printf(Locale.ROOT, "  fail seed %d: %s%n", e.seed(), e.instruction());
          }
        }
      }
    }
  }
}
