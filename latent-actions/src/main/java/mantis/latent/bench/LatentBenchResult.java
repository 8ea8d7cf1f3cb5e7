package mantis.latent.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one {@link LatentBenchmark} run measured, with where and how; {@link #toTable()} and {@link
 * #toMarkdown()} render it. GFLOP/s figures are model FLOPs (hand-counted from layer shapes,
 * multiply and add counted separately) divided by the measured wall time.
 *
 * @param machine where it ran
 * @param model what model was measured (checkpoint or fresh, config, parameter count)
 * @param frames where the frames came from
 * @param encodeFlopsPerPair FLOPs to encode and quantise one pair
 * @param decodeFlopsPerPair FLOPs to rebuild frame t+H from frame t and the tokens, one pair
 * @param trainFlopsPerPair FLOPs of one training step per pair, estimated as 3 x (encode + decode)
 * @param singlePair one pair encoded and quantised per call
 * @param labelling batched encode + quantise (what labelling does), one entry per batch size
 * @param encodeDecode batched encode + quantise then decode (what evaluation does), one entry per
 *     batch size
 * @param training training steps (forward, backward, Adam update)
 * @param matmulPeak the fp32 matrix-product peak measured in the same run
 */
public record LatentBenchResult(
    Machine machine,
    ModelInfo model,
    String frames,
    long encodeFlopsPerPair,
    long decodeFlopsPerPair,
    long trainFlopsPerPair,
    Latency singlePair,
    List<Throughput> labelling,
    List<Throughput> encodeDecode,
    Throughput training,
    MatmulPeak matmulPeak) {

  /** Goal of issue 4 for one pair encoded and quantised (median), milliseconds. */
  public static final double SINGLE_PAIR_GOAL_MS = 2.0;

  /** Goal of issue 4 for batched labelling, pairs per second. */
  public static final double LABELLING_GOAL_PAIRS_PER_S = 500.0;

  public LatentBenchResult {
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(frames, "frames");
    Objects.requireNonNull(singlePair, "singlePair");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(matmulPeak, "matmulPeak");
    labelling = List.copyOf(labelling);
    encodeDecode = List.copyOf(encodeDecode);
  }

  /**
   * The machine and the run.
   *
   * @param cores processors available to the JVM
   * @param osName {@code os.name}
   * @param osArch {@code os.arch}
   * @param javaVersion {@code java.version}
   * @param engine DJL engine name and version
   * @param device DJL device the model ran on
   * @param date when the run started
   * @param commandLine how it was started (free text, e.g. the CLI arguments)
   * @param loadAverageStart the system's 1-minute load average when the run started (other work on
   *     the machine makes timings noisy); negative where the OS does not report it
   * @param loadAverageEnd the same when the run ended
   */
  public record Machine(
      int cores,
      String osName,
      String osArch,
      String javaVersion,
      String engine,
      String device,
      Instant date,
      String commandLine,
      double loadAverageStart,
      double loadAverageEnd) {}

  /**
   * The model measured.
   *
   * @param description checkpoint path and step, or a note that it is a fresh untrained model
   * @param config the configuration ({@code LatentActionConfig.toString()})
   * @param parameterCount trainable scalars, codebook included
   * @param inputSizePx frame side
   */
  public record ModelInfo(
      String description, String config, long parameterCount, int inputSizePx) {}

  /**
   * Latency of single calls.
   *
   * @param calls timed calls (after warm-up)
   * @param medianMs median call time
   * @param p90Ms 90th percentile call time
   * @param gflopPerS FLOPs of one call divided by the median time
   */
  public record Latency(int calls, double medianMs, double p90Ms, double gflopPerS) {}

  /**
   * Throughput of repeated batched calls.
   *
   * @param batchSize pairs per call
   * @param calls timed calls (after warm-up)
   * @param msPerCall mean wall time of one call
   * @param pairsPerS pairs processed per second
   * @param gflopPerS model FLOPs per second
   */
  public record Throughput(
      int batchSize, int calls, double msPerCall, double pairsPerS, double gflopPerS) {}

  /**
   * The fp32 matrix-product peak.
   *
   * @param side n of the n x n by n x n product
   * @param calls timed products
   * @param gflopPerS 2 n^3 FLOPs per product divided by the mean time
   */
  public record MatmulPeak(int side, int calls, double gflopPerS) {}

  /** {@code gflopPerS} as a percentage of the measured matrix-product peak. */
  public double percentOfPeak(double gflopPerS) {
    return 100.0 * gflopPerS / matmulPeak.gflopPerS();
  }

  /** A plain-text report: header lines then an aligned table. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    for (String[] h : header()) {
      sb.append(String.format(Locale.ROOT, "%-9s %s%n", h[0], h[1]));
    }
    sb.append(System.lineSeparator());
    List<String[]> rows = rows();
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int k = 0; k < rows.size(); k++) {
      String[] r = rows.get(k);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        boolean numeric = i == 2 || i == 3;
        String cell =
            numeric
                ? " ".repeat(width[i] - r[i].length()) + r[i]
                : r[i] + " ".repeat(width[i] - r[i].length());
        line.append(cell).append(i < r.length - 1 ? "  " : "");
      }
      sb.append(line.toString().stripTrailing()).append(System.lineSeparator());
      if (k == 0) {
        int total = 0;
        for (int w : width) {
          total += w;
        }
        sb.append("-".repeat(total + 2 * (width.length - 1))).append(System.lineSeparator());
      }
    }
    return sb.toString();
  }

  /** A markdown report ready for the docs: a bullet list of the header then a table. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    for (String[] h : header()) {
      sb.append("- ")
          .append(h[0])
          .append(": ")
          .append(h[1].replace("|", "\\|"))
          .append(System.lineSeparator());
    }
    sb.append(System.lineSeparator());
    List<String[]> rows = rows();
    for (int k = 0; k < rows.size(); k++) {
      sb.append("| ")
          .append(String.join(" | ", rows.get(k)))
          .append(" |")
          .append(System.lineSeparator());
      if (k == 0) {
        sb.append("|---|---|---:|---:|---|").append(System.lineSeparator());
      }
    }
    return sb.toString();
  }

  private List<String[]> header() {
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {"date", machine.date().truncatedTo(ChronoUnit.SECONDS).toString()});
    h.add(new String[] {"command", machine.commandLine()});
    h.add(
        new String[] {
          "machine",
          String.format(
                  Locale.ROOT,
                  "%d cores, %s %s, Java %s, %s on %s",
                  machine.cores(),
                  machine.osName(),
                  machine.osArch(),
                  machine.javaVersion(),
                  machine.engine(),
                  machine.device())
              + (machine.loadAverageStart() >= 0
                  ? String.format(
                      Locale.ROOT,
                      ", load average %.2f at start, %.2f at end",
                      machine.loadAverageStart(),
                      machine.loadAverageEnd())
                  : "")
        });
    h.add(
        new String[] {
          "model",
          String.format(
              Locale.ROOT, "%s, %,d parameters", model.description(), model.parameterCount())
        });
    h.add(new String[] {"config", model.config()});
    h.add(new String[] {"frames", frames});
    h.add(
        new String[] {
          "FLOPs",
          String.format(
              Locale.ROOT,
              "per pair: encode + quantise %s, decode %s, training step ~3 x (encode + decode) = %s",
              flops(encodeFlopsPerPair),
              flops(decodeFlopsPerPair),
              flops(trainFlopsPerPair))
        });
    return h;
  }

  private List<String[]> rows() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"measure", "result", "GFLOP/s", "% of peak", "goal"});
    rows.add(
        new String[] {
          String.format(Locale.ROOT, "one pair encode + quantise (%d calls)", singlePair.calls()),
          String.format(
              Locale.ROOT,
              "median %.3f ms, p90 %.3f ms",
              singlePair.medianMs(),
              singlePair.p90Ms()),
          gflops(singlePair.gflopPerS()),
          percent(singlePair.gflopPerS()),
          goal(singlePair.medianMs() <= SINGLE_PAIR_GOAL_MS, "median <= 2 ms")
        });
    for (Throughput t : labelling) {
      rows.add(
          new String[] {
            String.format(Locale.ROOT, "labelling (encode + quantise), batch %d", t.batchSize()),
            String.format(
                Locale.ROOT, "%,.0f pairs/s (%.2f ms/batch)", t.pairsPerS(), t.msPerCall()),
            gflops(t.gflopPerS()),
            percent(t.gflopPerS()),
            goal(t.pairsPerS() >= LABELLING_GOAL_PAIRS_PER_S, ">= 500 pairs/s")
          });
    }
    for (Throughput t : encodeDecode) {
      rows.add(
          new String[] {
            String.format(Locale.ROOT, "encode + decode (as eval), batch %d", t.batchSize()),
            String.format(
                Locale.ROOT, "%,.0f pairs/s (%.2f ms/batch)", t.pairsPerS(), t.msPerCall()),
            gflops(t.gflopPerS()),
            percent(t.gflopPerS()),
            "-"
          });
    }
    rows.add(
        new String[] {
          String.format(Locale.ROOT, "training step, batch %d", training.batchSize()),
          String.format(
              Locale.ROOT,
              "%.1f ms/step (%,.0f pairs/s)",
              training.msPerCall(),
              training.pairsPerS()),
          gflops(training.gflopPerS()),
          percent(training.gflopPerS()),
          "-"
        });
    rows.add(
        new String[] {
          String.format(
              Locale.ROOT,
              "fp32 matmul %d^3 peak (%d calls)",
              matmulPeak.side(),
              matmulPeak.calls()),
          "same process, same device",
          gflops(matmulPeak.gflopPerS()),
          "100%",
          "-"
        });
    return rows;
  }

  private String percent(double gflopPerS) {
    return String.format(Locale.ROOT, "%.1f%%", percentOfPeak(gflopPerS));
  }

  private static String gflops(double gflopPerS) {
    return String.format(Locale.ROOT, "%.2f", gflopPerS);
  }

  private static String goal(boolean met, String what) {
    return what + (met ? ": met" : ": MISSED");
  }

  private static String flops(long f) {
    if (f >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.2f MFLOP", f / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f kFLOP", f / 1e3);
  }
}
