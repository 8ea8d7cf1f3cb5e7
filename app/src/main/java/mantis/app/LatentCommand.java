package mantis.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.sim.Embodiment;
import mantis.sim.video.VideoDatasetRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mantis latent}: latent-action (LAPA) tools. */
@Command(
    name = "latent",
    mixinStandardHelpOptions = true,
    description =
        "Latent actions (LAPA): record action-free video datasets of the arm and the floating hand, "
            + "train the latent action model, label datasets with its tokens, evaluate it, measure its speed.",
    subcommands = {
      LatentCommand.Record.class,
      LatentTrainCommand.class,
      LatentLabelCommand.class,
      LatentEvalCommand.class,
      LatentBenchCommand.class
    })
final class LatentCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code mantis latent record}. */
  @Command(
      name = "record",
      mixinStandardHelpOptions = true,
      description =
          "Record an action-free video dataset (docs/LATENT_DATA.md): scripted-expert episodes with "
              + "domain randomisation; frames only in the frame shards, actions and true effector motion withheld "
              + "into withheld/ for evaluation.")
  static final class Record implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, description = "output directory (new or empty)")
    Path out;

    @Option(
        names = "--embodiment",
        defaultValue = "both",
        description = "arm, hand or both (default: ${DEFAULT-VALUE})")
    String embodiment;

    @Option(
        names = "--episodes",
        defaultValue = "100",
        description = "number of episodes (default: ${DEFAULT-VALUE})")
    int episodes;

    @Option(
        names = "--first-seed",
        defaultValue = "0",
        description =
            "seed of episode 0; episode k uses first-seed + k (default: ${DEFAULT-VALUE})")
    long firstSeed;

    @Option(
        names = "--size",
        defaultValue = "64",
        description = "frame side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(
        names = "--horizon-s",
        defaultValue = "0.6",
        description =
            "pair horizon in seconds; H = round(horizon * fps) frames (default: ${DEFAULT-VALUE})")
    double horizonS;

    @Option(
        names = "--fps",
        defaultValue = "10",
        description =
            "frames per second; must divide the 50 Hz physics rate (default: ${DEFAULT-VALUE})")
    int fps;

    @Option(
        names = "--motion",
        defaultValue = "expert",
        description =
            "expert (the scripted expert solving each task) or play (random waypoints for the whole "
                + "episode, motion not guessable from the scene) (default: ${DEFAULT-VALUE})")
    String motion;

    @Option(
        names = "--threads",
        defaultValue = "2",
        description = "episodes recorded in parallel (default: ${DEFAULT-VALUE})")
    int threads;

    private VideoDatasetRecorder.Motion motionOf() {
      return switch (motion.toLowerCase(Locale.ROOT)) {
        case "expert" -> VideoDatasetRecorder.Motion.EXPERT;
        case "play" -> VideoDatasetRecorder.Motion.PLAY;
        default ->
            throw new ParameterException(
                spec.commandLine(), "--motion must be expert or play, got '" + motion + "'");
      };
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
      List<Embodiment> embodiments =
          switch (embodiment.toLowerCase(Locale.ROOT)) {
            case "arm" -> List.of(Embodiment.ARM);
            case "hand" -> List.of(Embodiment.HAND);
            case "both" -> List.of(Embodiment.ARM, Embodiment.HAND);
            default ->
                throw new ParameterException(
                    spec.commandLine(),
                    "--embodiment must be arm, hand or both, got '" + embodiment + "'");
          };
      motionOf();
      if (Files.exists(out.resolve("dataset.json"))) {
        throw new ParameterException(
            spec.commandLine(),
            "--out " + out + " already holds a dataset; choose a new directory");
      }
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw new ParameterException(spec.commandLine(), "--out " + out + " is not a directory");
      }
      StepProgress progress = new StepProgress(System.err, 0, episodes, "episodes");
      long startNanos = System.nanoTime();
      VideoDatasetRecorder.Listener listener =
          (done, frames, pairs) -> {
            double sec = (System.nanoTime() - startNanos) / 1e9;
            progress.update(
                done,
                String.format(
                    Locale.ROOT, "%d pairs  %.0f pairs/s", pairs, sec > 0 ? pairs / sec : 0.0));
          };
      VideoDatasetRecorder recorder;
      try {
        recorder =
            VideoDatasetRecorder.builder()
                .setOut(out)
                .optEmbodiments(embodiments)
                .optEpisodes(episodes)
                .optFirstSeed(firstSeed)
                .optSizePx(size)
                .optHorizonS(horizonS)
                .optFramesPerS(fps)
                .optThreads(threads)
                .optMotion(motionOf())
                .optListener(listener)
                .build();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      VideoDatasetRecorder.Summary s = recorder.record();
      progress.finish();
      System.out.printf(
          Locale.ROOT,
          "recorded %d episodes, %d frames, %d pairs (H = %d frames at %d fps) in %.1f s: %.0f pairs/s -> %s%n",
          s.episodes(),
          s.frames(),
          s.pairs(),
          recorder.horizonFrames(),
          fps,
          s.seconds(),
          s.pairsPerS(),
          out);
      return 0;
    }
  }
}
