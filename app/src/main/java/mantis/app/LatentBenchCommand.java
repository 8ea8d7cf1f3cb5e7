package mantis.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import mantis.latent.bench.LatentBenchResult;
import mantis.latent.bench.LatentBenchmark;
import mantis.latent.data.VideoDataset;
import mantis.latent.train.LatentTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mantis latent bench}: speed of the latent action model next to the machine's matmul peak.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measure the latent action model's speed in one process (issue 4, point 5): model FLOPs per pair, "
          + "one pair encode + quantise latency (median, p90), batched labelling and encode + decode throughput, a "
          + "training step, and the fp32 matrix-product peak measured in the same run, each GFLOP/s figure also as a "
          + "% of that peak. About 10 to 60 s.",
      "Frames: the first pairs of --data, else synthetic (random squares on noise, seeded). Model: --model, else "
          + "a fresh default-config model (untrained; speed does not depend on the weights). The table goes to "
          + "stdout; --markdown adds a markdown copy for the docs."
    })
final class LatentBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "CKPT",
      description =
          "checkpoint directory (mantis latent train --out); default: a fresh default-config model")
  Path model;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "video dataset whose first pairs are the frames; " + "default: synthetic frames")
  Path data;

  @Option(names = "--markdown", description = "also print the report as markdown (for docs)")
  boolean markdown;

  @Option(
      names = "--batches",
      split = ",",
      defaultValue = "64,256",
      description =
          "batch sizes of the labelling and encode + decode measures (default: ${DEFAULT-VALUE})")
  int[] batches;

  @Option(
      names = "--train-batch",
      defaultValue = "32",
      description = "training step batch size (default: ${DEFAULT-VALUE})")
  int trainBatch;

  @Option(
      names = "--single-calls",
      defaultValue = "300",
      description = "timed one-pair calls, after 100 warm-up calls (default: ${DEFAULT-VALUE})")
  int singleCalls;

  @Option(
      names = "--min-seconds",
      defaultValue = "1.5",
      description =
          "each batched measure and the matmul repeat for at least this long and 5 calls "
              + "(default: ${DEFAULT-VALUE})")
  double minSeconds;

  @Option(
      names = "--matmul",
      defaultValue = "1024",
      paramLabel = "N",
      description =
          "side of the N x N fp32 matrix product giving the peak (default: ${DEFAULT-VALUE})")
  int matmulSide;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "PyTorch intra-op threads (sets "
              + LatentBenchmark.THREADS_PROPERTY
              + " before the engine "
              + "starts; default: the engine's, one per core). 1 is far faster when other work shares the cores.")
  Integer threads;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "seed of the synthetic frames (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() throws IOException {
    if (singleCalls < 1) {
      throw bad("--single-calls must be >= 1, got " + singleCalls);
    }
    if (!(minSeconds >= 0 && minSeconds <= 600)) {
      throw bad("--min-seconds must be in [0, 600], got " + minSeconds);
    }
    if (batches.length == 0 || Arrays.stream(batches).anyMatch(b -> b < 1 || b > 4096)) {
      throw bad("--batches must be sizes in [1, 4096], got " + Arrays.toString(batches));
    }
    if (trainBatch < 1 || trainBatch > 4096) {
      throw bad("--train-batch must be in [1, 4096], got " + trainBatch);
    }
    if (matmulSide < 1 || matmulSide > 8192) {
      throw bad("--matmul must be in [1, 8192], got " + matmulSide);
    }
    if (threads != null) {
      if (threads < 1 || threads > 256) {
        throw bad("--threads must be in [1, 256], got " + threads);
      }
      System.setProperty(LatentBenchmark.THREADS_PROPERTY, Integer.toString(threads));
    }
    if (model != null && !LatentTrainer.hasCheckpoint(model)) {
      throw bad("--model " + model + " holds no checkpoint (no config.properties + weights.bin)");
    }
    VideoDataset ds = null;
    if (data != null) {
      try {
        ds = VideoDataset.open(data);
      } catch (IOException e) {
        throw bad("--data: " + e.getMessage());
      }
    }
    try (VideoDataset closeMe = ds;
        LatentActionModel m = load()) {
      int side = m.config().inputSizePx();
      String described =
          model != null
              ? "checkpoint " + model + " (step " + m.stepCount() + ")"
              : "fresh default-config model (no --model; untrained weights, same cost)";
      LatentBenchmark.Builder builder =
          LatentBenchmark.builder()
              .setModel(m)
              .optModelDescription(described)
              .optSingleCalls(singleCalls, 100)
              .optBatchSizes(batches)
              .optTrainBatchSize(trainBatch)
              .optRepetitions(2, 5, minSeconds)
              .optMatmulSide(matmulSide)
              .optSyntheticSeed(seed)
              .optCommandLine(commandLine())
              .optListener(stage -> System.err.println("bench: " + stage));
      if (ds != null) {
        if (ds.widthPx() != side || ds.heightPx() != side) {
          throw bad(
              "frame size mismatch: --data "
                  + data
                  + " has "
                  + ds.widthPx()
                  + "x"
                  + ds.heightPx()
                  + " frames but the "
                  + (model != null ? "model in " + model : "default model (no --model)")
                  + " takes "
                  + side
                  + "x"
                  + side);
        }
        int wanted = Math.max(trainBatch, Arrays.stream(batches).max().orElse(1));
        FramePairs pairs;
        try {
          pairs = LatentBenchmark.datasetPairs(ds, wanted);
        } catch (IllegalArgumentException e) {
          throw bad("--data: " + e.getMessage());
        }
        builder.optPairs(
            pairs,
            String.format(
                Locale.ROOT, "dataset %s, first %d pairs (%dx%d)", data, pairs.size(), side, side));
      }
      LatentBenchResult result = builder.build().run();
      System.out.print(result.toTable());
      if (markdown) {
        System.out.println();
        System.out.print(result.toMarkdown());
      }
      return 0;
    }
  }

  private String commandLine() {
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    return "mantis "
        + args.stream()
            .map(a -> a.isEmpty() || a.matches(".*[\\s'\"|].*") ? "'" + a + "'" : a)
            .collect(Collectors.joining(" "));
  }

  private LatentActionModel load() throws IOException {
    if (model == null) {
      return LatentActionModel.create(LatentActionConfig.builder().build());
    }
    return LatentCheckpoints.load(spec, model);
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
