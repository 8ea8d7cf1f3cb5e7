package mantis.latent.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import mantis.core.Frame;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionModel;
import mantis.latent.data.EpisodeTruth;
import mantis.latent.data.FramePair;
import mantis.latent.data.PairRef;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.VideoEpisode;
import mantis.latent.data.WithheldTruth;

/**
 * Evaluates a latent action model on a (held-out) video dataset:
 *
 * <ul>
 *   <li>reconstruction: squared error of the decoder's frame t+H on <em>moving</em> pixels (largest
 *       channel change between frame t and frame t+H above the model's motion threshold) against
 *       the copy-frame-t baseline, per embodiment;
 *   <li>codebook: how often each code is emitted and the perplexity of that distribution;
 *   <li>a linear probe ({@link LinearProbe}) from the tokens to the withheld 8-way direction of the
 *       probe embodiment's effector, fitted on half of that embodiment's episodes (by a hash of the
 *       seed) and scored on the other half; pairs whose effector stays still are left out.
 * </ul>
 *
 * <p>The withheld truth is read only here, never by training.
 */
public final class LatentEvaluator {
  private static final long PROBE_SPLIT_SEED = 0x5EEDL;
  private final LatentActionModel model;
  private final VideoDataset dataset;
  private final WithheldTruth truth;
  private final String probeEmbodiment;
  private final int maxPairs;
  private final int batchSize;
  private final LongConsumer progress;

