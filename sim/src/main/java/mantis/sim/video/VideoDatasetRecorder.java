package mantis.sim.video;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.PixelPoint;
import mantis.sim.Embodiment;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records an action-free video dataset (docs/LATENT_DATA.md): scripted-expert episodes with domain
 * randomisation, frames only in the frame shards, actions and true effector motion withheld into
 * {@code withheld/}. Episode {@code k} (0-based) uses embodiment {@code embodiments[k % n]}, seed
 * {@code firstSeed + k} and family {@code TaskFamily.values()[(k / n) % 3]}; worker {@code i}
 * records the episodes with {@code (k / n) % threads == i} into shard {@code i}, in order, so the
 * content is deterministic for a given argument set.
 */
public final class VideoDatasetRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(VideoDatasetRecorder.class);

  /** Format version written to dataset.json. */
  public static final int FORMAT_VERSION = 1;

  /** Height of the arm's pusher top, used to project the effector to pixels. */
  static final double ARM_EFFECTOR_Z_M = 0.035;

  /** Height of the hand's palm, used to project the effector to pixels. */
  static final double HAND_EFFECTOR_Z_M = 0.05;

  /** Displacements below this are "no motion": direction bin -1. */
  public static final double STILL_BELOW_M = 1e-4;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Called after each episode (from worker threads; must be thread-safe). */
  public interface Listener {
    void episodeDone(int episodesDone, long framesDone, long pairsDone);
  }

  /** What a recording produced. */
  public record Summary(int episodes, long frames, long pairs, double seconds) {
    public double pairsPerS() {
      return seconds > 0 ? pairs / seconds : 0;
    }
  }

  private final Path out;
  private final List<Embodiment> embodiments;
  private final int episodes;
  private final long firstSeed;
  private final int sizePx;
  private final double horizonS;
  private final int framesPerS;
  private final int physicsHz;
  private final double maxEpisodeSeconds;
  private final int threads;
  private final Listener listener;
  private final Motion motion;

  /** What drives the effector while recording. */
  public enum Motion {
    /**
     * The scripted expert solving each episode's task (reach, push); ends on success or time-out.
     */
    EXPERT,
    /**
     * Play data: random waypoints ({@link ScriptedExpert#randomPlay}) for the whole episode time;
     * the motion cannot be guessed from the scene.
     */
    PLAY
  }

  private VideoDatasetRecorder(Builder b) {
    this.out = b.out;
    this.embodiments = List.copyOf(b.embodiments);
    this.episodes = b.episodes;
    this.firstSeed = b.firstSeed;
    this.sizePx = b.sizePx;
    this.horizonS = b.horizonS;
    this.framesPerS = b.framesPerS;
    this.physicsHz = b.physicsHz;
    this.maxEpisodeSeconds = b.maxEpisodeSeconds;
    this.threads = b.threads;
    this.listener = b.listener;
    this.motion = b.motion;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Frames per horizon: {@code max(1, round(horizonS * framesPerS))}. */
  public int horizonFrames() {
    return Math.max(1, (int) Math.round(horizonS * framesPerS));
  }

  /** Episode {@code k}'s embodiment. */
  public Embodiment embodimentOf(int k) {
    return embodiments.get(k % embodiments.size());
  }

  /** Episode {@code k}'s seed. */
  public long seedOf(int k) {
    return firstSeed + k;
  }

  /** Episode {@code k}'s task family. */
  public TaskFamily familyOf(int k) {
    return TaskFamily.values()[(k / embodiments.size()) % TaskFamily.values().length];
  }

  /** The simulator configuration used for an embodiment (domain randomisation on). */
  public SimConfig simConfig(Embodiment e) {
    return SimConfig.builder()
        .optEmbodiment(e)
        .optDomainRandomization(true)
        .optPhysicsHz(physicsHz)
        .optMaxEpisodeSeconds(maxEpisodeSeconds)
        .build();
  }

  /** Records the whole dataset; blocks until done. */
  public Summary record() throws IOException, InterruptedException {
    Files.createDirectories(out.resolve("withheld"));
    Path index = out.resolve("dataset.json");
    if (Files.exists(index)) {
      throw new IOException("refusing to overwrite an existing dataset: " + index);
    }
    long start = System.nanoTime();
    int h = horizonFrames();
    EpisodeEntry[] entries = new EpisodeEntry[episodes];
    AtomicInteger done = new AtomicInteger();
    AtomicLong frames = new AtomicLong();
    AtomicLong pairs = new AtomicLong();
    int workers = Math.min(threads, Math.max(1, episodes));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "video-recorder");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int shard = w;
        futures.add(
            pool.submit(
                () -> {
                  recordShard(shard, workers, h, entries, done, frames, pairs);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof IOException io) {
            throw io;
          }
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(c);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    writeIndex(index, entries, workers, h, frames.get(), pairs.get());
    double s = (System.nanoTime() - start) / 1e9;
    LOG.debug(
        "recorded {} episodes, {} frames, {} pairs in {} s",
        episodes,
        frames.get(),
        pairs.get(),
        String.format(Locale.ROOT, "%.1f", s));
    return new Summary(episodes, frames.get(), pairs.get(), s);
  }

  private record EpisodeEntry(
      int index,
      Embodiment embodiment,
      long seed,
      TaskFamily family,
      int shard,
      long firstFrame,
      int frameCount,
      boolean success,
      String instruction) {}

  /**
   * The shard (worker) that records episode {@code k}: blocks of one episode per embodiment, round
   * robin.
   */
  int shardOf(int k, int workers) {
    return (k / embodiments.size()) % workers;
  }

  static String shardName(int shard) {
    return String.format(Locale.ROOT, "frames-%03d.rgb", shard);
  }

  static String withheldName(int shard) {
    return String.format(Locale.ROOT, "withheld/truth-%03d.jsonl", shard);
  }

  private void recordShard(
      int shard,
      int workers,
      int h,
      EpisodeEntry[] entries,
      AtomicInteger done,
      AtomicLong totalFrames,
      AtomicLong totalPairs)
      throws IOException {
    int frameEvery = physicsHz / framesPerS;
    int frameBytes = sizePx * sizePx * 3;
    byte[] rgb = new byte[frameBytes];
    TabletopSim[] sims = new TabletopSim[Embodiment.values().length];
    ScriptedExpert[] experts = new ScriptedExpert[sims.length];
    long frameInShard = 0;
    try (OutputStream frames =
            new BufferedOutputStream(
                Files.newOutputStream(out.resolve(shardName(shard))), 1 << 20);
        BufferedWriter truth =
            Files.newBufferedWriter(out.resolve(withheldName(shard)), StandardCharsets.UTF_8)) {
      for (int k = 0; k < episodes; k++) {
        if (shardOf(k, workers) != shard) {
          continue;
        }
        Embodiment e = embodimentOf(k);
        int ei = e.ordinal();
        if (sims[ei] == null) {
          sims[ei] = TabletopSim.create(simConfig(e));
          experts[ei] =
              motion == Motion.PLAY ? ScriptedExpert.randomPlay(0x504C4159L) : new ScriptedExpert();
        }
        TabletopSim sim = sims[ei];
        ScriptedExpert expert = experts[ei];
        sim.reset(seedOf(k), familyOf(k));
        CameraModel cam = sim.renderCamera(sizePx, sizePx);
        double z = e == Embodiment.ARM ? ARM_EFFECTOR_Z_M : HAND_EFFECTOR_Z_M;
        List<Long> steps = new ArrayList<>();
        List<double[]> eff = new ArrayList<>();
        List<double[]> joints = new ArrayList<>();
        List<double[]> actions = new ArrayList<>();
        while (true) {
          boolean isFrame = sim.stepCount() % frameEvery == 0;
          boolean end = motion == Motion.PLAY ? sim.timedOut() : sim.done();
          double[] action = end ? new double[0] : expert.act(sim);
          if (isFrame) {
            sim.renderInto(sizePx, sizePx, rgb);
            frames.write(rgb);
            WorldState ws = sim.groundTruth();
            Optional<PixelPoint> px = cam.project(new Vec3(ws.effectorXM(), ws.effectorYM(), z));
            eff.add(
                new double[] {
                  ws.effectorXM(),
                  ws.effectorYM(),
                  px.map(PixelPoint::xPx).orElse(Double.NaN),
                  px.map(PixelPoint::yPx).orElse(Double.NaN)
                });
            joints.add(ws.jointPositionsRad());
            actions.add(action.clone());
            steps.add(sim.stepCount());
          }
          if (end) {
            break;
          }
          if (e == Embodiment.ARM) {
            sim.step(action);
          } else {
            sim.stepHand(action[0], action[1]);
          }
        }
        int n = eff.size();
        entries[k] =
            new EpisodeEntry(
                k,
                e,
                seedOf(k),
                familyOf(k),
                shard,
                frameInShard,
                n,
                sim.success(),
                sim.instruction());
        truth.write(truthLine(entries[k], h, steps, eff, joints, actions));
        truth.write('\n');
        frameInShard += n;
        totalFrames.addAndGet(n);
        long p = totalPairs.addAndGet(Math.max(0, n - h));
        int d = done.incrementAndGet();
        if (listener != null) {
          listener.episodeDone(d, totalFrames.get(), p);
        }
      }
    }
  }

  private String truthLine(
      EpisodeEntry en,
      int h,
      List<Long> steps,
      List<double[]> eff,
      List<double[]> joints,
      List<double[]> actions)
      throws IOException {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("episode", en.index());
    o.put("seed", en.seed());
    o.put("embodiment", en.embodiment().name());
    o.put("family", en.family().name());
    o.put("instruction", en.instruction());
    o.put("success", en.success());
    o.put(
        "actionSpace",
        en.embodiment() == Embodiment.ARM ? "joint_position_targets_rad" : "hand_xy_targets_m");
    int n = eff.size();
    ArrayNode st = o.putArray("step");
    ArrayNode x = o.putArray("effectorXM");
    ArrayNode y = o.putArray("effectorYM");
    ArrayNode xp = o.putArray("effectorXPx");
    ArrayNode yp = o.putArray("effectorYPx");
    ArrayNode jp = o.putArray("jointPositionsRad");
    ArrayNode ac = o.putArray("action");
    for (int i = 0; i < n; i++) {
      st.add(steps.get(i));
      double[] f = eff.get(i);
      x.add(f[0]);
      y.add(f[1]);
      addOrNull(xp, f[2]);
      addOrNull(yp, f[3]);
      ArrayNode j = jp.addArray();
      for (double v : joints.get(i)) {
        j.add(v);
      }
      ArrayNode a = ac.addArray();
      for (double v : actions.get(i)) {
        a.add(v);
      }
    }
    ArrayNode dx = o.putArray("pairDxM");
    ArrayNode dy = o.putArray("pairDyM");
    ArrayNode bin = o.putArray("pairDirectionBin");
    for (int t = 0; t + h < n; t++) {
      double ddx = eff.get(t + h)[0] - eff.get(t)[0];
      double ddy = eff.get(t + h)[1] - eff.get(t)[1];
      dx.add(ddx);
      dy.add(ddy);
      bin.add(directionBin(ddx, ddy));
    }
    return MAPPER.writeValueAsString(o);
  }

  private static void addOrNull(ArrayNode a, double v) {
    if (Double.isFinite(v)) {
      a.add(v);
    } else {
      a.addNull();
    }
  }

  /**
   * The 8-way direction of a table-frame displacement: bin 0 = +x (right), 2 = +y (away from the
   * base, up in the image), 4 = -x, 6 = -y, counter-clockwise, each bin 45 degrees wide centred on
   * its direction; -1 when the displacement is shorter than {@link #STILL_BELOW_M}.
   */
  public static int directionBin(double dxM, double dyM) {
    if (Math.hypot(dxM, dyM) < STILL_BELOW_M) {
      return -1;
    }
    return Math.floorMod((int) Math.round(Math.atan2(dyM, dxM) / (Math.PI / 4)), 8);
  }

  private void writeIndex(
      Path index, EpisodeEntry[] entries, int shards, int h, long frames, long pairs)
      throws IOException {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("formatVersion", FORMAT_VERSION);
    o.put("complete", true);
    ObjectNode f = o.putObject("frames");
    f.put("widthPx", sizePx);
    f.put("heightPx", sizePx);
    f.put("channels", 3);
    f.put("encoding", "rgb8");
    f.put("layout", "HWC");
    f.put("bytesPerFrame", sizePx * sizePx * 3);
    o.put("framesPerS", framesPerS);
    o.put("physicsHz", physicsHz);
    o.put("frameEveryPhysicsSteps", physicsHz / framesPerS);
    o.put("horizonS", horizonS);
    o.put("horizonFrames", h);
    o.put("maxEpisodeSeconds", maxEpisodeSeconds);
    o.put("domainRandomization", true);
    o.put("motion", motion.name());
    ArrayNode em = o.putArray("embodiments");
    embodiments.forEach(e -> em.add(e.name()));
    o.put("firstSeed", firstSeed);
    o.put("frameCount", frames);
    o.put("pairCount", pairs);
    ArrayNode sh = o.putArray("shards");
    for (int i = 0; i < shards; i++) {
      ObjectNode s = sh.addObject();
      s.put("frames", shardName(i));
      s.put("withheld", withheldName(i));
    }
    ArrayNode eps = o.putArray("episodes");
    for (EpisodeEntry e : entries) {
      ObjectNode n = eps.addObject();
      n.put("index", e.index());
      n.put("embodiment", e.embodiment().name());
      n.put("seed", e.seed());
      n.put("family", e.family().name());
      n.put("shard", e.shard());
      n.put("firstFrame", e.firstFrame());
      n.put("frameCount", e.frameCount());
    }
    Path tmp = index.resolveSibling("dataset.json.tmp");
    MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), o);
    Files.move(tmp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Builder: {@code setOut} is required; everything else has a default. */
  public static final class Builder {
    private Path out;
    private List<Embodiment> embodiments = List.of(Embodiment.ARM, Embodiment.HAND);
    private int episodes = 100;
    private long firstSeed = 0;
    private int sizePx = 64;
    private double horizonS = 0.6;
    private int framesPerS = 10;
    private int physicsHz = 50;
    private double maxEpisodeSeconds = 12;
    private int threads = 2;
    private Listener listener;
    private Motion motion = Motion.EXPERT;

    private Builder() {}

    /** What drives the effector (default {@link Motion#EXPERT}). */
    public Builder optMotion(Motion m) {
      this.motion = Objects.requireNonNull(m, "motion");
      return this;
    }

    public Builder setOut(Path dir) {
      this.out = Objects.requireNonNull(dir, "dir");
      return this;
    }

    public Builder optEmbodiments(List<Embodiment> list) {
      this.embodiments = List.copyOf(list);
      return this;
    }

    public Builder optEpisodes(int n) {
      this.episodes = n;
      return this;
    }

    public Builder optFirstSeed(long seed) {
      this.firstSeed = seed;
      return this;
    }

    public Builder optSizePx(int px) {
      this.sizePx = px;
      return this;
    }

    public Builder optHorizonS(double s) {
      this.horizonS = s;
      return this;
    }

    public Builder optFramesPerS(int fps) {
      this.framesPerS = fps;
      return this;
    }

    public Builder optPhysicsHz(int hz) {
      this.physicsHz = hz;
      return this;
    }

    public Builder optMaxEpisodeSeconds(double s) {
      this.maxEpisodeSeconds = s;
      return this;
    }

    public Builder optThreads(int n) {
      this.threads = n;
      return this;
    }

    public Builder optListener(Listener l) {
      this.listener = l;
      return this;
    }

    public VideoDatasetRecorder build() {
      if (out == null) {
        throw new IllegalArgumentException("output directory not set (setOut)");
      }
      if (embodiments.isEmpty()) {
        throw new IllegalArgumentException("at least one embodiment is needed");
      }
      if (episodes < 1) {
        throw new IllegalArgumentException("episodes must be >= 1, got " + episodes);
      }
      if (sizePx < 8 || sizePx > 1024) {
        throw new IllegalArgumentException("frame size must be in [8, 1024] px, got " + sizePx);
      }
      if (!(physicsHz >= 1)) {
        throw new IllegalArgumentException("physicsHz must be >= 1, got " + physicsHz);
      }
      if (framesPerS < 1 || framesPerS > physicsHz || physicsHz % framesPerS != 0) {
        throw new IllegalArgumentException(
            "frames per second must divide the physics rate "
                + physicsHz
                + " Hz (e.g. 5, 10, 25, 50), got "
                + framesPerS);
      }
      if (!(horizonS > 0) || !Double.isFinite(horizonS) || horizonS > 10) {
        throw new IllegalArgumentException("horizon must be in (0, 10] s, got " + horizonS);
      }
      if (!(maxEpisodeSeconds > 0) || !Double.isFinite(maxEpisodeSeconds)) {
        throw new IllegalArgumentException(
            "max episode seconds must be > 0, got " + maxEpisodeSeconds);
      }
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be in [1, 256], got " + threads);
      }
      return new VideoDatasetRecorder(this);
    }
  }
}
