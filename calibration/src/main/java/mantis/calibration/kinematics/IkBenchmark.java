package mantis.calibration.kinematics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * IK benchmark (a command-line tool, not a test): random in-limit joint values, their FK pose as
 * the target, IK from a random in-limit seed; prints success rate, position and orientation error
 * and the time per solve as a table.
 *
 * <pre>
 * java -cp app/target/mantis.jar mantis.calibration.kinematics.IkBenchmark \
 *     calibration/src/test/resources/urdf/ur5e_like.urdf base_link tool0 20000
 * </pre>
 */
public final class IkBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private IkBenchmark() {}

  /** Args: URDF file, base link, tool link, number of poses (default 20000), seed (default 1). */
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: IkBenchmark URDF BASE_LINK TOOL_LINK [POSES] [SEED]");
      System.exit(2);
    }
    SerialChain chain = UrdfReader.read(Path.of(args[0])).serialChain(args[1], args[2]);
    int poses = args.length > 3 ? Integer.parseInt(args[3]) : 20000;
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
    Kinematics k = Kinematics.serial(chain);
    // Warm-up with other poses so the JIT has compiled the solver.
    run(k, chain, Math.min(poses, 5000), seed + 1000);
    double[][] r = run(k, chain, poses, seed);
    double[] nanos = r[0];
    double[] posErr = r[1];
    double[] rotErr = r[2];
    int solved = (int) r[3][0];
    double attempts = r[3][1];
    double[] attemptCounts = r[4];
    double[] iterationCounts = r[5];
    double[] cpuNanos = r[6];
    Arrays.sort(cpuNanos);
    Arrays.sort(attemptCounts);
    Arrays.sort(iterationCounts);
    Arrays.sort(nanos);
    Arrays.sort(posErr);
    Arrays.sort(rotErr);
    System.out.println("chain | " + chain.name() + " (" + chain.jointCount() + " joints)");
    System.out.println("poses | " + poses + " (seed " + seed + ")");
    System.out.println(
        String.format(
            Locale.ROOT, "success | %.4f%% (%d of %d)", 100.0 * solved / poses, solved, poses));
    System.out.println(
        String.format(
            Locale.ROOT,
            "attempts per solve mean / p99 / max | %.3f / %.0f / %.0f",
            attempts,
            pct(attemptCounts, 0.99),
            max(attemptCounts)));
    System.out.println(
        String.format(
            Locale.ROOT,
            "iterations per solve mean / p99 / max | %.1f / %.0f / %.0f",
            mean(iterationCounts),
            pct(iterationCounts, 0.99),
            max(iterationCounts)));
    System.out.println(
        String.format(
            Locale.ROOT,
            "position error (solved) max / p99 | %.3g m / %.3g m",
            max(posErr),
            pct(posErr, 0.99)));
    System.out.println(
        String.format(
            Locale.ROOT,
            "orientation error (solved) max / p99 | %.3g rad / %.3g rad",
            max(rotErr),
            pct(rotErr, 0.99)));
    System.out.println(
        String.format(
            Locale.ROOT,
            "time per solve p50 / p99 / max | %.1f us / %.1f us / %.1f us",
            pct(nanos, 0.5) / 1e3,
            pct(nanos, 0.99) / 1e3,
            nanos[nanos.length - 1] / 1e3));
    System.out.println(
        String.format(
            Locale.ROOT,
            "thread CPU time per solve p50 / p99 / max | %.1f us / %.1f us / %.1f us",
            pct(cpuNanos, 0.5) / 1e3,
            pct(cpuNanos, 0.99) / 1e3,
            cpuNanos[cpuNanos.length - 1] / 1e3));
  }

  private static double[][] run(Kinematics k, SerialChain chain, int poses, long seed) {
    Random rng = new Random(seed);
    double[] nanos = new double[poses];
    boolean cpu = THREADS.isCurrentThreadCpuTimeSupported();
    double[] cpuNanos = new double[poses];
    double[] posErr = new double[poses];
    double[] rotErr = new double[poses];
    double[] attemptCounts = new double[poses];
    double[] iterationCounts = new double[poses];
    int solved = 0;
    long attempts = 0;
    for (int n = 0; n < poses; n++) {
      Pose target = k.forward(random(chain, rng));
      double[] start = random(chain, rng);
      long c0 = cpu ? THREADS.getCurrentThreadCpuTime() : 0;
      long t0 = System.nanoTime();
      IkResult r = k.inverse(target, start);
      nanos[n] = System.nanoTime() - t0;
      if (cpu) {
        cpuNanos[n] = THREADS.getCurrentThreadCpuTime() - c0;
      }
      attempts += r.attempts();
      attemptCounts[n] = r.attempts();
      iterationCounts[n] = r.iterations();
      if (r.solved()) {
        Pose reached = k.forward(r.joints().orElseThrow());
        posErr[solved] = reached.positionDistanceM(target);
        rotErr[solved] = reached.angleToRad(target);
        solved++;
      }
    }
    return new double[][] {
      nanos,
      Arrays.copyOf(posErr, Math.max(1, solved)),
      Arrays.copyOf(rotErr, Math.max(1, solved)),
      {solved, attempts / (double) poses},
      attemptCounts,
      iterationCounts,
      cpuNanos
    };
  }

  private static double[] random(SerialChain chain, Random rng) {
    double[] q = new double[chain.jointCount()];
    for (int i = 0; i < q.length; i++) {
      ChainJoint j = chain.joint(i);
      q[i] =
          j.bounded()
              ? j.lower() + rng.nextDouble() * (j.upper() - j.lower())
              : (rng.nextDouble() * 2 - 1) * Math.PI;
    }
    return q;
  }

  private static double pct(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    return sum / v.length;
  }

  private static double max(double[] sorted) {
    return sorted[sorted.length - 1];
  }
}
