package mantis.latent.eval;

import java.util.Locale;
import java.util.Map;

/**
 * What {@link LatentEvaluator} measured on a held-out dataset.
 *
 * @param pairs pairs evaluated
 * @param motionThreshold change in [0, 1] intensity above which a pixel counted as moving
 * @param byEmbodiment reconstruction and codebook figures per embodiment ({@code ARM}, {@code
 *     HAND}) and {@code ALL}
 * @param probeEmbodiment embodiment whose direction the probe predicts
 * @param probeFitPairs probe training rows (half of the probe embodiment's episodes, by seed hash)
 * @param probe accuracy of the probe on the other half
 * @param lookupAccuracy accuracy of a non-linear reference that maps each whole token tuple to its
 *     most frequent direction in the fit half (how much direction the tokens carry at all)
 * @param majorityAccuracy accuracy of always answering the fit half's most frequent direction, on
 *     the test half
 * @param pairsPerS evaluation speed (read, encode, decode, score)
 */
public record LatentEvalReport(
    int pairs,
    float motionThreshold,
    Map<String, Part> byEmbodiment,
    String probeEmbodiment,
    int probeFitPairs,
    LinearProbe.Accuracy probe,
    double lookupAccuracy,
    double majorityAccuracy,
    double pairsPerS) {

  /**
   * Figures of one embodiment.
   *
   * @param pairs pairs
   * @param movingPixelFraction fraction of pixels that moved
   * @param modelMovingMse squared error of the reconstruction on moving pixels (mean over pixels
   *     and channels)
   * @param copyMovingMse the same for the copy-frame-t baseline
   * @param modelMse squared error over every pixel
   * @param copyMse the copy baseline over every pixel
   * @param codeUsage how often each code was emitted (all token positions)
   * @param perplexity exp of the entropy of the code usage distribution (8 = all 8 codes equally
   *     used)
   */
  public record Part(
      int pairs,
      double movingPixelFraction,
      double modelMovingMse,
      double copyMovingMse,
      double modelMse,
      double copyMse,
      long[] codeUsage,
      double perplexity) {
    /** Model error over copy error on moving pixels (the goal is at most 0.5). */
    public double movingRatio() {
      return modelMovingMse / copyMovingMse;
    }
  }

  /** A human-readable table. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-6s %7s %8s %12s %12s %8s %10s %10s  %s%n",
            "part",
            "pairs",
            "moving",
            "mse_moving",
            "copy_moving",
            "ratio",
            "mse_all",
            "perplexity",
            "code usage"));
    for (Map.Entry<String, Part> e : byEmbodiment.entrySet()) {
      Part p = e.getValue();
      sb.append(
          String.format(
              Locale.ROOT,
              "%-6s %7d %7.2f%% %12.5f %12.5f %8.3f %10.5f %10.2f  %s%n",
              e.getKey(),
              p.pairs(),
              100 * p.movingPixelFraction(),
              p.modelMovingMse(),
              p.copyMovingMse(),
              p.movingRatio(),
              p.modelMse(),
              p.perplexity(),
              java.util.Arrays.toString(p.codeUsage())));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "probe (%s direction, 8 bins, tokens one-hot -> softmax): accuracy %.1f%%, balanced %.1f%% on %d pairs "
                + "(fit on %d); token-tuple lookup %.1f%%; majority class %.1f%%, chance 12.5%%%n",
            probeEmbodiment,
            100 * probe.accuracy(),
            100 * probe.balancedAccuracy(),
            probe.rows(),
            probeFitPairs,
            100 * lookupAccuracy,
            100 * majorityAccuracy));
    sb.append(
        String.format(
            Locale.ROOT,
            "%d pairs evaluated at %.0f pairs/s; moving = largest channel change > %.2f%n",
            pairs,
            pairsPerS,
            motionThreshold));
    return sb.toString();
  }

  /** The report as a JSON object. */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{");
    sb.append(
        String.format(
            Locale.ROOT,
            "\"pairs\":%d,\"motionThreshold\":%s,\"pairsPerS\":%.1f,",
            pairs,
            Float.toString(motionThreshold),
            pairsPerS));
    sb.append("\"byEmbodiment\":{");
    boolean first = true;
    for (Map.Entry<String, Part> e : byEmbodiment.entrySet()) {
      Part p = e.getValue();
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(
          String.format(
              Locale.ROOT,
              "\"%s\":{\"pairs\":%d,\"movingPixelFraction\":%.6f,\"modelMovingMse\":%.7f,\"copyMovingMse\":%.7f,"
                  + "\"movingRatio\":%.5f,\"modelMse\":%.7f,\"copyMse\":%.7f,\"perplexity\":%.4f,\"codeUsage\":%s}",
              e.getKey(),
              p.pairs(),
              p.movingPixelFraction(),
              p.modelMovingMse(),
              p.copyMovingMse(),
              p.movingRatio(),
              p.modelMse(),
              p.copyMse(),
              p.perplexity(),
              java.util.Arrays.toString(p.codeUsage()).replace(" ", "")));
    }
    sb.append("},");
    sb.append(
        String.format(
            Locale.ROOT,
            "\"probe\":{\"embodiment\":\"%s\",\"fitPairs\":%d,\"testPairs\":%d,\"accuracy\":%.5f,"
                + "\"balancedAccuracy\":%.5f,\"lookupAccuracy\":%.5f,\"majorityAccuracy\":%.5f}}",
            probeEmbodiment,
            probeFitPairs,
            probe.rows(),
            probe.accuracy(),
            probe.balancedAccuracy(),
            lookupAccuracy,
            majorityAccuracy));
    return sb.toString();
  }
}
