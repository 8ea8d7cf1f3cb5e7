package mantis.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.latent.LatentActionModel;
import mantis.latent.data.VideoDataset;
import mantis.latent.train.LatentLabeler;
import mantis.latent.train.LatentTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mantis latent label}: the latent tokens of every pair of a dataset, as CSV. */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Label every pair of a video dataset (both embodiments, train and held-out episodes) with a "
            + "trained model's latent tokens: CSV episode,t,embodiment,token0..tokenN-1 (docs/LATENT_ACTIONS.md).")
final class LatentLabelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      description = "checkpoint directory (mantis latent train --out)")
  Path model;

  @Option(names = "--data", required = true, description = "video dataset directory")
  Path data;

  @Option(names = "--out", required = true, description = "CSV file to write")
  Path out;

  @picocli.CommandLine.Mixin TorchThreadsOption torch;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "pairs per encoder call (default: ${DEFAULT-VALUE})")
  int batch;

  @Override
  public Integer call() throws IOException, InterruptedException {
    torch.apply(spec);
    if (batch < 1) {
      throw bad("--batch must be >= 1, got " + batch);
    }
    if (!LatentTrainer.hasCheckpoint(model)) {
      throw bad("--model " + model + " holds no checkpoint (no config.properties + weights.bin)");
    }
    if (Files.isDirectory(out)) {
      throw bad("--out " + out + " is a directory; name the CSV file to write");
    }
    VideoDataset ds;
    try {
      ds = VideoDataset.open(data);
    } catch (IOException e) {
      throw bad("--data: " + e.getMessage());
    }
    try (ds;
        LatentActionModel m = load()) {
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
      long total = ds.allPairs().size();
      StepProgress progress = new StepProgress(System.err, 0, total, "pairs");
      long startNanos = System.nanoTime();
      LatentLabeler labeler =
          LatentLabeler.builder()
              .setModel(m)
              .setDataset(ds)
              .optBatchSize(batch)
              .optProgress(
                  done -> {
                    double sec = (System.nanoTime() - startNanos) / 1e9;
                    progress.update(
                        done,
                        String.format(Locale.ROOT, "%.0f pairs/s", sec > 0 ? done / sec : 0.0));
                  })
              .build();
      LatentLabeler.Summary sum;
      try {
        sum = labeler.writeCsv(out);
      } finally {
        progress.finish();
      }
      System.out.printf(
          Locale.ROOT,
          "labelled %d pairs of %d episodes (%d tokens of %d codes each, model at step %d) "
              + "in %.1f s: %.0f pairs/s -> %s%n",
          sum.pairs(),
          ds.episodes().size(),
          m.config().tokens(),
          m.config().codebookSize(),
          m.stepCount(),
          sum.seconds(),
          sum.pairsPerS(),
          out);
      return 0;
    }
  }

  private LatentActionModel load() {
    return LatentCheckpoints.load(spec, model);
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
