package mantis.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.latent.LatentActionModel;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.WithheldTruth;
import mantis.latent.eval.LatentEvalReport;
import mantis.latent.eval.LatentEvaluator;
import mantis.latent.train.LatentTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mantis latent eval}: quality of a trained model on a (held-out) dataset, with its withheld
 * truth.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Evaluate a latent action model on a video dataset with its withheld truth "
          + "(record one with another --first-seed for unseen episodes): reconstruction error on moving pixels "
          + "against copying frame t, code usage and perplexity, and a linear probe from the tokens to the true "
          + "8-way effector direction (docs/LATENT_ACTIONS.md).",
      "The table goes to stdout; --json also writes the report as JSON."
    })
final class LatentEvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      description = "checkpoint directory (mantis latent train --out)")
  Path model;

  @Option(
      names = "--data",
      required = true,
      description = "evaluation dataset directory (with withheld/)")
  Path data;

  @Option(
      names = "--probe-embodiment",
      defaultValue = "arm",
      description =
          "embodiment whose effector direction the probe predicts: arm or hand (default: ${DEFAULT-VALUE})")
  String probeEmbodiment;

  @Option(
      names = "--max-pairs",
      defaultValue = "0",
      description =
          "evaluate a seeded sample of at most this many pairs; 0 = all (default: ${DEFAULT-VALUE})")
  int maxPairs;

  @picocli.CommandLine.Mixin TorchThreadsOption torch;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "pairs per model call (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "also write the report as JSON to FILE")
  Path json;

  @Override
  public Integer call() throws IOException {
    torch.apply(spec);
    String probe = probeEmbodiment.toUpperCase(Locale.ROOT);
    if (!probe.equals("ARM") && !probe.equals("HAND")) {
      throw bad("--probe-embodiment must be arm or hand, got '" + probeEmbodiment + "'");
    }
    if (maxPairs < 0) {
      throw bad("--max-pairs must be >= 0 (0 = all), got " + maxPairs);
    }
    if (batch < 1 || batch > 4096) {
      throw bad("--batch must be in [1, 4096], got " + batch);
    }
    if (json != null && Files.isDirectory(json)) {
      throw bad("--json " + json + " is a directory; name the file to write");
    }
    if (!LatentTrainer.hasCheckpoint(model)) {
      throw bad("--model " + model + " holds no checkpoint (no config.properties + weights.bin)");
    }
    VideoDataset ds;
    WithheldTruth truth;
    try {
      ds = VideoDataset.open(data);
    } catch (IOException e) {
      throw bad("--data: " + e.getMessage());
    }
    try (ds) {
      try {
        truth = WithheldTruth.open(data);
      } catch (IOException e) {
        throw bad("--data: cannot read the withheld truth: " + e.getMessage());
      }
      try (LatentActionModel m = load()) {
        int s = m.config().inputSizePx();
        if (ds.widthPx() != s || ds.heightPx() != s) {
          throw bad(
              "frame size mismatch: --data "
                  + data
                  + " has "
                  + ds.widthPx()
                  + "x"
                  + ds.heightPx()
                  + " frames but the model in "
                  + model
                  + " takes "
                  + s
                  + "x"
                  + s);
        }
        long all = ds.allPairs().size();
        long total = maxPairs > 0 ? Math.min(maxPairs, all) : all;
        StepProgress progress = new StepProgress(System.err, 0, total, "pairs");
        long startNanos = System.nanoTime();
        LatentEvalReport report;
        try {
          report =
              LatentEvaluator.builder()
                  .setModel(m)
                  .setDataset(ds)
                  .setTruth(truth)
                  .optProbeEmbodiment(probe)
                  .optMaxPairs(maxPairs)
                  .optBatchSize(batch)
                  .optProgress(
                      done -> {
                        double sec = (System.nanoTime() - startNanos) / 1e9;
                        progress.update(
                            done,
                            String.format(Locale.ROOT, "%.0f pairs/s", sec > 0 ? done / sec : 0.0));
                      })
                  .build()
                  .evaluate();
        } finally {
          progress.finish();
        }
        System.out.printf(
            Locale.ROOT,
            "model %s (step %d, %d tokens of %d codes) on %s%n",
            model,
            m.stepCount(),
            m.config().tokens(),
            m.config().codebookSize(),
            data);
        System.out.print(report.toText());
        if (json != null) {
          writeJson(report.toJson());
          System.out.println("report written to " + json);
        }
        return 0;
      }
    }
  }

  private void writeJson(String text) throws IOException {
    Path abs = json.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.writeString(tmp, text + System.lineSeparator(), StandardCharsets.UTF_8);
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private LatentActionModel load() {
    return LatentCheckpoints.load(spec, model);
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
