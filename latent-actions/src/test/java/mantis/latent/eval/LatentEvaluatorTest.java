package mantis.latent.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import mantis.latent.data.VideoDataset;
import mantis.latent.data.WithheldTruth;
import mantis.sim.video.VideoDatasetRecorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentEvaluatorTest {
  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void recordTinyDataset() throws Exception {
    data = dir.resolve("tiny");
    VideoDatasetRecorder.builder()
        .setOut(data)
        .optEpisodes(12)
        .optFirstSeed(4000)
        .optSizePx(16)
        .optFramesPerS(10)
        .optHorizonS(0.5)
        .optThreads(2)
        .optMaxEpisodeSeconds(4)
        .build()
        .record();
  }

  private static LatentActionConfig tiny() {
    return LatentActionConfig.builder()
        .optInputSizePx(16)
        .optWidths(4, 8, 8)
        .optCodeDim(4)
        .optSeed(1)
        .build();
  }

  @Test
  void anUntrainedModelIsScoredAgainstTheCopyBaselineWithUsageAndAProbe() throws Exception {
    try (VideoDataset ds = VideoDataset.open(data);
        LatentActionModel model = LatentActionModel.create(tiny())) {
      WithheldTruth truth = WithheldTruth.open(data);
      long[] lastProgress = {0};
      LatentEvalReport r =
          LatentEvaluator.builder()
              .setModel(model)
              .setDataset(ds)
              .setTruth(truth)
              .optBatchSize(64)
              .optProgress(n -> lastProgress[0] = n)
              .build()
              .evaluate();
      assertEquals(ds.allPairs().size(), r.pairs());
      assertEquals(r.pairs(), lastProgress[0]);
      LatentEvalReport.Part all = r.byEmbodiment().get("ALL");
      assertEquals(r.pairs(), all.pairs());
      assertEquals(
          r.pairs(), r.byEmbodiment().get("ARM").pairs() + r.byEmbodiment().get("HAND").pairs());
      long tokens = java.util.Arrays.stream(all.codeUsage()).sum();
      assertEquals(4L * r.pairs(), tokens);
      assertTrue(all.perplexity() >= 1 && all.perplexity() <= 8, "perplexity " + all.perplexity());
      assertTrue(
          all.movingPixelFraction() > 0 && all.movingPixelFraction() < 0.5,
          "moving " + all.movingPixelFraction());
      assertTrue(
          all.copyMovingMse() > all.copyMse(), "moving pixels change more than the average pixel");
      // the copy baseline and the moving fraction, recomputed independently from the raw frames
      double copy = 0;
      long moving = 0;
      long pixels = 0;
      for (mantis.latent.data.PairRef ref : ds.allPairs().pairs()) {
        mantis.latent.data.FramePair p = ds.readPair(ref);
        for (int i = 0; i < p.first().length; i += 3) {
          int maxChange = 0;
          double sq = 0;
          for (int c = 0; c < 3; c++) {
            int d = (p.second()[i + c] & 0xFF) - (p.first()[i + c] & 0xFF);
            maxChange = Math.max(maxChange, Math.abs(d));
            sq += (d / 255.0) * (d / 255.0);
          }
          pixels++;
          if (maxChange / 255.0 > 0.1) {
            moving++;
            copy += sq / 3;
          }
        }
      }
      assertEquals((double) moving / pixels, all.movingPixelFraction(), 1e-12);
      assertEquals(copy / moving, all.copyMovingMse(), 1e-6 * copy / moving);
      assertTrue(
          all.modelMovingMse() > 0 && Double.isFinite(all.movingRatio()),
          "ratio " + all.movingRatio());
      assertTrue(r.probe().rows() > 0 && r.probeFitPairs() > 0);
      assertTrue(r.toText().contains("probe (ARM direction"), r.toText());
      assertTrue(r.toJson().startsWith("{\"pairs\":" + r.pairs()), r.toJson());
    }
  }

  @Test
  void aDatasetOfAnotherFrameSizeIsRefused() throws Exception {
    LatentActionConfig big = tiny().toBuilder().optInputSizePx(32).build();
    try (VideoDataset ds = VideoDataset.open(data);
        LatentActionModel model = LatentActionModel.create(big)) {
      WithheldTruth truth = WithheldTruth.open(data);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  LatentEvaluator.builder()
                      .setModel(model)
                      .setDataset(ds)
                      .setTruth(truth)
                      .build()
                      .evaluate());
      assertTrue(
          e.getMessage().contains("16x16") && e.getMessage().contains("32x32"), e.getMessage());
    }
  }

  @Test
  void missingPartsAndBadOptionsAreRefused() {
    assertThrows(NullPointerException.class, () -> LatentEvaluator.builder().build());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LatentEvaluator.builder().optProbeEmbodiment("TENTACLE").build());
    assertTrue(e.getMessage().contains("TENTACLE"), e.getMessage());
  }
}
