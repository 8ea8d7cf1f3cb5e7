package mantis.latent.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import mantis.core.Frame;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import mantis.latent.data.FramePair;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the speed of a {@link LatentActionModel} in one process, side by side: one-pair encode +
 * quantise latency, batched labelling, batched encode + decode, training steps, and the fp32
 * matrix-product peak of the same engine and device, each throughput also as model GFLOP/s.
 *
 * <p>Built with {@link #builder()}; {@link #run()} does the work (single-threaded, seconds to a
 * minute) and returns a {@link LatentBenchResult}. The training steps update the model's weights in
 * memory: they run last, and a benchmarked model should not be saved afterwards.
 */
public final class LatentBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(LatentBenchmark.class);

  /**
   * The DJL system property fixing PyTorch's intra-op threads; read once when the engine starts, so
   * it must be set before the first model is made in the process.
   */
  public static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

  private final LatentActionModel model;
  private final String modelDescription;
  private final FramePairs pool;
  private final String framesDescription;
  private final int singleCalls;
  private final int singleWarmupCalls;
  private final int[] batchSizes;
  private final int trainBatchSize;
  private final int warmupCalls;
  private final int minCalls;
  private final double minSeconds;
  private final int matmulSide;
  private final String commandLine;
  private final Consumer<String> listener;

  private LatentBenchmark(
      Builder b, FramePairs pool, String modelDescription, String framesDescription) {
    this.model = b.model;
    this.modelDescription = modelDescription;
    this.pool = pool;
    this.framesDescription = framesDescription;
    this.singleCalls = b.singleCalls;
    this.singleWarmupCalls = b.singleWarmupCalls;
    this.batchSizes = b.batchSizes.clone();
    this.trainBatchSize = b.trainBatchSize;
    this.warmupCalls = b.warmupCalls;
    this.minCalls = b.minCalls;
    this.minSeconds = b.minSeconds;
    this.matmulSide = b.matmulSide;
    this.commandLine = b.commandLine;
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Synthetic pairs: a few random coloured squares on a noise background, each square moved by a
   * random offset between frame t and frame t+H. The same arguments give the same frames.
   */
  public static FramePairs syntheticPairs(int sizePx, int count, long seed) {
    if (sizePx < 4) {
      throw new IllegalArgumentException("frame side must be >= 4 pixels, got " + sizePx);
    }
    if (count < 1) {
      throw new IllegalArgumentException("need at least one pair, got " + count);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<Frame> a = new ArrayList<>(count);
    List<Frame> b = new ArrayList<>(count);
    int square = Math.max(2, sizePx / 6);
    int maxShift = Math.max(1, sizePx / 8);
    for (int i = 0; i < count; i++) {
      byte[] bg = new byte[sizePx * sizePx * 3];
      for (int k = 0; k < bg.length; k++) {
        bg[k] = (byte) (30 + rng.nextInt(50));
      }
      byte[] first = bg.clone();
      byte[] second = bg.clone();
      int squares = 1 + rng.nextInt(3);
      for (int q = 0; q < squares; q++) {
        int r = 120 + rng.nextInt(136);
        int g = rng.nextInt(256);
        int bl = rng.nextInt(256);
        int x = rng.nextInt(sizePx - square + 1);
        int y = rng.nextInt(sizePx - square + 1);
        int x2 = clamp(x + rng.nextInt(-maxShift, maxShift + 1), sizePx - square);
        int y2 = clamp(y + rng.nextInt(-maxShift, maxShift + 1), sizePx - square);
        fill(first, sizePx, x, y, square, r, g, bl);
        fill(second, sizePx, x2, y2, square, r, g, bl);
      }
      a.add(Frame.wrapRgb(sizePx, sizePx, first));
      b.add(Frame.wrapRgb(sizePx, sizePx, second));
    }
    return new FramePairs(a, b);
  }

  /**
   * The first {@code count} pairs of a dataset in dataset order (fewer if it has fewer; at least
   * one).
   */
  public static FramePairs datasetPairs(VideoDataset dataset, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("need at least one pair, got " + count);
    }
    PairSet all = dataset.allPairs();
    if (all.size() == 0) {
      throw new IllegalArgumentException("dataset " + dataset.directory() + " has no frame pairs");
    }
    int n = Math.min(count, all.size());
    List<Frame> a = new ArrayList<>(n);
    List<Frame> b = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      FramePair p = all.read(all.get(i));
      a.add(Frame.wrapRgb(dataset.widthPx(), dataset.heightPx(), p.first()));
      b.add(Frame.wrapRgb(dataset.widthPx(), dataset.heightPx(), p.second()));
    }
    return new FramePairs(a, b);
  }

  /** Pairs the benchmark needs to avoid repeating a pair inside one batch. */
  public int pairsWanted() {
    return pairsWanted(batchSizes, trainBatchSize);
  }

  private static int pairsWanted(int[] batchSizes, int trainBatchSize) {
    return Math.max(trainBatchSize, Arrays.stream(batchSizes).max().orElse(1));
  }

  /**
   * Runs every measurement, in order: single pair, labelling, encode + decode, matmul peak,
   * training.
   */
  public LatentBenchResult run() {
    LatentActionConfig c = model.config();
    long encFlops = LatentActionModel.encodeFlopsPerPair(c);
    long decFlops = LatentActionModel.decodeFlopsPerPair(c);
    long trainFlops = 3 * (encFlops + decFlops);
    Engine engine = Engine.getInstance();
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    double loadStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    LatentBenchResult.ModelInfo info =
        new LatentBenchResult.ModelInfo(
            modelDescription, c.toString(), model.parameterCount(), c.inputSizePx());

    stage(
        "one pair encode + quantise: "
            + singleWarmupCalls
            + " warm-up + "
            + singleCalls
            + " calls");
    Frame a = pool.framesT().get(0);
    Frame b = pool.framesTPlusH().get(0);
    for (int i = 0; i < singleWarmupCalls; i++) {
      model.encode(a, b);
    }
    long[] ns = new long[singleCalls];
    for (int i = 0; i < singleCalls; i++) {
      long t0 = System.nanoTime();
      model.encode(a, b);
      ns[i] = System.nanoTime() - t0;
    }
    Arrays.sort(ns);
    double medianMs = percentile(ns, 0.5) / 1e6;
    LatentBenchResult.Latency single =
        new LatentBenchResult.Latency(
            singleCalls, medianMs, percentile(ns, 0.9) / 1e6, encFlops / (medianMs * 1e-3) / 1e9);

    List<LatentBenchResult.Throughput> labelling = new ArrayList<>();
    for (int size : batchSizes) {
      stage("labelling, batch " + size);
      FramePairs batch = batch(size);
      labelling.add(throughput(size, encFlops, () -> model.encode(batch)));
    }
    List<LatentBenchResult.Throughput> encodeDecode = new ArrayList<>();
    for (int size : batchSizes) {
      stage("encode + decode, batch " + size);
      FramePairs batch = batch(size);
      encodeDecode.add(
          throughput(
              size,
              encFlops + decFlops,
              () -> model.reconstructPixels(batch.framesT(), model.encode(batch))));
    }
    stage("fp32 matmul " + matmulSide + "^3");
    LatentBenchResult.MatmulPeak peak = matmulPeak();
    stage("training step, batch " + trainBatchSize);
    FramePairs trainBatch = batch(trainBatchSize);
    LatentBenchResult.Throughput training =
        throughput(trainBatchSize, trainFlops, () -> model.trainStep(trainBatch));
    LatentBenchResult.Machine machine =
        new LatentBenchResult.Machine(
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.name"),
            System.getProperty("os.arch"),
            System.getProperty("java.version"),
            engineDescription(engine),
            model.deviceName(),
            start,
            commandLine,
            loadStart,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return new LatentBenchResult(
        machine,
        info,
        framesDescription,
        encFlops,
        decFlops,
        trainFlops,
        single,
        labelling,
        encodeDecode,
        training,
        peak);
  }

  /**
   * Engine name and version, with the intra-op thread count when set by {@value #THREADS_PROPERTY}.
   */
  private static String engineDescription(Engine engine) {
    String threads = System.getProperty(THREADS_PROPERTY);
    return "DJL "
        + engine.getEngineName()
        + " "
        + engine.getVersion()
        + (threads != null && engine.getEngineName().equals("PyTorch")
            ? " (" + THREADS_PROPERTY + "=" + threads + ")"
            : "");
  }

  private void stage(String what) {
    LOG.debug("bench: {}", what);
    listener.accept(what);
  }

  private FramePairs batch(int size) {
    List<Frame> a = new ArrayList<>(size);
    List<Frame> b = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      a.add(pool.framesT().get(i % pool.size()));
      b.add(pool.framesTPlusH().get(i % pool.size()));
    }
    return new FramePairs(a, b);
  }

  private LatentBenchResult.Throughput throughput(int batchSize, long flopsPerPair, Runnable call) {
    long[] timed = timeCalls(call, warmupCalls, minCalls, minSeconds);
    int calls = (int) timed[0];
    double s = timed[1] / 1e9;
    double pairsPerS = (double) batchSize * calls / s;
    return new LatentBenchResult.Throughput(
        batchSize, calls, s * 1e3 / calls, pairsPerS, pairsPerS * flopsPerPair / 1e9);
  }

  /**
   * Runs {@code call} {@code warmupCalls} times untimed, then timed until at least {@code minCalls}
   * calls and {@code minSeconds} have passed.
   *
   * @return {calls, elapsed nanoseconds} of the timed part
   */
  public static long[] timeCalls(Runnable call, int warmupCalls, int minCalls, double minSeconds) {
    for (int i = 0; i < warmupCalls; i++) {
      call.run();
    }
    long minNanos = (long) (minSeconds * 1e9);
    int calls = 0;
    long t0 = System.nanoTime();
    long elapsed;
    do {
      call.run();
      calls++;
      elapsed = System.nanoTime() - t0;
    } while (calls < minCalls || elapsed < minNanos);
    return new long[] {calls, elapsed};
  }

  private LatentBenchResult.MatmulPeak matmulPeak() {
    return matmulPeak(matmulSide, warmupCalls, minCalls, minSeconds);
  }

  /**
   * The fp32 matrix-product peak of the default engine and device on this thread: {@code
   * warmupCalls} (at least one) untimed {@code side x side} products, then timed ones until at
   * least {@code minCalls} and {@code minSeconds}. Other benchmarks use it to put their GFLOP/s
   * next to what the same process can reach.
   *
   * @throws IllegalArgumentException when {@code side} is outside [1, 8192] or a count is negative
   */
  public static LatentBenchResult.MatmulPeak matmulPeak(
      int side, int warmupCalls, int minCalls, double minSeconds) {
    if (side < 1 || side > 8192) {
      throw new IllegalArgumentException("matmul side must be in [1, 8192], got " + side);
    }
    if (warmupCalls < 0 || minCalls < 1 || !(minSeconds >= 0)) {
      throw new IllegalArgumentException(
          "need warmupCalls >= 0, minCalls >= 1, minSeconds >= 0; got "
              + warmupCalls
              + ", "
              + minCalls
              + ", "
              + minSeconds);
    }
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.randomUniform(0f, 1f, new Shape(side, side));
      NDArray y = nd.randomUniform(0f, 1f, new Shape(side, side));
      Runnable product =
          () -> {
            try (NDArray z = x.matMul(y)) {
              z.getFloat(0, 0); // waits for the result on asynchronous devices
            }
          };
      for (int i = 0; i < Math.max(1, warmupCalls); i++) {
        product.run();
      }
      long minNanos = (long) (minSeconds * 1e9);
      int calls = 0;
      long t0 = System.nanoTime();
      long elapsed;
      do {
        product.run();
        calls++;
        elapsed = System.nanoTime() - t0;
      } while (calls < minCalls || elapsed < minNanos);
      double flops = 2.0 * side * side * (double) side * calls;
      return new LatentBenchResult.MatmulPeak(side, calls, flops / (elapsed / 1e9) / 1e9);
    }
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static int clamp(int v, int max) {
    return Math.max(0, Math.min(max, v));
  }

  private static void fill(byte[] img, int side, int x0, int y0, int square, int r, int g, int b) {
    for (int y = y0; y < y0 + square; y++) {
      for (int x = x0; x < x0 + square; x++) {
        int i = (y * side + x) * 3;
        img[i] = (byte) r;
        img[i + 1] = (byte) g;
        img[i + 2] = (byte) b;
      }
    }
  }

  /**
   * Builder: {@link #setModel} is required; the defaults make a full run of about 10 to 30 s on 2
   * cores.
   */
  public static final class Builder {
    private LatentActionModel model;
    private String modelDescription;
    private FramePairs pairs;
    private String framesDescription;
    private long syntheticSeed = 7;
    private int singleCalls = 300;
    private int singleWarmupCalls = 100;
    private int[] batchSizes = {64, 256};
    private int trainBatchSize = 32;
    private int warmupCalls = 2;
    private int minCalls = 5;
    private double minSeconds = 1.5;
    private int matmulSide = 1024;
    private String commandLine = "(api)";
    private Consumer<String> listener = s -> {};

    private Builder() {}

    /**
     * The model to measure (not closed by the benchmark; its weights change during the training
     * steps).
     */
    public Builder setModel(LatentActionModel model) {
      this.model = model;
      return this;
    }

    /** How the model came about, for the report (default: "model at step N"). */
    public Builder optModelDescription(String description) {
      this.modelDescription = description;
      return this;
    }

    /**
     * The frame pairs to feed (cycled when a batch needs more; frames of the model's input size).
     * Default: {@link #syntheticPairs} with {@link #optSyntheticSeed}.
     */
    public Builder optPairs(FramePairs pairs, String description) {
      this.pairs = pairs;
      this.framesDescription = description;
      return this;
    }

    /** Seed of the synthetic frames used when no pairs are given (default 7). */
    public Builder optSyntheticSeed(long seed) {
      this.syntheticSeed = seed;
      return this;
    }

    /** Timed one-pair calls (default 300) and warm-up calls before them (default 100). */
    public Builder optSingleCalls(int calls, int warmupCalls) {
      this.singleCalls = calls;
      this.singleWarmupCalls = warmupCalls;
      return this;
    }

    /** Batch sizes of the labelling and encode + decode measures (default 64 and 256). */
    public Builder optBatchSizes(int... sizes) {
      this.batchSizes = sizes == null ? null : sizes.clone();
      return this;
    }

    /** Batch size of the training steps (default 32). */
    public Builder optTrainBatchSize(int size) {
      this.trainBatchSize = size;
      return this;
    }

    /**
     * Repetitions of every batched measure and of the matmul: {@code warmupCalls} untimed calls
     * (default 2), then timed calls until at least {@code minCalls} (default 5) and {@code
     * minSeconds} (default 1.5 s).
     */
    public Builder optRepetitions(int warmupCalls, int minCalls, double minSeconds) {
      this.warmupCalls = warmupCalls;
      this.minCalls = minCalls;
      this.minSeconds = minSeconds;
      return this;
    }

    /** Side n of the n x n fp32 matrix product measuring the peak (default 1024). */
    public Builder optMatmulSide(int side) {
      this.matmulSide = side;
      return this;
    }

    /** The command line (or other note of how the run was started) shown in the report. */
    public Builder optCommandLine(String commandLine) {
      this.commandLine = commandLine;
      return this;
    }

    /** Told the name of each measure as it starts (e.g. for a progress line). */
    public Builder optListener(Consumer<String> listener) {
      this.listener = listener;
      return this;
    }

    public LatentBenchmark build() {
      Objects.requireNonNull(model, "model is required (setModel)");
      Objects.requireNonNull(commandLine, "commandLine");
      Objects.requireNonNull(listener, "listener");
      if (singleCalls < 1 || singleWarmupCalls < 0) {
        throw new IllegalArgumentException(
            "single calls must be >= 1 and warm-up calls >= 0, got "
                + singleCalls
                + " and "
                + singleWarmupCalls);
      }
      if (batchSizes == null || batchSizes.length == 0) {
        throw new IllegalArgumentException("need at least one batch size");
      }
      for (int s : batchSizes) {
        if (s < 1 || s > 4096) {
          throw new IllegalArgumentException(
              "batch sizes must be in [1, 4096], got " + Arrays.toString(batchSizes));
        }
      }
      if (trainBatchSize < 1 || trainBatchSize > 4096) {
        throw new IllegalArgumentException(
            "training batch size must be in [1, 4096], got " + trainBatchSize);
      }
      if (warmupCalls < 0 || minCalls < 1 || !(minSeconds >= 0 && minSeconds <= 600)) {
        throw new IllegalArgumentException(
            "repetitions need warm-up >= 0, min calls >= 1 and min seconds in "
                + "[0, 600], got "
                + warmupCalls
                + ", "
                + minCalls
                + ", "
                + minSeconds);
      }
      if (matmulSide < 1 || matmulSide > 8192) {
        throw new IllegalArgumentException("matmul side must be in [1, 8192], got " + matmulSide);
      }
      int side = model.config().inputSizePx();
      FramePairs pool = pairs;
      String frames = framesDescription;
      if (pool == null) {
        pool = syntheticPairs(side, pairsWanted(batchSizes, trainBatchSize), syntheticSeed);
        frames =
            String.format(
                Locale.ROOT,
                "synthetic: random squares on noise, %dx%d, seed %d, %d pairs",
                side,
                side,
                syntheticSeed,
                pool.size());
      } else {
        Frame f = pool.framesT().get(0);
        if (f.widthPx() != side || f.heightPx() != side) {
          throw new IllegalArgumentException(
              "frame size mismatch: the pairs have "
                  + f.widthPx()
                  + "x"
                  + f.heightPx()
                  + " frames but the model takes "
                  + side
                  + "x"
                  + side);
        }
        if (frames == null) {
          frames = pool.size() + " given pairs";
        }
      }
      String described =
          modelDescription != null ? modelDescription : "model at step " + model.stepCount();
      return new LatentBenchmark(this, pool, described, frames);
    }
  }
}
