package mantis.latent.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A recorded action-free video dataset (docs/LATENT_DATA.md), opened read-only. Frames are read
 * with positional reads, so one instance may be shared by several threads. It never sees actions:
 * those are only in {@link WithheldTruth}.
 */
public final class VideoDataset implements AutoCloseable {
  /** The format version this reader understands. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path dir;
  private final int widthPx;
  private final int heightPx;
  private final int bytesPerFrame;
  private final int framesPerS;
  private final double horizonS;
  private final int horizonFrames;
  private final List<VideoEpisode> episodes;
  private final FileChannel[] shards;

  private VideoDataset(Path dir, JsonNode root) throws IOException {
    this.dir = dir;
    JsonNode f = root.path("frames");
    this.widthPx = f.path("widthPx").asInt();
    this.heightPx = f.path("heightPx").asInt();
    if (widthPx <= 0
        || heightPx <= 0
        || f.path("channels").asInt() != 3
        || !"rgb8".equals(f.path("encoding").asText())) {
      throw new IOException(dir + ": unsupported frame description " + f);
    }
    this.bytesPerFrame = widthPx * heightPx * 3;
    this.framesPerS = root.path("framesPerS").asInt();
    this.horizonS = root.path("horizonS").asDouble();
    this.horizonFrames = root.path("horizonFrames").asInt();
    if (horizonFrames < 1) {
      throw new IOException(dir + ": horizonFrames must be >= 1");
    }
    List<VideoEpisode> list = new ArrayList<>();
    for (JsonNode e : root.path("episodes")) {
      list.add(
          new VideoEpisode(
              e.path("index").asInt(),
              e.path("embodiment").asText(),
              e.path("seed").asLong(),
              e.path("family").asText(),
              e.path("shard").asInt(),
              e.path("firstFrame").asLong(),
              e.path("frameCount").asInt()));
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).index() != i) {
        throw new IOException(dir + ": episode " + i + " has index " + list.get(i).index());
      }
    }
    this.episodes = List.copyOf(list);
    JsonNode sh = root.path("shards");
    this.shards = new FileChannel[sh.size()];
    try {
      for (int i = 0; i < shards.length; i++) {
        Path p = dir.resolve(sh.get(i).path("frames").asText());
        shards[i] = FileChannel.open(p, StandardOpenOption.READ);
      }
      for (VideoEpisode e : episodes) {
        if (e.shard() < 0
            || e.shard() >= shards.length
            || (e.firstFrame() + e.frameCount()) * bytesPerFrame > shards[e.shard()].size()) {
          throw new IOException(
              dir + ": episode " + e.index() + " lies outside its frame shard (truncated?)");
        }
      }
    } catch (IOException | RuntimeException ex) {
      close();
      throw ex;
    }
  }

  /**
   * Opens the dataset in {@code dir}.
   *
   * @throws IOException when {@code dataset.json} is missing, incomplete, of another format
   *     version, or the shards do not hold the frames it lists
   */
  public static VideoDataset open(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Path index = dir.resolve("dataset.json");
    if (!Files.isRegularFile(index)) {
      throw new IOException(
          "no video dataset in " + dir + " (dataset.json missing; is the recording finished?)");
    }
    JsonNode root = MAPPER.readTree(index.toFile());
    int version = root.path("formatVersion").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new IOException(
          index + ": format version " + version + ", this reader reads " + FORMAT_VERSION);
    }
    if (!root.path("complete").asBoolean(false)) {
      throw new IOException(index + ": dataset is not complete");
    }
    return new VideoDataset(dir, root);
  }

  public Path directory() {
    return dir;
  }

  public int widthPx() {
    return widthPx;
  }

  public int heightPx() {
    return heightPx;
  }

  /** Bytes of one RGB8 frame: widthPx * heightPx * 3. */
  public int bytesPerFrame() {
    return bytesPerFrame;
  }

  public int framesPerS() {
    return framesPerS;
  }

  public double horizonS() {
    return horizonS;
  }

  /** H: frame t is paired with frame t + H. */
  public int horizonFrames() {
    return horizonFrames;
  }

  public List<VideoEpisode> episodes() {
    return episodes;
  }

  /** Every pair of every episode. */
  public PairSet allPairs() {
    return pairs(e -> true);
  }

  /** The pairs of the episodes {@code which} accepts (e.g. by embodiment or seed). */
  public PairSet pairs(Predicate<VideoEpisode> which) {
    List<PairRef> list = new ArrayList<>();
    for (VideoEpisode e : episodes) {
      if (which.test(e)) {
        for (int t = 0; t < e.pairCount(horizonFrames); t++) {
          list.add(new PairRef(e.index(), t));
        }
      }
    }
    return new PairSet(this, list);
  }

  /** A train / held-out split by episode (never splitting an episode). */
  public record Split(PairSet train, PairSet heldOut) {}

  /**
   * Splits by episode seed: an episode is held out when a hash of its seed (and {@code splitSeed})
   * falls below {@code heldOutFraction}; the same seeds are held out in every dataset recorded with
   * them.
   */
  public Split split(double heldOutFraction, long splitSeed) {
    if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
      throw new IllegalArgumentException(
          "held-out fraction must be in [0, 1], got " + heldOutFraction);
    }
    Predicate<VideoEpisode> held = e -> isHeldOut(e.seed(), heldOutFraction, splitSeed);
    return new Split(pairs(held.negate()), pairs(held));
  }

  /** Whether an episode seed is held out for this fraction and split seed. */
  public static boolean isHeldOut(long episodeSeed, double heldOutFraction, long splitSeed) {
    long z = episodeSeed * 0x9E3779B97F4A7C15L + splitSeed;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    double u = (z >>> 11) * 0x1.0p-53;
    return u < heldOutFraction;
  }

  /**
   * Reads frame {@code t} of an episode into {@code out} ({@link #bytesPerFrame} bytes, RGB8, H x W
   * x 3).
   */
  public void readFrame(int episodeIndex, int t, byte[] out) {
    VideoEpisode e = episodes.get(episodeIndex);
    if (t < 0 || t >= e.frameCount()) {
      throw new IndexOutOfBoundsException(
          "frame " + t + " of episode " + episodeIndex + " (" + e.frameCount() + " frames)");
    }
    if (out.length != bytesPerFrame) {
      throw new IllegalArgumentException(
          "buffer needs " + bytesPerFrame + " bytes, got " + out.length);
    }
    ByteBuffer buf = ByteBuffer.wrap(out);
    long pos = (e.firstFrame() + t) * (long) bytesPerFrame;
    try {
      while (buf.hasRemaining()) {
        int n = shards[e.shard()].read(buf, pos + buf.position());
        if (n < 0) {
          throw new IOException("unexpected end of shard " + e.shard());
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** Frame {@code t} of an episode, RGB8. */
  public byte[] frame(int episodeIndex, int t) {
    byte[] out = new byte[bytesPerFrame];
    readFrame(episodeIndex, t, out);
    return out;
  }

  /** Reads a pair (frame t, frame t + H). */
  public FramePair readPair(PairRef ref) {
    VideoEpisode e = episodes.get(ref.episodeIndex());
    if (ref.t() < 0 || ref.t() >= e.pairCount(horizonFrames)) {
      throw new IndexOutOfBoundsException(
          "pair " + ref + ": episode has " + e.pairCount(horizonFrames) + " pairs");
    }
    return new FramePair(
        ref,
        frame(ref.episodeIndex(), ref.t()),
        frame(ref.episodeIndex(), ref.t() + horizonFrames));
  }

  @Override
  public void close() {
    for (FileChannel c : shards) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException ignored) {
          // read-only channel
        }
      }
    }
  }
}
