package mantis.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.VideoEpisode;
import mantis.latent.train.LatentConfigs;
import mantis.latent.train.LatentTrainer;
import mantis.latent.train.StepReport;
import mantis.latent.train.TrainListener;
import mantis.latent.train.TrainSummary;
import mantis.latent.train.TrainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mantis latent train}: trains (or resumes training of) a latent action model on a video
 * dataset.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the latent action model (LAPA) on the training pairs of a video dataset recorded by "
          + "'mantis latent record' (docs/LATENT_ACTIONS.md).",
      "Writes a checkpoint (config.properties, weights.bin, trainer.json), loss.csv and loss.png into --out "
          + "every --checkpoint-every steps, at the end and on Ctrl-C; --resume continues it bit-exactly."
    })
final class LatentTrainCommand implements Callable<Integer> {
  static final long SPLIT_SEED = 0;

  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      description = "video dataset directory (mantis latent record --out)")
  Path data;

  @Option(names = "--out", required = true, description = "checkpoint directory")
  Path out;

  @Option(
      names = "--steps",
      defaultValue = "3000",
      description =
          "total training steps; with --resume the new target (default: ${DEFAULT-VALUE})")
  long steps;

  @picocli.CommandLine.Mixin TorchThreadsOption torch;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "pairs per step (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description =
          "seed of the initial weights and of the epoch orders (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--lr",
      defaultValue = "1e-3",
      description = "Adam learning rate (default: ${DEFAULT-VALUE})")
  float lr;

  @Option(
      names = "--embodiment",
      defaultValue = "both",
      description = "pairs of arm, hand or both embodiments (default: ${DEFAULT-VALUE})")
  String embodiment;

  @Option(
      names = "--tokens",
      defaultValue = "4",
      description = "latent tokens per pair (default: ${DEFAULT-VALUE})")
  int tokens;

  @Option(
      names = "--codebook",
      defaultValue = "8",
      description = "codebook entries (default: ${DEFAULT-VALUE})")
  int codebook;

  @Option(
      names = "--held-out",
      defaultValue = "0.1",
      description =
          "fraction of episodes held out of training, by seed hash (default: ${DEFAULT-VALUE})")
  double heldOut;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "500",
      description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
  long checkpointEvery;

  @Option(
      names = "--log-every",
      defaultValue = "1",
      description = "steps between loss.csv rows (default: ${DEFAULT-VALUE})")
  long logEvery;

  @Option(names = "--resume", description = "continue the checkpoint in --out")
  boolean resume;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "override a model setting by its config.properties name, e.g. --set widths=16,32,64 "
              + "--set deadCodeWindowSteps=50 (repeatable; applied after --lr/--tokens/--codebook)")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() throws IOException, InterruptedException {
    torch.apply(spec);
    String emb = embodimentFilter(embodiment);
    if (steps < 1) {
      throw bad("--steps must be >= 1, got " + steps);
    }
    if (batch < 1) {
      throw bad("--batch must be >= 1, got " + batch);
    }
    if (!(heldOut >= 0 && heldOut < 1)) {
      throw bad("--held-out must be in [0, 1), got " + heldOut);
    }
    if (checkpointEvery < 1) {
      throw bad("--checkpoint-every must be >= 1, got " + checkpointEvery);
    }
    if (logEvery < 1) {
      throw bad("--log-every must be >= 1, got " + logEvery);
    }
    boolean hasCheckpoint = LatentTrainer.hasCheckpoint(out);
    if (resume && !hasCheckpoint) {
      throw bad(
          "--resume: "
              + out
              + " holds no checkpoint (no config.properties + weights.bin); "
              + "run without --resume to start a new training");
    }
    if (!resume && hasCheckpoint) {
      throw bad(
          "--out "
              + out
              + " already holds a checkpoint; add --resume to continue it, or choose a new "
              + "directory");
    }
    TrainerState state = null;
    if (resume) {
      checkModelOptionsAbsent();
      if (Files.exists(out.resolve(TrainerState.FILE))) {
        state = readState();
        checkSameAsCheckpoint(state);
        emb = state.settings().getOrDefault("embodiment", emb);
        heldOut =
            Double.parseDouble(state.settings().getOrDefault("heldOut", Double.toString(heldOut)));
        batch = state.batchSize();
        seed = state.shuffleSeed();
      } else {
        System.err.printf(
            Locale.ROOT,
            "note: %s has no %s (a model saved outside 'mantis latent train'); resuming "
                + "with --batch %d --seed %d --embodiment %s --held-out %s%n",
            out,
            TrainerState.FILE,
            batch,
            seed,
            emb,
            heldOut);
      }
    }
    try (VideoDataset ds = openDataset()) {
      LatentActionModel model = resume ? load() : create(ds);
      try {
        int s = model.config().inputSizePx();
        if (ds.widthPx() != s || ds.heightPx() != s) {
          throw bad(
              "frame size mismatch: --data "
                  + data
                  + " has "
                  + ds.widthPx()
                  + "x"
                  + ds.heightPx()
                  + " frames but the model "
                  + (resume ? "in " + out + " " : "")
                  + "takes "
                  + s
                  + "x"
                  + s);
        }
        if (model.stepCount() >= steps) {
          throw bad(
              "the checkpoint in "
                  + out
                  + " is already at step "
                  + model.stepCount()
                  + " >= --steps "
                  + steps
                  + "; pass a larger --steps to train further");
        }
        if (state != null && !Path.of(state.dataDir()).equals(data.toAbsolutePath())) {
          System.err.println(
              "note: the checkpoint was trained on "
                  + state.dataDir()
                  + ", resuming on "
                  + data.toAbsolutePath());
        }
        String which = emb;
        double held = heldOut;
        Predicate<VideoEpisode> train =
            e ->
                !VideoDataset.isHeldOut(e.seed(), held, SPLIT_SEED)
                    && (which.equals("both") || e.embodiment().equalsIgnoreCase(which));
        PairSet pairs = ds.pairs(train);
        if (pairs.size() == 0) {
          throw bad(
              "no training pairs in "
                  + data
                  + " for embodiment "
                  + which
                  + " with --held-out "
                  + heldOut);
        }
        return train(ds, model, pairs, which);
      } finally {
        model.close();
      }
    }
  }

  private int train(VideoDataset ds, LatentActionModel model, PairSet pairs, String which)
      throws IOException, InterruptedException {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("embodiment", which);
    settings.put("heldOut", Double.toString(heldOut));
    settings.put("splitSeed", Long.toString(SPLIT_SEED));
    long first = model.stepCount();
    StepProgress progress = new StepProgress(System.err, first, steps, "steps");
    int codes = model.config().codebookSize();
    LatentTrainer trainer =
        LatentTrainer.builder()
            .setModel(model)
            .setPairs(pairs)
            .setDataset(ds)
            .setSteps(steps)
            .optBatchSize(batch)
            .optShuffleSeed(seed)
            .optCheckpointDir(out)
            .optCheckpointEverySteps(checkpointEvery)
            .optLogEverySteps(logEvery)
            .optSettings(settings)
            .optListener(
                new TrainListener() {
                  @Override
                  public void onStep(StepReport r) {
                    progress.update(
                        r.step(),
                        String.format(
                            Locale.ROOT,
                            "%.0f pairs/s  recon %.5f  perplexity %.2f/%d",
                            r.pairsPerS(),
                            r.smoothedRecon(),
                            r.smoothedPerplexity(),
                            codes));
                  }
                })
            .build();
    System.err.printf(
        Locale.ROOT,
        "%s %d -> %d steps on %s: %d training pairs (%s, held out %.2f), batch %d, "
            + "%,d parameters, %s%n",
        first == 0 ? "training" : "resuming at step",
        first,
        steps,
        model.deviceName(),
        pairs.size(),
        which,
        heldOut,
        batch,
        model.parameterCount(),
        model.config());
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              trainer.requestStop();
              try {
                finished.await(120, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "latent-train-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      TrainSummary s;
      try {
        s = trainer.run();
      } finally {
        progress.finish();
      }
      if (s.stopped()) {
        System.out.printf(
            Locale.ROOT,
            "stopped at step %d of %d; checkpoint saved. Continue with: mantis latent "
                + "train --data %s --out %s --steps %d --resume%n",
            s.lastStep(),
            steps,
            data,
            out,
            steps);
      }
      System.out.printf(
          Locale.ROOT,
          "trained steps %d -> %d (%d steps, batch %d) in %.1f s: %.0f pairs/s%n",
          s.firstStep(),
          s.lastStep(),
          s.steps(),
          batch,
          s.seconds(),
          s.pairsPerS());
      System.out.printf(
          Locale.ROOT,
          "smoothed losses at step %d: total %.5f  recon %.5f  perplexity %.2f of %d codes%n",
          s.lastStep(),
          s.smoothedTotal(),
          s.smoothedRecon(),
          s.smoothedPerplexity(),
          codes);
      System.out.printf(
          Locale.ROOT,
          "checkpoint: %s (%s, %s)%n",
          out,
          LatentTrainer.LOSS_CSV,
          LatentTrainer.LOSS_PNG);
      System.out.flush();
    } finally {
      // On Ctrl-C the hook waits for this: the checkpoint is written and the summary printed.
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is shutting down (Ctrl-C); the hook returns now
      }
    }
    return 0;
  }

  private LatentActionModel create(VideoDataset ds) {
    if (ds.widthPx() != ds.heightPx()) {
      throw bad(
          "the model takes square frames; --data "
              + data
              + " has "
              + ds.widthPx()
              + "x"
              + ds.heightPx());
    }
    LatentActionConfig config;
    try {
      config =
          LatentActionConfig.builder()
              .optInputSizePx(ds.widthPx())
              .optTokens(tokens)
              .optCodebookSize(codebook)
              .optLearningRate(lr)
              .optSeed(seed)
              .build();
      config = LatentConfigs.withOverrides(config, set);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
    return LatentActionModel.create(config);
  }

  private LatentActionModel load() throws IOException {
    try {
      return LatentActionModel.load(out);
    } catch (IOException e) {
      throw bad("cannot load the checkpoint in " + out + ": " + e.getMessage());
    }
  }

  private VideoDataset openDataset() {
    try {
      return VideoDataset.open(data);
    } catch (IOException e) {
      throw bad("--data: " + e.getMessage());
    }
  }

  private TrainerState readState() {
    try {
      return TrainerState.read(out);
    } catch (IOException e) {
      throw bad("--resume: " + e.getMessage());
    }
  }

  /** On --resume the model configuration comes from the checkpoint. */
  private void checkModelOptionsAbsent() {
    var parsed = spec.commandLine().getParseResult();
    for (String fixed : new String[] {"--lr", "--tokens", "--codebook", "--set"}) {
      if (parsed.hasMatchedOption(fixed)) {
        throw bad(
            fixed
                + " cannot change a checkpoint's model configuration on --resume (it is read from "
                + out.resolve("config.properties")
                + ")");
      }
    }
  }

  /** On --resume the batch order comes from trainer.json; refuse other values. */
  private void checkSameAsCheckpoint(TrainerState state) {
    var parsed = spec.commandLine().getParseResult();
    if (parsed.hasMatchedOption("--batch") && batch != state.batchSize()) {
      throw bad(
          "--batch "
              + batch
              + " differs from the checkpoint's "
              + state.batchSize()
              + "; a resumed run must see the same batches");
    }
    if (parsed.hasMatchedOption("--seed") && seed != state.shuffleSeed()) {
      throw bad(
          "--seed "
              + seed
              + " differs from the checkpoint's "
              + state.shuffleSeed()
              + "; a resumed run must see the same batches");
    }
    String emb = embodimentFilter(embodiment);
    String stateEmb = state.settings().get("embodiment");
    if (parsed.hasMatchedOption("--embodiment") && stateEmb != null && !stateEmb.equals(emb)) {
      throw bad("--embodiment " + emb + " differs from the checkpoint's " + stateEmb);
    }
    String stateHeld = state.settings().get("heldOut");
    if (parsed.hasMatchedOption("--held-out")
        && stateHeld != null
        && Double.parseDouble(stateHeld) != heldOut) {
      throw bad("--held-out " + heldOut + " differs from the checkpoint's " + stateHeld);
    }
  }

  private String embodimentFilter(String e) {
    String v = e.toLowerCase(Locale.ROOT);
    if (!v.equals("arm") && !v.equals("hand") && !v.equals("both")) {
      throw bad("--embodiment must be arm, hand or both, got '" + e + "'");
    }
    return v;
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
