package mantis.latent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mantis.latent.FramePairs;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import org.junit.jupiter.api.Test;

class LatentBenchmarkTest {
  private static final LatentActionConfig TINY =
      LatentActionConfig.builder()
          .optInputSizePx(16)
          .optWidths(new int[] {4, 8, 8})
          .optTokens(2)
          .optCodebookSize(4)
          .optCodeDim(4)
          .build();

  private static LatentBenchmark.Builder quick(LatentActionModel m) {
    return LatentBenchmark.builder()
        .setModel(m)
        .optSingleCalls(20, 3)
        .optBatchSizes(4, 8)
        .optTrainBatchSize(4)
        .optRepetitions(1, 2, 0)
        .optMatmulSide(64);
  }

  private static void positiveFinite(double v, String what) {
    assertTrue(Double.isFinite(v) && v > 0, what + " = " + v);
  }

  @Test
  void tinyRunReturnsPositiveFiniteFiguresAndTheModelsFlops() {
    List<String> stages = new ArrayList<>();
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      LatentBenchResult r =
          quick(m).optCommandLine("test run").optListener(stages::add).build().run();
      assertEquals(LatentActionModel.encodeFlopsPerPair(TINY), r.encodeFlopsPerPair());
      assertEquals(LatentActionModel.decodeFlopsPerPair(TINY), r.decodeFlopsPerPair());
      assertEquals(3 * (r.encodeFlopsPerPair() + r.decodeFlopsPerPair()), r.trainFlopsPerPair());
      assertEquals(m.parameterCount(), r.model().parameterCount());
      assertEquals(16, r.model().inputSizePx());
      assertEquals(20, r.singlePair().calls());
      positiveFinite(r.singlePair().medianMs(), "median");
      assertTrue(r.singlePair().p90Ms() >= r.singlePair().medianMs(), r.singlePair().toString());
      positiveFinite(r.singlePair().gflopPerS(), "single GFLOP/s");
      assertEquals(
          List.of(4, 8),
          r.labelling().stream().map(LatentBenchResult.Throughput::batchSize).toList());
      assertEquals(
          List.of(4, 8),
          r.encodeDecode().stream().map(LatentBenchResult.Throughput::batchSize).toList());
      List<LatentBenchResult.Throughput> all = new ArrayList<>(r.labelling());
      all.addAll(r.encodeDecode());
      all.add(r.training());
      for (LatentBenchResult.Throughput t : all) {
        assertTrue(t.calls() >= 2, t.toString());
        positiveFinite(t.msPerCall(), "ms per call");
        positiveFinite(t.pairsPerS(), "pairs/s");
        assertEquals(t.batchSize() * 1000.0 / t.msPerCall(), t.pairsPerS(), 1e-6 * t.pairsPerS());
      }
      LatentBenchResult.Throughput label4 = r.labelling().get(0);
      assertEquals(
          label4.pairsPerS() * r.encodeFlopsPerPair() / 1e9,
          label4.gflopPerS(),
          1e-9 * label4.gflopPerS());
      LatentBenchResult.Throughput ed8 = r.encodeDecode().get(1);
      assertEquals(
          ed8.pairsPerS() * (r.encodeFlopsPerPair() + r.decodeFlopsPerPair()) / 1e9,
          ed8.gflopPerS(),
          1e-9 * ed8.gflopPerS());
      assertEquals(4, r.training().batchSize());
      assertEquals(3, m.stepCount(), "one warm-up and two timed training steps");
      assertEquals(64, r.matmulPeak().side());
      positiveFinite(r.matmulPeak().gflopPerS(), "peak");
      assertEquals(
          100 * label4.gflopPerS() / r.matmulPeak().gflopPerS(),
          r.percentOfPeak(label4.gflopPerS()),
          1e-9);
      assertEquals(7, stages.size(), stages.toString());
      assertTrue(r.frames().startsWith("synthetic"), r.frames());
      assertEquals("model at step 0", r.model().description());
      assertEquals(Runtime.getRuntime().availableProcessors(), r.machine().cores());
      assertEquals(m.deviceName(), r.machine().device());

      String table = r.toTable();
      assertTrue(table.contains("command   test run"), table);
      assertTrue(table.contains("one pair encode + quantise (20 calls)"), table);
      assertTrue(table.contains("labelling (encode + quantise), batch 8"), table);
      assertTrue(table.contains("encode + decode (as eval), batch 4"), table);
      assertTrue(table.contains("training step, batch 4"), table);
      assertTrue(table.contains("fp32 matmul 64^3 peak"), table);
      assertTrue(table.contains(System.getProperty("os.name")), table);
      String md = r.toMarkdown();
      assertTrue(md.contains("| measure | result | GFLOP/s | % of peak | goal |"), md);
      assertEquals(
          7,
          md.lines().filter(l -> l.startsWith("| ")).count() - 1,
          md); // header + 1 + 2 + 2 + 1 + 1
      assertTrue(md.contains("- machine: "), md);
    }
  }

  @Test
  void syntheticPairsAreSeededAndMove() {
    FramePairs a = LatentBenchmark.syntheticPairs(16, 5, 3);
    FramePairs b = LatentBenchmark.syntheticPairs(16, 5, 3);
    FramePairs c = LatentBenchmark.syntheticPairs(16, 5, 4);
    assertEquals(5, a.size());
    assertTrue(Arrays.equals(a.framesT().get(2).rgbUnsafe(), b.framesT().get(2).rgbUnsafe()));
    assertFalse(Arrays.equals(a.framesT().get(2).rgbUnsafe(), c.framesT().get(2).rgbUnsafe()));
    int moved = 0;
    for (int i = 0; i < a.size(); i++) {
      moved +=
          Arrays.equals(a.framesT().get(i).rgbUnsafe(), a.framesTPlusH().get(i).rgbUnsafe())
              ? 0
              : 1;
    }
    assertTrue(moved >= 3, "pairs that change: " + moved);
  }

  @Test
  void pairsOfAnotherSizeAndBadOptionsAreRefused() {
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> quick(m).optPairs(LatentBenchmark.syntheticPairs(32, 2, 1), "big").build());
      assertTrue(
          e.getMessage().contains("32x32") && e.getMessage().contains("16x16"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> quick(m).optBatchSizes().build());
      assertThrows(IllegalArgumentException.class, () -> quick(m).optSingleCalls(0, 0).build());
      assertThrows(IllegalArgumentException.class, () -> quick(m).optRepetitions(0, 0, 1).build());
      assertThrows(NullPointerException.class, () -> LatentBenchmark.builder().build());
      LatentBenchmark given =
          quick(m).optPairs(LatentBenchmark.syntheticPairs(16, 3, 1), "three pairs").build();
      assertEquals(8, given.pairsWanted());
    }
  }

  @Test
  void theMatmulPeakRunsAtLeastTheCallsAskedAndRefusesBadSizes() {
    LatentBenchResult.MatmulPeak peak = LatentBenchmark.matmulPeak(32, 1, 3, 0);
    assertEquals(32, peak.side());
    assertTrue(peak.calls() >= 3, peak.toString());
    positiveFinite(peak.gflopPerS(), "matmul GFLOP/s");
    assertThrows(IllegalArgumentException.class, () -> LatentBenchmark.matmulPeak(0, 1, 3, 0));
    assertThrows(IllegalArgumentException.class, () -> LatentBenchmark.matmulPeak(32, 1, 0, 0));
  }
}
