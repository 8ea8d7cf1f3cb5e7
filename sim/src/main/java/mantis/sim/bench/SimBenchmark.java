package mantis.sim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;

/**
 * Measures the simulator's single-thread throughput: one physics step plus one rendered RGB frame,
 * with domain randomisation on, at 64x64, 128x128 and 640x480. The arm follows smooth joint targets
 * (no policy in the loop); episodes are reset when they end, and a reset's one-off work (scene
 * sampling, ray casting, background) is included.
 */
public final class SimBenchmark {
  /** Column names of {@link #run()}'s rows. */
  public static final List<String> COLUMNS =
      List.of("resolution", "step+render frames/s", "render-only frames/s", "physics-only steps/s");

  private static final int[][] SIZES = {{64, 64}, {128, 128}, {640, 480}};

  private SimBenchmark() {}

  /** Runs the benchmark for about a second per measurement; one row per resolution. */
  public static List<String[]> run() {
    return run(1.0);
  }

  /**
   * Like {@link #run()} with {@code secondsPerMeasurement} per measurement (after a short warm-up).
   */
  public static List<String[]> run(double secondsPerMeasurement) {
    if (!(secondsPerMeasurement > 0)) {
      throw new IllegalArgumentException("secondsPerMeasurement must be > 0");
    }
    double physics = measure(0, 0, true, false, secondsPerMeasurement);
    List<String[]> rows = new ArrayList<>();
    for (int[] s : SIZES) {
      double stepRender = measure(s[0], s[1], true, true, secondsPerMeasurement);
      double renderOnly = measure(s[0], s[1], false, true, secondsPerMeasurement);
      rows.add(
          new String[] {
            s[0] + "x" + s[1],
            String.format(Locale.ROOT, "%.0f", stepRender),
            String.format(Locale.ROOT, "%.0f", renderOnly),
            String.format(Locale.ROOT, "%.0f", physics)
          });
    }
    return rows;
  }

  /** Iterations per second of (step and/or render). */
  static double measure(int w, int h, boolean step, boolean render, double seconds) {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    byte[] buf = new byte[Math.max(1, w * h * 3)];
    long[] seed = {0};
    sim.reset(seed[0], TaskFamily.PUSH_DIRECTION);
    double[] targets = new double[3];
    // Warm-up, then measure.
    loop(sim, buf, w, h, step, render, targets, seed, (long) (0.3e9));
    long t0 = System.nanoTime();
    long n = loop(sim, buf, w, h, step, render, targets, seed, (long) (seconds * 1e9));
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static long loop(
      TabletopSim sim,
      byte[] buf,
      int w,
      int h,
      boolean step,
      boolean render,
      double[] targets,
      long[] seed,
      long nanos) {
    long end = System.nanoTime() + nanos;
    long n = 0;
    while ((n & 31) != 0 || System.nanoTime() < end) {
      if (step) {
        if (sim.done()) {
          sim.reset(++seed[0], TaskFamily.PUSH_DIRECTION);
        }
        double t = sim.timeS();
        targets[0] = 1.3 + 0.6 * Math.sin(0.9 * t);
        targets[1] = 1.2 + 0.8 * Math.sin(1.3 * t);
        targets[2] = 0.3 * Math.sin(2.1 * t);
        sim.step(targets);
      }
      if (render) {
        sim.renderInto(w, h, buf);
      }
      n++;
    }
    return n;
  }

  /** Prints the table. */
  public static void main(String[] args) {
    List<String[]> rows = run();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-10s %22s %22s %22s%n",
            COLUMNS.get(0),
            COLUMNS.get(1),
            COLUMNS.get(2),
            COLUMNS.get(3)));
    for (String[] r : rows) {
      sb.append(String.format(Locale.ROOT, "%-10s %22s %22s %22s%n", r[0], r[1], r[2], r[3]));
    }
    System.out.print(sb);
  }
}
