package mantis.sim.record;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mantis.core.JointState;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.ScriptedExpert;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one simulator episode to a directory, streaming: {@code episode.json} is written at
 * {@link #start()}, one line is appended to {@code steps.jsonl} (and flushed) per recorded step,
 * frames go to {@code frames/NNNNNN.png} (named after the physics step), and {@link #close()}
 * appends the end state and rewrites {@code episode.json} atomically with the outcome. See {@code
 * docs/EPISODE_FORMAT.md}.
 *
 * <pre>{@code
 * sim.reset(seed, family);
 * try (EpisodeRecorder rec = EpisodeRecorder.builder().setDirectory(dir).setSim(sim).build()) {
 *   rec.start();
 *   while (!sim.done()) {
 *     double[] a = expert.act(sim);
 *     rec.record(a);      // the state now and the action about to be applied
 *     sim.step(a);
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class EpisodeRecorder implements AutoCloseable {
  /** Version of the on-disk format written by this class. */
  public static final int FORMAT_VERSION = 1;

  private static final Logger LOG = LoggerFactory.getLogger(EpisodeRecorder.class);

  private final Path directory;
  private final TabletopSim sim;
  private final int frameWidthPx;
  private final int frameHeightPx;
  private final int frameEvery;
  private final int stepEvery;
  private EpisodeMetadata metadata;
  private BufferedWriter steps;
  private long lines;
  private boolean closed;

  private EpisodeRecorder(Builder b) {
    this.directory = b.directory;
    this.sim = b.sim;
    this.frameWidthPx = b.frameWidthPx;
    this.frameHeightPx = b.frameHeightPx;
    this.frameEvery = b.frameEvery;
    this.stepEvery = b.stepEvery;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The episode directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Creates the directory (which must not exist or be empty) and writes {@code episode.json} for
   * the simulator's current episode.
   */
  public void start() {
    if (steps != null || closed) {
      throw new IllegalStateException("recorder already started");
    }
    try {
      if (Files.isDirectory(directory)) {
        try (var entries = Files.list(directory)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalStateException("episode directory " + directory + " is not empty");
          }
        }
      }
      Files.createDirectories(directory);
      if (frameEvery > 0) {
        Files.createDirectories(directory.resolve("frames"));
      }
      metadata = initialMetadata();
      writeMetadata(metadata);
      steps =
          Files.newBufferedWriter(
              directory.resolve("steps.jsonl"),
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start episode recording in " + directory, e);
    }
  }

  private EpisodeMetadata initialMetadata() {
    WorldState ws = sim.groundTruth();
    boolean frames = frameEvery > 0;
    return new EpisodeMetadata(
        FORMAT_VERSION,
        sim.seed(),
        sim.embodiment(),
        sim.task(),
        sim.config().physicsHz(),
        sim.config().maxEpisodeSeconds(),
        sim.config().domainRandomization(),
        stepEvery,
        frameEvery,
        frames ? frameWidthPx : 0,
        frames ? frameHeightPx : 0,
        sim.robot(),
        frames ? Optional.of(sim.camera(frameWidthPx, frameHeightPx)) : Optional.empty(),
        frames ? Optional.of(sim.renderCamera(frameWidthPx, frameHeightPx)) : Optional.empty(),
        ws.objects(),
        ws.targets(),
        false,
        Optional.empty(),
        Optional.empty());
  }

  /**
   * Records the current state with the action about to be applied (joint targets for the arm, {x,
   * y} for the hand). Steps not on the {@code stepEvery} grid are skipped.
   */
  public void record(double[] action) {
    Objects.requireNonNull(action, "action");
    if (action.length == 0) {
      throw new IllegalArgumentException("an action needs at least one value");
    }
    requireStarted();
    if (sim.stepCount() % stepEvery != 0) {
      return;
    }
    writeLine(action);
  }

  private void requireStarted() {
    if (steps == null) {
      throw new IllegalStateException("call start() first");
    }
    if (closed) {
      throw new IllegalStateException("recorder closed");
    }
  }

  private void writeLine(double[] action) {
    try {
      Optional<String> frame = Optional.empty();
      boolean finalLine = action.length == 0;
      if (frameEvery > 0 && (finalLine || lines % frameEvery == 0)) {
        String name = String.format("frames/%06d.png", sim.stepCount());
        Png.write(sim.render(frameWidthPx, frameHeightPx), directory.resolve(name));
        frame = Optional.of(name);
      }
      WorldState ws = sim.groundTruth();
      JointState js = sim.jointState();
      List<ObjectPose> poses = new ArrayList<>();
      for (ObjectState o : ws.objects()) {
        poses.add(new ObjectPose(o.name(), o.xM(), o.yM(), o.yawRad()));
      }
      StepRecord r =
          new StepRecord(
              sim.stepCount(),
              sim.timeS(),
              js.positionsRad(),
              js.velocitiesRadPerS(),
              action,
              ws.effectorXM(),
              ws.effectorYM(),
              ws.effectorHeadingRad(),
              poses,
              sim.success(),
              frame);
      steps.write(EpisodeJson.MAPPER.writeValueAsString(EpisodeJson.step(r)));
      steps.write('\n');
      steps.flush();
      lines++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write episode step to " + directory, e);
    }
  }

  private void writeMetadata(EpisodeMetadata m) throws IOException {
    Path tmp = directory.resolve("episode.json.tmp");
    Files.writeString(
        tmp,
        EpisodeJson.MAPPER
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(EpisodeJson.metadata(m))
            + "\n",
        StandardCharsets.UTF_8);
    Files.move(
        tmp,
        directory.resolve("episode.json"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Appends the end state (no action), closes steps.jsonl and marks episode.json complete. */
  @Override
  public void close() {
    if (closed || steps == null) {
      closed = true;
      return;
    }
    try {
      writeLine(new double[0]);
      steps.close();
      closed = true;
      EpisodeMetadata m = metadata;
      metadata =
          new EpisodeMetadata(
              m.formatVersion(),
              m.seed(),
              m.embodiment(),
              m.task(),
              m.physicsHz(),
              m.maxEpisodeSeconds(),
              m.domainRandomization(),
              m.stepEvery(),
              m.frameEvery(),
              m.frameWidthPx(),
              m.frameHeightPx(),
              m.robot(),
              m.camera(),
              m.renderCamera(),
              m.objects(),
              m.targets(),
              true,
              Optional.of(lines),
              Optional.of(sim.success()));
      writeMetadata(metadata);
      LOG.debug("recorded {} lines to {}", lines, directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish episode recording in " + directory, e);
    }
  }

  /**
   * Runs the scripted expert on one episode and records it; returns whether it succeeded.
   *
   * @param sim a simulator (its configuration picks the embodiment)
   * @param seed episode seed
   * @param family task family
   * @param directory episode directory (must not exist or be empty)
   * @param frameWidthPx frame width
   * @param frameHeightPx frame height
   */
  public static boolean recordExpertEpisode(
      TabletopSim sim,
      long seed,
      TaskFamily family,
      Path directory,
      int frameWidthPx,
      int frameHeightPx) {
    sim.reset(seed, family);
    ScriptedExpert expert = new ScriptedExpert();
    try (EpisodeRecorder rec =
        builder()
            .setDirectory(directory)
            .setSim(sim)
            .optFrameSize(frameWidthPx, frameHeightPx)
            .build()) {
      rec.start();
      while (!sim.done()) {
        double[] a = expert.act(sim);
        rec.record(a);
        if (sim.embodiment() == Embodiment.ARM) {
          sim.step(a);
        } else {
          sim.stepHand(a[0], a[1]);
        }
      }
    }
    return sim.success();
  }

  /** Builder: directory and simulator required. */
  public static final class Builder {
    private Path directory;
    private TabletopSim sim;
    private int frameWidthPx = 128;
    private int frameHeightPx = 128;
    private int frameEvery = 1;
    private int stepEvery = 1;

    private Builder() {}

    /** The episode directory (required); created by {@link #start()}. */
    public Builder setDirectory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** The simulator, already reset to the episode to record (required). */
    public Builder setSim(TabletopSim sim) {
      this.sim = Objects.requireNonNull(sim, "sim");
      return this;
    }

    /** Frame size (default 128x128). */
    public Builder optFrameSize(int widthPx, int heightPx) {
      this.frameWidthPx = widthPx;
      this.frameHeightPx = heightPx;
      return this;
    }

    /** Save a frame every this many recorded lines (default 1; 0 saves no frames). */
    public Builder optFrameEvery(int lines) {
      this.frameEvery = lines;
      return this;
    }

    /** Record a line every this many physics steps (default 1). */
    public Builder optStepEvery(int physicsSteps) {
      this.stepEvery = physicsSteps;
      return this;
    }

    public EpisodeRecorder build() {
      if (directory == null) {
        throw new IllegalStateException("setDirectory is required");
      }
      if (sim == null) {
        throw new IllegalStateException("setSim is required");
      }
      if (frameWidthPx <= 0 || frameHeightPx <= 0 || frameWidthPx > 8192 || frameHeightPx > 8192) {
        throw new IllegalArgumentException(
            "frame size " + frameWidthPx + "x" + frameHeightPx + " out of range");
      }
      if (frameEvery < 0) {
        throw new IllegalArgumentException("frameEvery must be >= 0, got " + frameEvery);
      }
      if (stepEvery < 1) {
        throw new IllegalArgumentException("stepEvery must be >= 1, got " + stepEvery);
      }
      return new EpisodeRecorder(this);
    }
  }
}
