package mantis.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import mantis.core.Frame;
import mantis.core.PixelPoint;
import mantis.learn.eval.SomAccuracy;
import mantis.learn.eval.TomAccuracy;
import mantis.marks.MarkProposer;
import mantis.marks.tom.TomLabels;
import mantis.marks.tom.TomTrack;
import mantis.marks.tom.TraceExtractor;
import mantis.sim.Embodiment;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.record.EpisodeReader;
import mantis.sim.record.EpisodeRecorder;
import mantis.sim.record.StepRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mantis marks}: Set-of-Mark / Trace-of-Mark tools (ToM labels for a dataset, accuracy,
 * datasets).
 */
@Command(
    name = "marks",
    mixinStandardHelpOptions = true,
    description =
        "Set-of-Mark and Trace-of-Mark tools: extract ToM labels from recorded episodes, record a dataset "
            + "of scripted-expert episodes, and measure accuracy against the simulator's ground truth.",
    subcommands = {MarksCommand.Extract.class, MarksCommand.Record.class, MarksCommand.Eval.class})
final class MarksCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code mantis marks extract}. */
  @Command(
      name = "extract",
      mixinStandardHelpOptions = true,
      description =
          "Write Trace-of-Mark labels (docs/TRACE_OF_MARK.md) for every clip of every recorded episode: "
              + "one tom.jsonl per episode, one line per clip.")
  static final class Extract implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dataset",
        required = true,
        description = "An episode directory (with episode.json) or a directory of them.")
    Path dataset;

    @Option(
        names = "--horizon",
        defaultValue = "16",
        description = "H: frames tracked after the first (default ${DEFAULT-VALUE}).")
    int horizon;

    @Option(
        names = "--stride",
        defaultValue = "8",
        description = "A clip starts every this many frames (default ${DEFAULT-VALUE}).")
    int stride;

    @Option(
        names = "--size",
        description = "Resize frames to this square size first (default: as recorded).")
    Integer size;

    @Option(
        names = "--out",
        description = "Write <out>/<episode>/tom.jsonl instead of <episode>/tom.jsonl.")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (horizon < 1 || stride < 1) {
        throw new ParameterException(spec.commandLine(), "--horizon and --stride must be >= 1");
      }
      if (size != null && (size < 16 || size > Frame.MAX_SIDE_PX)) {
        throw new ParameterException(
            spec.commandLine(), "--size must be in 16.." + Frame.MAX_SIDE_PX);
      }
      List<Path> episodes = findEpisodes(dataset);
      if (episodes.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "no episode (a directory with episode.json) in " + dataset);
      }
      TraceExtractor extractor = TraceExtractor.builder().optHorizon(horizon).build();
      Progress progress = new Progress(System.err, episodes.size());
      long clips = 0;
      long marks = 0;
      for (Path ep : episodes) {
        EpisodeReader reader = EpisodeReader.open(ep);
        Path target =
            out == null
                ? ep.resolve("tom.jsonl")
                : out.resolve(ep.getFileName().toString()).resolve("tom.jsonl");
        Files.createDirectories(target.getParent());
        List<StepRecord> framed;
        try (Stream<StepRecord> steps = reader.steps()) {
          framed = steps.filter(s -> s.frame().isPresent()).toList();
        }
        Map<Integer, Frame> cache = new HashMap<>();
        Path tmp = target.resolveSibling("tom.jsonl.tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          for (int start = 0; start + horizon < framed.size(); start += stride) {
            List<Frame> clip = new ArrayList<>(horizon + 1);
            for (int i = start; i <= start + horizon; i++) {
              Frame f = cache.get(i);
              if (f == null) {
                f = reader.frame(framed.get(i));
                if (size != null && (f.widthPx() != size || f.heightPx() != size)) {
                  f = resize(f, size, size);
                }
                cache.put(i, f);
              }
              clip.add(f);
            }
            final int first = start;
            cache.keySet().removeIf(k -> k < first + stride);
            long startStep = framed.get(start).step();
            long seed = reader.metadata().seed() * 1_000_003L + startStep;
            TomLabels labels = extractor.extract(clip, seed);
            w.write(
                MAPPER.writeValueAsString(
                    json(
                        ep.getFileName().toString(),
                        reader.metadata().seed(),
                        startStep,
                        framed.get(start + horizon).step(),
                        seed,
                        labels)));
            w.write('\n');
            clips++;
            marks += labels.moving().size() + labels.statics().size();
            progress.clip();
          }
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        progress.episode();
      }
      progress.finish();
      System.out.printf(
          Locale.ROOT,
          "ToM labels: %d episodes, %d clips (H=%d, stride %d), %d marks, %.1f clips/s%n",
          episodes.size(),
          clips,
          horizon,
          stride,
          marks,
          progress.clipsPerS());
      return 0;
    }
  }

  /** {@code mantis marks record}. */
  @Command(
      name = "record",
      mixinStandardHelpOptions = true,
      description =
          "Record a dataset of scripted-expert episodes (no server needed) in the episode format, "
              + "ready for 'mantis marks extract'. Families cycle; --embodiment both alternates ARM and HAND.")
  static final class Record implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        description = "Dataset directory (episodes go to <out>/000000, ...).")
    Path out;

    @Option(
        names = "--episodes",
        defaultValue = "10",
        description = "Episodes (default ${DEFAULT-VALUE}).")
    int episodes;

    @Option(
        names = "--first-seed",
        defaultValue = "0",
        description = "Seed of the first episode (default ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(
        names = "--size",
        defaultValue = "128",
        description = "Frame size, square (default ${DEFAULT-VALUE}).")
    int size;

    @Option(
        names = "--embodiment",
        defaultValue = "both",
        description = "arm, hand or both (default ${DEFAULT-VALUE}).")
    String embodiment;

    @Option(
        names = "--camera-shake",
        defaultValue = "0",
        description = "Per-frame camera shake scale (default ${DEFAULT-VALUE}: off).")
    double cameraShake;

    @Option(
        names = "--max-seconds",
        defaultValue = "12",
        description = "Episode time-out, simulated seconds (default ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      String e = embodiment.toLowerCase(Locale.ROOT);
      if (!e.equals("arm") && !e.equals("hand") && !e.equals("both")) {
        throw new ParameterException(spec.commandLine(), "--embodiment must be arm, hand or both");
      }
      if (episodes < 1 || size < 16 || size > 4096) {
        throw new ParameterException(
            spec.commandLine(), "--episodes must be >= 1 and --size in 16..4096");
      }
      Progress progress = new Progress(System.err, episodes);
      int ok = 0;
      for (int i = 0; i < episodes; i++) {
        Embodiment em =
            e.equals("arm")
                ? Embodiment.ARM
                : e.equals("hand")
                    ? Embodiment.HAND
                    : (i % 2 == 0 ? Embodiment.ARM : Embodiment.HAND);
        TaskFamily family = TaskFamily.values()[i % TaskFamily.values().length];
        TabletopSim sim =
            TabletopSim.create(
                SimConfig.builder()
                    .optEmbodiment(em)
                    .optCameraShake(cameraShake)
                    .optMaxEpisodeSeconds(maxSeconds)
                    .build());
        if (EpisodeRecorder.recordExpertEpisode(
            sim,
            firstSeed + i,
            family,
            out.resolve(String.format(Locale.ROOT, "%06d", i)),
            size,
            size)) {
          ok++;
        }
        progress.episode();
      }
      progress.finish();
      System.out.printf(
          Locale.ROOT, "Recorded %d expert episodes (%d successful) to %s%n", episodes, ok, out);
      return 0;
    }
  }

  /** {@code mantis marks eval}. */
  @Command(
      name = "eval",
      mixinStandardHelpOptions = true,
      description =
          "Accuracy against the simulator's ground truth at --size (camera jitter and shake on): "
              + "Set-of-Mark accuracy (objects marked within 3 px, false marks, effector) and Trace-of-Mark trace error, "
              + "moving/static split and extraction throughput.")
  static final class Eval implements Callable<Integer> {
    @Option(
        names = "--frames",
        defaultValue = "500",
        description = "SoM frames (default ${DEFAULT-VALUE}).")
    int frames;

    @Option(
        names = "--clips",
        defaultValue = "500",
        description = "ToM clips (default ${DEFAULT-VALUE}).")
    int clips;

    @Option(
        names = "--first-seed",
        defaultValue = "100000",
        description = "First seed (default ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(
        names = "--size",
        defaultValue = "128",
        description = "Frame size, square (default ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
      System.out.println(SomAccuracy.run(frames, firstSeed, size).summary());
      System.out.println(
          SomAccuracy.run(frames, firstSeed, size, MarkProposer.defaults(), Embodiment.HAND)
              .summary());
      TomAccuracy.Report tom = TomAccuracy.run(clips, firstSeed, size);
      System.out.println(tom.format());
      return 0;
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static ObjectNode json(
      String episode, long episodeSeed, long startStep, long endStep, long labelSeed, TomLabels l) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("formatVersion", 1);
    n.put("episode", episode);
    n.put("episodeSeed", episodeSeed);
    n.put("startStep", startStep);
    n.put("endStep", endStep);
    n.put("horizon", l.horizon());
    n.put("widthPx", l.widthPx());
    n.put("heightPx", l.heightPx());
    n.put("grid", TomLabels.GRID);
    n.put("labelSeed", labelSeed);
    n.put("gridPoints", l.gridPoints());
    n.put("trackedPoints", l.trackedPoints());
    n.put("cameraMotion", l.cameraMotionModel());
    n.set("moving", tracks(l.moving()));
    n.set("static", tracks(l.statics()));
    return n;
  }

  private static ArrayNode tracks(List<TomTrack> tracks) {
    ArrayNode a = MAPPER.createArrayNode();
    for (TomTrack t : tracks) {
      ObjectNode m = a.addObject();
      m.put("id", t.markId());
      ArrayNode q = m.putArray("trace256");
      for (int[] p : t.quantized()) {
        q.addArray().add(p[0]).add(p[1]);
      }
      ArrayNode px = m.putArray("tracePx");
      for (PixelPoint p : t.pointsPx()) {
        px.addArray()
            .add(Math.round(p.xPx() * 1000) / 1000.0)
            .add(Math.round(p.yPx() * 1000) / 1000.0);
      }
      m.put("clusterSize", t.clusterSize());
    }
    return a;
  }

  static List<Path> findEpisodes(Path dataset) throws IOException {
    if (Files.isRegularFile(dataset.resolve("episode.json"))) {
      return List.of(dataset);
    }
    if (!Files.isDirectory(dataset)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dataset)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("episode.json"))).sorted().toList();
    }
  }

  /** Bilinear resize (pixel centres aligned). */
  static Frame resize(Frame src, int w, int h) {
    byte[] in = src.rgbUnsafe();
    int sw = src.widthPx();
    int sh = src.heightPx();
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      double fy = Math.max(0, Math.min(sh - 1, (y + 0.5) * sh / h - 0.5));
      int y0 = (int) fy;
      int y1 = Math.min(sh - 1, y0 + 1);
      double ty = fy - y0;
      for (int x = 0; x < w; x++) {
        double fx = Math.max(0, Math.min(sw - 1, (x + 0.5) * sw / w - 0.5));
        int x0 = (int) fx;
        int x1 = Math.min(sw - 1, x0 + 1);
        double tx = fx - x0;
        for (int c = 0; c < 3; c++) {
          double a = in[(y0 * sw + x0) * 3 + c] & 0xff;
          double b = in[(y0 * sw + x1) * 3 + c] & 0xff;
          double d = in[(y1 * sw + x0) * 3 + c] & 0xff;
          double e = in[(y1 * sw + x1) * 3 + c] & 0xff;
          out[(y * w + x) * 3 + c] =
              (byte) Math.round((a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty);
        }
      }
    }
    return Frame.wrapRgb(w, h, out);
  }

  /** A one-line progress bar on stderr: episodes done / total, clips/s, ETA. */
  static final class Progress {
    private final PrintStream err;
    private final int total;
    private final long startNanos = System.nanoTime();
    private int done;
    private long clips;
    private long lastPrintNanos;

    Progress(PrintStream err, int total) {
      this.err = err;
      this.total = total;
    }

    void clip() {
      clips++;
      print(false);
    }

    void episode() {
      done++;
      print(true);
    }

    double clipsPerS() {
      double s = (System.nanoTime() - startNanos) / 1e9;
      return s > 0 ? clips / s : 0;
    }

    private void print(boolean force) {
      long now = System.nanoTime();
      if (!force && now - lastPrintNanos < 200_000_000L) {
        return;
      }
      lastPrintNanos = now;
      double s = (now - startNanos) / 1e9;
      int width = 30;
      int filled = total == 0 ? width : (int) ((long) width * done / total);
      String eta = done == 0 ? "--:--" : clock(s / done * (total - done));
      String rate =
          clips > 0
              ? String.format(Locale.ROOT, "  %.1f clips/s", clipsPerS())
              : String.format(Locale.ROOT, "  %.2f episodes/s", s > 0 ? done / s : 0.0);
      err.printf(
          Locale.ROOT,
          "\r[%s%s] %d/%d episodes%s  ETA %s ",
          "#".repeat(filled),
          ".".repeat(width - filled),
          done,
          total,
          rate,
          eta);
      err.flush();
    }

    void finish() {
      err.println();
    }

    private static String clock(double seconds) {
      long t = Math.round(seconds);
      return String.format(Locale.ROOT, "%02d:%02d", t / 60, t % 60);
    }
  }
}
