package mantis.latent.train;

/** Bias-corrected exponential moving average (the first values are not pulled toward 0). */
final class Ema {
  private final double decay;
  private double biased;
  private double weight;

  Ema(double decay) {
    if (!(decay >= 0 && decay < 1)) {
      throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
    }
    this.decay = decay;
  }

  /**
   * A decay suited to a curve of {@code points} points: about n/10 points of memory, at most 50.
   */
  static double decayFor(int points) {
    double memory = Math.min(50, points / 10.0);
    return memory <= 1 ? 0 : 1 - 1 / memory;
  }

  void add(double x) {
    if (!Double.isFinite(x)) {
      return;
    }
    biased = decay * biased + (1 - decay) * x;
    weight = decay * weight + (1 - decay);
  }

  /** The smoothed value, NaN before the first value. */
  double value() {
    return weight == 0 ? Double.NaN : biased / weight;
  }
}
