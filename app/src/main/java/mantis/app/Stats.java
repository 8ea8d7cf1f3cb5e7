package mantis.app;

import java.util.Arrays;

/** Success intervals and latency percentiles for the command-line reports. */
final class Stats {
  /** Two-sided 95% normal quantile. */
  static final double Z95 = 1.959963984540054;

  private Stats() {}

  /** The Wilson score interval {low, high} for {@code successes} out of {@code n} at 95%. */
  static double[] wilson(int successes, int n) {
    if (n <= 0) {
      return new double[] {0, 1};
    }
    double p = (double) successes / n;
    double z2 = Z95 * Z95;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  /** The nearest-rank percentile {@code q} (0..100) of {@code values}; NaN when empty. */
  static double percentile(long[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
