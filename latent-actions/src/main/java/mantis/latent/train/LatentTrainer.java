package mantis.latent.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import mantis.core.Frame;
import mantis.core.MonotonicClock;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionModel;
import mantis.latent.TrainStepResult;
import mantis.latent.data.FramePair;
import mantis.latent.data.PairRef;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link LatentActionModel} on the pairs of a video dataset, from the model's current step
 * count up to a target, with checkpoints.
 *
 * <p>The batch of step s (the step that takes the model from s to s + 1 steps) is a pure function
 * of the shuffle seed and s: sample {@code p = s * batchSize + i} is element {@code p % pairs} of
 * {@code pairs.shuffled(shuffleSeed + p / pairs)}, so a batch crossing an epoch boundary wraps into
 * the next epoch's order. A run stopped after k steps, saved, loaded and resumed to n therefore
 * ends with exactly the parameters of an uninterrupted run to n. The next batches are read on a
 * background thread while the current step runs.
 *
 * <p>With a checkpoint directory the trainer writes there: the model ({@link
 * LatentActionModel#save}), {@code trainer.json} ({@link TrainerState}), {@code loss.csv} (header
 * {@value LossLog#HEADER}; a resumed run first drops the rows after its starting step) and {@code
 * loss.png} (reconstruction loss and perplexity against step). It saves every {@code
 * checkpointEverySteps} steps, at the end, and when {@link #requestStop()} is called (e.g. from a
 * shutdown hook). One {@code run()} per instance.
 */
public final class LatentTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(LatentTrainer.class);

  /** Name of the loss log in the checkpoint directory. */
  public static final String LOSS_CSV = "loss.csv";

  /** Name of the loss plot in the checkpoint directory. */
  public static final String LOSS_PNG = "loss.png";

  private final LatentActionModel model;
  private final PairSet pairs;
  private final VideoDataset dataset;
  private final long totalSteps;
  private final int batchSize;
  private final long shuffleSeed;
  private final Path checkpointDir;
  private final long checkpointEverySteps;
  private final long logEverySteps;
  private final int prefetchBatches;
  private final TrainListener listener;
  private final MonotonicClock clock;
  private final Map<String, String> settings;
  private final int sizePx;
  private volatile boolean stopRequested;
  private boolean started;

  private LatentTrainer(Builder b) {
    this.model = b.model;
    this.pairs = b.pairs;
    this.dataset = b.dataset;
    this.totalSteps = b.totalSteps;
    this.batchSize = b.batchSize;
    this.shuffleSeed = b.shuffleSeed;
    this.checkpointDir = b.checkpointDir;
    this.checkpointEverySteps = b.checkpointEverySteps;
    this.logEverySteps = b.logEverySteps;
    this.prefetchBatches = b.prefetchBatches;
    this.listener = b.listener;
    this.clock = b.clock;
    this.settings = Map.copyOf(b.settings);
    this.sizePx = model.config().inputSizePx();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether {@code dir} holds a model checkpoint ({@code config.properties} and {@code
   * weights.bin}).
   */
  public static boolean hasCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve("weights.bin"))
        && Files.isRegularFile(dir.resolve("config.properties"));
  }

  /**
   * Asks a running {@link #run()} to stop after its current step, write a checkpoint and return.
   * Thread-safe; may be called before {@code run()} (which then only checkpoints).
   */
  public void requestStop() {
    stopRequested = true;
  }

  /**
   * Trains from {@code model.stepCount()} to the target step count (nothing when it is already
   * reached), checkpointing as configured. Call once.
   *
   * @throws IOException when a checkpoint, the loss log or the plot cannot be written
   * @throws InterruptedException when the thread is interrupted (after a checkpoint of the steps
   *     done)
   */
  public TrainSummary run() throws IOException, InterruptedException {
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("run() may be called once per trainer");
      }
      started = true;
    }
    long first = model.stepCount();
    BatchSchedule schedule = new BatchSchedule(pairs, shuffleSeed, batchSize);
    LossLog log = null;
    if (checkpointDir != null) {
      Files.createDirectories(checkpointDir);
      log = LossLog.open(checkpointDir.resolve(LOSS_CSV), first);
    }
    Ema recon = new Ema(0.9);
    Ema perplexity = new Ema(0.9);
    long startNanos = clock.nanoTime();
    long lastCheckpoint = -1;
    boolean interrupted = false;
    double elapsedBefore = log == null ? 0 : log.lastElapsedS();
    LOG.debug(
        "training {} -> {} steps, batch {}, {} pairs, shuffle seed {}, checkpoints in {}",
        first,
        totalSteps,
        batchSize,
        pairs.size(),
        shuffleSeed,
        checkpointDir);
    try {
      if (first < totalSteps && !stopRequested) {
        try (Prefetcher<FramePairs> prefetch =
            new Prefetcher<>(
                s -> readBatch(schedule.batch(s)),
                first,
                totalSteps,
                prefetchBatches,
                "latent-train-prefetch")) {
          for (long s = first; s < totalSteps && !stopRequested; s++) {
            FramePairs batch;
            try {
              batch = prefetch.next();
            } catch (InterruptedException e) {
              interrupted = true;
              break;
            }
            TrainStepResult r = model.trainStep(batch);
            if (r.step() != s + 1) {
              throw new IllegalStateException(
                  "the model is at step "
                      + r.step()
                      + ", expected "
                      + (s + 1)
                      + ": was it trained elsewhere during this run?");
            }
            double elapsed = (clock.nanoTime() - startNanos) / 1e9;
            recon.add(r.reconstructionLoss());
            perplexity.add(r.perplexity());
            if (log != null && (r.step() % logEverySteps == 0 || r.step() == totalSteps)) {
              log.append(
                  new LossLog.Row(
                      r.step(),
                      r.totalLoss(),
                      r.reconstructionLoss(),
                      r.codebookLoss(),
                      r.commitmentLoss(),
                      r.perplexity(),
                      r.replacedCodes(),
                      elapsedBefore + elapsed));
            }
            long done = r.step() - first;
            double rate = elapsed > 0 ? done * batchSize / elapsed : 0;
            double eta = done > 0 ? elapsed / done * (totalSteps - r.step()) : Double.NaN;
            listener.onStep(
                new StepReport(
                    r.step(),
                    totalSteps,
                    r,
                    elapsed,
                    rate,
                    recon.value(),
                    perplexity.value(),
                    eta));
            if (log != null && r.step() % checkpointEverySteps == 0 && r.step() < totalSteps) {
              checkpoint(log);
              lastCheckpoint = r.step();
            }
          }
        }
      }
      double seconds = (clock.nanoTime() - startNanos) / 1e9;
      if (log != null && lastCheckpoint != model.stepCount()) {
        checkpoint(log);
      }
      long last = model.stepCount();
      double[] smooth = smoothedAtEnd(log, recon, perplexity);
      if (interrupted) {
        Thread.currentThread().interrupt();
        throw new InterruptedException(
            "training interrupted at step " + last + " (checkpoint written)");
      }
      return new TrainSummary(
          first,
          last,
          seconds,
          seconds > 0 ? (last - first) * batchSize / seconds : 0,
          smooth[0],
          smooth[1],
          smooth[2],
          Optional.ofNullable(checkpointDir),
          last < totalSteps);
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }

  private double[] smoothedAtEnd(LossLog log, Ema recon, Ema perplexity) {
    if (log == null || log.rows().isEmpty()) {
      return new double[] {Double.NaN, recon.value(), perplexity.value()};
    }
    List<LossLog.Row> rows = log.rows();
    double decay = Ema.decayFor(rows.size());
    Ema t = new Ema(decay);
    Ema r = new Ema(decay);
    Ema p = new Ema(decay);
    for (LossLog.Row row : rows) {
      t.add(row.total());
      r.add(row.recon());
      p.add(row.perplexity());
    }
    return new double[] {t.value(), r.value(), p.value()};
  }

  private void checkpoint(LossLog log) throws IOException {
    long step = model.stepCount();
    model.save(checkpointDir);
    new TrainerState(
            dataset.directory().toAbsolutePath().toString(),
            shuffleSeed,
            batchSize,
            totalSteps,
            step,
            settings)
        .write(checkpointDir);
    log.flush();
    LossPlot.write(
        checkpointDir.resolve(LOSS_PNG),
        log.rows(),
        LossPlot.DEFAULT_WIDTH_PX,
        LossPlot.DEFAULT_HEIGHT_PX);
    LOG.debug("checkpoint of step {} written to {}", step, checkpointDir);
    listener.onCheckpoint(step, checkpointDir);
  }

  private FramePairs readBatch(List<PairRef> refs) {
    List<Frame> a = new ArrayList<>(refs.size());
    List<Frame> b = new ArrayList<>(refs.size());
    for (PairRef ref : refs) {
      FramePair p = pairs.read(ref);
      a.add(Frame.wrapRgb(sizePx, sizePx, p.first()));
      b.add(Frame.wrapRgb(sizePx, sizePx, p.second()));
    }
    return new FramePairs(a, b);
  }

  /** Builder of a {@link LatentTrainer}; {@code setX} are required. */
  public static final class Builder {
    private LatentActionModel model;
    private PairSet pairs;
    private VideoDataset dataset;
    private long totalSteps = -1;
    private int batchSize = 32;
    private long shuffleSeed;
    private Path checkpointDir;
    private long checkpointEverySteps = 500;
    private long logEverySteps = 1;
    private int prefetchBatches = 2;
    private TrainListener listener = r -> {};
    private MonotonicClock clock = MonotonicClock.system();
    private Map<String, String> settings = Map.of();

    private Builder() {}

    /** The model to train (its step count is where the run starts). */
    public Builder setModel(LatentActionModel model) {
      this.model = model;
      return this;
    }

    /** The training pairs (e.g. {@code dataset.split(0.1, 0).train()}). */
    public Builder setPairs(PairSet pairs) {
      this.pairs = pairs;
      return this;
    }

    /**
     * The dataset the pairs belong to (frame size check, data directory in {@code trainer.json}).
     */
    public Builder setDataset(VideoDataset dataset) {
      this.dataset = dataset;
      return this;
    }

    /** Target step count: the run trains until the model has taken this many steps in total. */
    public Builder setSteps(long totalSteps) {
      this.totalSteps = totalSteps;
      return this;
    }

    /** Pairs per step (default 32). */
    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Seed of the epoch orders (default 0); a resumed run must use the same. */
    public Builder optShuffleSeed(long shuffleSeed) {
      this.shuffleSeed = shuffleSeed;
      return this;
    }

    /**
     * Where checkpoints, {@code loss.csv} and {@code loss.png} go; without one nothing is written.
     */
    public Builder optCheckpointDir(Path checkpointDir) {
      this.checkpointDir = checkpointDir;
      return this;
    }

    /** Checkpoint interval in steps (default 500); a checkpoint is also written at the end. */
    public Builder optCheckpointEverySteps(long checkpointEverySteps) {
      this.checkpointEverySteps = checkpointEverySteps;
      return this;
    }

    /**
     * One {@code loss.csv} row every this many steps (default 1); the last step is always logged.
     */
    public Builder optLogEverySteps(long logEverySteps) {
      this.logEverySteps = logEverySteps;
      return this;
    }

    /** Batches read ahead on the background thread (default 2). */
    public Builder optPrefetchBatches(int prefetchBatches) {
      this.prefetchBatches = prefetchBatches;
      return this;
    }

    public Builder optListener(TrainListener listener) {
      this.listener = listener;
      return this;
    }

    /** Clock of the elapsed times (default: the system's). */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Extra settings stored in {@code trainer.json} (e.g. the embodiment the pairs were chosen by).
     */
    public Builder optSettings(Map<String, String> settings) {
      this.settings = settings;
      return this;
    }

    public LatentTrainer build() {
      Objects.requireNonNull(model, "setModel is required");
      Objects.requireNonNull(pairs, "setPairs is required");
      Objects.requireNonNull(dataset, "setDataset is required");
      Objects.requireNonNull(listener, "listener");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(settings, "settings");
      if (totalSteps < 0) {
        throw new IllegalArgumentException(
            "setSteps is required and must be >= 0, got " + totalSteps);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
      if (checkpointEverySteps < 1) {
        throw new IllegalArgumentException(
            "checkpoint interval must be >= 1 step, got " + checkpointEverySteps);
      }
      if (logEverySteps < 1) {
        throw new IllegalArgumentException("log interval must be >= 1 step, got " + logEverySteps);
      }
      if (prefetchBatches < 1) {
        throw new IllegalArgumentException("prefetch must be >= 1 batch, got " + prefetchBatches);
      }
      if (pairs.size() == 0) {
        throw new IllegalArgumentException("no training pairs (empty pair set)");
      }
      int s = model.config().inputSizePx();
      if (dataset.widthPx() != s || dataset.heightPx() != s) {
        throw new IllegalArgumentException(
            "frame size mismatch: the dataset "
                + dataset.directory()
                + " has "
                + dataset.widthPx()
                + "x"
                + dataset.heightPx()
                + " frames, the model takes "
                + s
                + "x"
                + s);
      }
      return new LatentTrainer(this);
    }
  }
}
