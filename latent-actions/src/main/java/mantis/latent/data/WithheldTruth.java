package mantis.latent.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The withheld evaluation file of a video dataset ({@code withheld/truth-NNN.jsonl},
 * docs/LATENT_DATA.md): actions and true effector motion, for probes and metrics only. Loaded whole
 * (a few hundred bytes per frame).
 */
public final class WithheldTruth {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Map<Integer, EpisodeTruth> byEpisode;
  private final int horizonFrames;

  private WithheldTruth(Map<Integer, EpisodeTruth> byEpisode, int horizonFrames) {
    this.byEpisode = Map.copyOf(byEpisode);
    this.horizonFrames = horizonFrames;
  }

  /** Reads every withheld file listed in {@code dir/dataset.json}. */
  public static WithheldTruth open(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Path index = dir.resolve("dataset.json");
    if (!Files.isRegularFile(index)) {
      throw new IOException("no video dataset in " + dir + " (dataset.json missing)");
    }
    JsonNode root = MAPPER.readTree(index.toFile());
    if (root.path("formatVersion").asInt(-1) != VideoDataset.FORMAT_VERSION) {
      throw new IOException(index + ": unsupported format version " + root.path("formatVersion"));
    }
    int h = root.path("horizonFrames").asInt();
    Map<Integer, EpisodeTruth> map = new HashMap<>();
    for (JsonNode s : root.path("shards")) {
      Path p = dir.resolve(s.path("withheld").asText());
      try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          EpisodeTruth t = parse(MAPPER.readTree(line));
          if (t.pairCount() != Math.max(0, t.frameCount() - h)) {
            throw new IOException(
                p
                    + ": episode "
                    + t.episodeIndex()
                    + " has "
                    + t.pairCount()
                    + " pairs for "
                    + t.frameCount()
                    + " frames and H = "
                    + h);
          }
          map.put(t.episodeIndex(), t);
        }
      }
    }
    int episodes = root.path("episodes").size();
    if (map.size() != episodes) {
      throw new IOException(
          dir + ": withheld truth has " + map.size() + " episodes, the index lists " + episodes);
    }
    return new WithheldTruth(map, h);
  }

  private static EpisodeTruth parse(JsonNode o) {
    int n = o.path("effectorXM").size();
    double[][] joints = new double[n][];
    double[][] actions = new double[n][];
    long[] steps = new long[n];
    for (int i = 0; i < n; i++) {
      joints[i] = doubles(o.path("jointPositionsRad").get(i));
      actions[i] = doubles(o.path("action").get(i));
      steps[i] = o.path("step").get(i).asLong();
    }
    JsonNode bins = o.path("pairDirectionBin");
    int[] bin = new int[bins.size()];
    for (int i = 0; i < bin.length; i++) {
      bin[i] = bins.get(i).asInt();
    }
    return new EpisodeTruth(
        o.path("episode").asInt(),
        o.path("seed").asLong(),
        o.path("embodiment").asText(),
        o.path("family").asText(),
        o.path("actionSpace").asText(),
        steps,
        doubles(o.path("effectorXM")),
        doubles(o.path("effectorYM")),
        doubles(o.path("effectorXPx")),
        doubles(o.path("effectorYPx")),
        joints,
        actions,
        doubles(o.path("pairDxM")),
        doubles(o.path("pairDyM")),
        bin);
  }

  private static double[] doubles(JsonNode a) {
    double[] d = new double[a.size()];
    for (int i = 0; i < d.length; i++) {
      JsonNode v = a.get(i);
      d[i] = v.isNumber() ? v.asDouble() : Double.NaN;
    }
    return d;
  }

  public int horizonFrames() {
    return horizonFrames;
  }

  /** The truth of one episode. */
  public EpisodeTruth episode(int episodeIndex) {
    EpisodeTruth t = byEpisode.get(episodeIndex);
    if (t == null) {
      throw new IndexOutOfBoundsException("no episode " + episodeIndex);
    }
    return t;
  }

  /** The true 8-way effector direction of a pair (-1 when the effector stays still). */
  public int directionBin(PairRef ref) {
    return episode(ref.episodeIndex()).pairDirectionBin()[ref.t()];
  }

  /** Number of episodes. */
  public int episodeCount() {
    return byEpisode.size();
  }
}
