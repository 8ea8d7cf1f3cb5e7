package mantis.latent.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;
import mantis.core.Frame;
import mantis.core.MonotonicClock;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionModel;
import mantis.latent.data.FramePair;
import mantis.latent.data.PairRef;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;

/**
 * Labels the pairs of a video dataset with a trained model's latent tokens and writes them as CSV:
 * header {@code episode,t,embodiment,token0,...,token<N-1>}, one row per pair in dataset order
 * (episode, then t). Batches are read on a background thread while the model encodes the previous
 * one.
 */
public final class LatentLabeler {
  private final LatentActionModel model;
  private final VideoDataset dataset;
  private final PairSet pairs;
  private final int batchSize;
  private final LongConsumer progress;
  private final MonotonicClock clock;

  /**
   * Result of {@link #writeCsv(Path)}.
   *
   * @param pairs rows written
   * @param seconds wall time
   */
  public record Summary(long pairs, double seconds) {
    public double pairsPerS() {
      return seconds > 0 ? pairs / seconds : 0;
    }
  }

  private LatentLabeler(Builder b) {
    this.model = b.model;
    this.dataset = b.dataset;
    this.pairs = b.pairs != null ? b.pairs : b.dataset.allPairs();
    this.batchSize = b.batchSize;
    this.progress = b.progress;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Pairs this labeler writes. */
  public int pairCount() {
    return pairs.size();
  }

  /** Writes the CSV to {@code out} (through a temporary file moved into place at the end). */
  public Summary writeCsv(Path out) throws IOException, InterruptedException {
    long start = clock.nanoTime();
    int tokens = model.config().tokens();
    int s = model.config().inputSizePx();
    Path abs = out.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    int n = pairs.size();
    long batches = (n + (long) batchSize - 1) / batchSize;
    long done = 0;
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        Prefetcher<List<FramePair>> prefetch =
            new Prefetcher<>(k -> read(k, n), 0, batches, 2, "latent-label-prefetch")) {
      StringBuilder header = new StringBuilder("episode,t,embodiment");
      for (int i = 0; i < tokens; i++) {
        header.append(",token").append(i);
      }
      w.write(header.toString());
      w.newLine();
      for (long k = 0; k < batches; k++) {
        List<FramePair> batch = prefetch.next();
        List<Frame> a = new ArrayList<>(batch.size());
        List<Frame> b = new ArrayList<>(batch.size());
        for (FramePair p : batch) {
          a.add(Frame.wrapRgb(s, s, p.first()));
          b.add(Frame.wrapRgb(s, s, p.second()));
        }
        int[][] codes = model.encode(new FramePairs(a, b));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < batch.size(); i++) {
          PairRef ref = batch.get(i).ref();
          sb.setLength(0);
          sb.append(ref.episodeIndex())
              .append(',')
              .append(ref.t())
              .append(',')
              .append(dataset.episodes().get(ref.episodeIndex()).embodiment());
          for (int c : codes[i]) {
            sb.append(',').append(c);
          }
          w.write(sb.toString());
          w.newLine();
        }
        done += batch.size();
        progress.accept(done);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Summary(done, (clock.nanoTime() - start) / 1e9);
  }

  private List<FramePair> read(long batch, int n) {
    int from = (int) (batch * batchSize);
    int to = Math.min(n, from + batchSize);
    List<FramePair> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(pairs.read(pairs.get(i)));
    }
    return out;
  }

  /** Builder of a {@link LatentLabeler}; {@code setX} are required. */
  public static final class Builder {
    private LatentActionModel model;
    private VideoDataset dataset;
    private PairSet pairs;
    private int batchSize = 256;
    private LongConsumer progress = d -> {};
    private MonotonicClock clock = MonotonicClock.system();

    private Builder() {}

    public Builder setModel(LatentActionModel model) {
      this.model = model;
      return this;
    }

    public Builder setDataset(VideoDataset dataset) {
      this.dataset = dataset;
      return this;
    }

    /** Which pairs to label (default: every pair of the dataset, both embodiments). */
    public Builder optPairs(PairSet pairs) {
      this.pairs = pairs;
      return this;
    }

    /** Pairs per encoder call (default 256). */
    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Called with the number of pairs labelled so far after each batch. */
    public Builder optProgress(LongConsumer progress) {
      this.progress = progress;
      return this;
    }

    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    public LatentLabeler build() {
      Objects.requireNonNull(model, "setModel is required");
      Objects.requireNonNull(dataset, "setDataset is required");
      Objects.requireNonNull(progress, "progress");
      Objects.requireNonNull(clock, "clock");
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
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
      return new LatentLabeler(this);
    }
  }
}
