package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentBenchCommandTest {
  @TempDir static Path shared;
  static Path data;
  static Path tinyModel;

  /** Few repetitions so that a run takes a second or two. */
  static final String[] QUICK = {
    "--batches",
    "4,8",
    "--train-batch",
    "4",
    "--single-calls",
    "10",
    "--min-seconds",
    "0",
    "--matmul",
    "64"
  };

  @BeforeAll
  static void recordTinyDatasetAndModel() throws Exception {
    data = shared.resolve("ds");
    CliRun r =
        CliRun.of(
            "latent",
            "record",
            "--out",
            data.toString(),
            "--size",
            "16",
            "--episodes",
            "2",
            "--first-seed",
            "30");
    assertEquals(0, r.code(), r.err());
    tinyModel = shared.resolve("tiny");
    LatentActionConfig c =
        LatentActionConfig.builder()
            .optInputSizePx(16)
            .optWidths(4, 8, 8)
            .optTokens(2)
            .optCodebookSize(4)
            .optCodeDim(4)
            .build();
    try (LatentActionModel m = LatentActionModel.create(c)) {
      m.save(tinyModel);
    }
  }

  private static CliRun bench(String... more) {
    List<String> args = new ArrayList<>(List.of("latent", "bench"));
    args.addAll(List.of(more));
    args.addAll(List.of(QUICK));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Tag("slow")
  @Test
  void benchesATinyCheckpointOnDatasetFramesAndPrintsBothTables() {
    CliRun r = bench("--model", tinyModel.toString(), "--data", data.toString(), "--markdown");
    assertEquals(0, r.code(), r.err());
    String out = r.out();
    assertTrue(out.contains("command   mantis latent bench --model " + tinyModel), out);
    assertTrue(out.contains("model     checkpoint " + tinyModel + " (step 0)"), out);
    assertTrue(out.contains("frames    dataset " + data + ", first 8 pairs (16x16)"), out);
    assertTrue(
        out.contains(
            "machine   "
                + Runtime.getRuntime().availableProcessors()
                + " cores, "
                + System.getProperty("os.name")),
        out);
    assertTrue(out.contains("one pair encode + quantise (10 calls)"), out);
    assertTrue(out.contains("labelling (encode + quantise), batch 8"), out);
    assertTrue(out.contains("encode + decode (as eval), batch 4"), out);
    assertTrue(out.contains("training step, batch 4"), out);
    assertTrue(out.contains("fp32 matmul 64^3 peak"), out);
    assertTrue(out.contains("| measure | result | GFLOP/s | % of peak | goal |"), out);
    assertTrue(
        out.contains(
            String.format(
                java.util.Locale.ROOT,
                "encode + quantise %.1f kFLOP",
                LatentActionModel.encodeFlopsPerPair(
                        LatentActionConfig.builder()
                            .optInputSizePx(16)
                            .optWidths(4, 8, 8)
                            .optTokens(2)
                            .optCodebookSize(4)
                            .optCodeDim(4)
                            .build())
                    / 1e3)),
        out);
    assertTrue(r.err().contains("bench: training step, batch 4"), r.err());
  }

  @Test
  void aFrameSizeMismatchIsRefused() {
    CliRun r = bench("--data", data.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(
        r.err().contains("frame size mismatch")
            && r.err().contains("16x16")
            && r.err().contains("64x64"),
        r.err());
    assertTrue(r.out().isEmpty(), r.out());
  }

  @Test
  void badArgumentsAreRefusedClearly() {
    CliRun r = CliRun.of("latent", "bench", "--model", shared.resolve("nothing").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("holds no checkpoint"), r.err());
    r = CliRun.of("latent", "bench", "--batches", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--batches must be sizes in [1, 4096]"), r.err());
    r = CliRun.of("latent", "bench", "--threads", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--threads must be in [1, 256]"), r.err());
    r = CliRun.of("latent", "bench", "--data", shared.resolve("nothing").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--data"), r.err());
  }
}