  private LatentEvaluator(Builder b) {
    this.model = b.model;
    this.dataset = b.dataset;
    this.truth = b.truth;
    this.probeEmbodiment = b.probeEmbodiment;
    this.maxPairs = b.maxPairs;
    this.batchSize = b.batchSize;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The pairs that would be evaluated (all, or a seeded sample of {@code maxPairs}), in dataset
   * order.
   */
  List<PairRef> selectedPairs() {
    PairSet all = dataset.allPairs();
    if (maxPairs <= 0 || maxPairs >= all.size()) {
      return all.pairs();
    }
    List<PairRef> sample = new ArrayList<>(all.shuffled(PROBE_SPLIT_SEED).subList(0, maxPairs));
    sample.sort(
        (p, q) ->
            p.episodeIndex() != q.episodeIndex()
                ? Integer.compare(p.episodeIndex(), q.episodeIndex())
                : Integer.compare(p.t(), q.t()));
    return sample;
  }

  /** Runs the evaluation. */
  public LatentEvalReport evaluate() {
    int side = model.config().inputSizePx();
    if (dataset.widthPx() != side || dataset.heightPx() != side) {
      throw new IllegalArgumentException(
          "the dataset's frames are "
              + dataset.widthPx()
              + "x"
              + dataset.heightPx()
              + " but the model takes "
              + side
              + "x"
              + side);
    }
    float thr = model.config().motionThreshold();
    int k = model.config().codebookSize();
    List<PairRef> pairs = selectedPairs();
    Map<String, Acc> acc = new LinkedHashMap<>();
    acc.put("ALL", new Acc(k));
    List<int[]> fitX = new ArrayList<>();
    List<Integer> fitY = new ArrayList<>();
    List<int[]> testX = new ArrayList<>();
    List<Integer> testY = new ArrayList<>();
    long start = System.nanoTime();
    for (int from = 0; from < pairs.size(); from += batchSize) {
      List<PairRef> refs = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
      List<Frame> a = new ArrayList<>(refs.size());
      List<Frame> b = new ArrayList<>(refs.size());
      for (PairRef r : refs) {
        FramePair p = dataset.readPair(r);
        a.add(Frame.wrapRgb(side, side, p.first()));
        b.add(Frame.wrapRgb(side, side, p.second()));
      }
      int[][] tokens = model.encode(new FramePairs(a, b));
      float[][] rec = model.reconstructPixels(a, tokens);
      for (int i = 0; i < refs.size(); i++) {
        PairRef r = refs.get(i);
        VideoEpisode e = dataset.episodes().get(r.episodeIndex());
        Acc part = acc.computeIfAbsent(e.embodiment(), x -> new Acc(k));
        byte[] fa = a.get(i).rgbUnsafe();
        byte[] fb = b.get(i).rgbUnsafe();
        part.add(fa, fb, rec[i], tokens[i], thr);
        acc.get("ALL").add(fa, fb, rec[i], tokens[i], thr);
        if (e.embodiment().equalsIgnoreCase(probeEmbodiment)) {
          EpisodeTruth et = truth.episode(r.episodeIndex());
          int bin = et.pairDirectionBin()[r.t()];
          if (bin >= 0) {
            boolean fit = !VideoDataset.isHeldOut(e.seed(), 0.5, PROBE_SPLIT_SEED);
            (fit ? fitX : testX).add(tokens[i]);
            (fit ? fitY : testY).add(bin);
          }
        }
      }
      if (progress != null) {
        progress.accept(from + refs.size());
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (fitX.isEmpty() || testX.isEmpty()) {
      throw new IllegalArgumentException(
          "the dataset has too few moving "
              + probeEmbodiment
              + " pairs for the probe (fit "
              + fitX.size()
              + ", test "
              + testX.size()
              + "); record more episodes");
    }
    int[][] fx = fitX.toArray(new int[0][]);
    int[] fy = fitY.stream().mapToInt(Integer::intValue).toArray();
    int[][] tx = testX.toArray(new int[0][]);
    int[] ty = testY.stream().mapToInt(Integer::intValue).toArray();
    LinearProbe probe = LinearProbe.fit(fx, fy, k, 8, 400, 1e-4);
    LinearProbe.Accuracy probeAcc = probe.score(tx, ty);
    int[] counts = new int[8];
    for (int y : fy) {
      counts[y]++;
    }
    int majority = 0;
    for (int c = 1; c < 8; c++) {
      if (counts[c] > counts[majority]) {
        majority = c;
      }
    }
    int hits = 0;
    for (int y : ty) {
      if (y == majority) {
        hits++;
      }
    }
    double lookup = lookupAccuracy(fx, fy, tx, ty, majority);
    Map<String, LatentEvalReport.Part> parts = new LinkedHashMap<>();
    acc.forEach((name, x) -> parts.put(name, x.part()));
    return new LatentEvalReport(
        pairs.size(),
        thr,
        parts,
        probeEmbodiment.toUpperCase(java.util.Locale.ROOT),
        fx.length,
        probeAcc,
        lookup,
        (double) hits / ty.length,
        pairs.size() / Math.max(seconds, 1e-9));
  }

  /**
   * A non-linear reference: each whole token tuple seen in the fit half answers its most frequent
   * direction there (unseen tuples answer the overall majority). Shows how much direction the
   * tokens carry at all.
   */
  static double lookupAccuracy(int[][] fx, int[] fy, int[][] tx, int[] ty, int fallback) {
    Map<String, int[]> counts = new java.util.HashMap<>();
    for (int i = 0; i < fx.length; i++) {
      counts.computeIfAbsent(java.util.Arrays.toString(fx[i]), x -> new int[8])[fy[i]]++;
    }
    int hits = 0;
    for (int i = 0; i < tx.length; i++) {
      int[] c = counts.get(java.util.Arrays.toString(tx[i]));
      int guess = fallback;
      if (c != null) {
        for (int k = 0; k < 8; k++) {
          if (c[k] > c[guess]) {
            guess = k;
          }
        }
      }
      if (guess == ty[i]) {
        hits++;
      }
    }
    return (double) hits / tx.length;
  }

  /** Running sums of one part. */
  private static final class Acc {
    final long[] usage;
    int pairs;
    long pixels;
    long moving;
    double modelMoving;
    double copyMoving;
    double modelAll;
    double copyAll;

    Acc(int k) {
      usage = new long[k];
    }

    void add(byte[] a, byte[] b, float[] rec, int[] tokens, float thr) {
      pairs++;
      for (int t : tokens) {
        usage[t]++;
      }
      int n = a.length / 3;
      pixels += n;
      for (int i = 0; i < n; i++) {
        double em = 0;
        double ec = 0;
        float maxChange = 0;
        for (int c = 0; c < 3; c++) {
          float va = (a[3 * i + c] & 0xFF) / 255f;
          float vb = (b[3 * i + c] & 0xFF) / 255f;
          float d = vb - va;
          float r = rec[3 * i + c] - vb;
          em += r * r;
          ec += d * d;
          maxChange = Math.max(maxChange, Math.abs(d));
        }
        modelAll += em / 3;
        copyAll += ec / 3;
        if (maxChange > thr) {
          moving++;
          modelMoving += em / 3;
          copyMoving += ec / 3;
        }
      }
    }

    LatentEvalReport.Part part() {
      long total = 0;
      for (long u : usage) {
        total += u;
      }
      double h = 0;
      for (long u : usage) {
        if (u > 0) {
          double p = (double) u / total;
          h -= p * Math.log(p);
        }
      }
      return new LatentEvalReport.Part(
          pairs,
          pixels == 0 ? 0 : (double) moving / pixels,
          moving == 0 ? Double.NaN : modelMoving / moving,
          moving == 0 ? Double.NaN : copyMoving / moving,
          pixels == 0 ? Double.NaN : modelAll / pixels,
          pixels == 0 ? Double.NaN : copyAll / pixels,
          usage.clone(),
          Math.exp(h));
    }
  }

  /** Builder: model, dataset and truth are required. */
  public static final class Builder {
    private LatentActionModel model;
    private VideoDataset dataset;
    private WithheldTruth truth;
    private String probeEmbodiment = "ARM";
    private int maxPairs;
    private int batchSize = 256;
    private LongConsumer progress;

    private Builder() {}

    public Builder setModel(LatentActionModel model) {
      this.model = model;
      return this;
    }

    public Builder setDataset(VideoDataset dataset) {
      this.dataset = dataset;
      return this;
    }

    public Builder setTruth(WithheldTruth truth) {
      this.truth = truth;
      return this;
    }

    /** {@code ARM} (default) or {@code HAND}. */
    public Builder optProbeEmbodiment(String embodiment) {
      if (embodiment == null
          || !(embodiment.equalsIgnoreCase("ARM") || embodiment.equalsIgnoreCase("HAND"))) {
        throw new IllegalArgumentException(
            "probe embodiment must be ARM or HAND, got " + embodiment);
      }
      this.probeEmbodiment = embodiment;
      return this;
    }

    /** Evaluate a seeded sample of at most this many pairs (0 = all, the default). */
    public Builder optMaxPairs(int maxPairs) {
      this.maxPairs = maxPairs;
      return this;
    }

    /** Pairs per model call (default 256). */
    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Called with the number of pairs done after every batch. */
    public Builder optProgress(LongConsumer progress) {
      this.progress = progress;
      return this;
    }

    public LatentEvaluator build() {
      Objects.requireNonNull(model, "model (setModel) is required");
      Objects.requireNonNull(dataset, "dataset (setDataset) is required");
      Objects.requireNonNull(truth, "truth (setTruth) is required");
      if (maxPairs < 0) {
        throw new IllegalArgumentException("maxPairs must be >= 0 (0 = all), got " + maxPairs);
      }
      if (batchSize < 1 || batchSize > 4096) {
        throw new IllegalArgumentException("batchSize must be in [1, 4096], got " + batchSize);
      }
      return new LatentEvaluator(this);
    }
  }
}
