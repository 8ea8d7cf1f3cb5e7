package mantis.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mantis.core.CollectorStorm;
import mantis.core.Frame;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentActionModelTest {

  private static LatentActionConfig small(long seed) {
    return LatentActionConfig.builder()
        .optInputSizePx(32)
        .optWidths(8, 16, 32)
        .optTokens(2)
        .optCodebookSize(8)
        .optCodeDim(8)
        .optLearningRate(2e-3f)
        .optDeadCodeWindowSteps(10)
        .optSeed(seed)
        .build();
  }

  @Tag("slow")
  @Test
  void shortTrainingLowersTheLossAndKeepsEveryCodeInUse() {
    MovingSquares data = new MovingSquares(32, 1);
    try (LatentActionModel model = LatentActionModel.create(small(7))) {
      float first = 0;
      float last = 0;
      float lastPerplexity = 0;
      int replaced = 0;
      int steps = 150;
      for (int i = 0; i < steps; i++) {
        TrainStepResult r = model.trainStep(data.batch(32, null));
        assertTrue(Float.isFinite(r.totalLoss()), "loss is finite at step " + r.step());
        if (i < 5) {
          first += r.reconstructionLoss() / 5;
        }
        if (i >= steps - 5) {
          last += r.reconstructionLoss() / 5;
          lastPerplexity += r.perplexity() / 5;
        }
        replaced += r.replacedCodes();
      }
      System.err.printf(
          "recon %.5f -> %.5f, perplexity %.2f, replaced %d%n",
          first, last, lastPerplexity, replaced);
      assertTrue(last < 0.7f * first, "reconstruction loss fell from " + first + " to " + last);
      assertEquals(steps, model.stepCount());
      // every code is used on a fresh batch
      int[][] tokens = model.encode(data.batch(256, null));
      int[] hist = new int[8];
      for (int[] t : tokens) {
        for (int k : t) {
          hist[k]++;
        }
      }
      for (int k = 0; k < 8; k++) {
        assertTrue(
            hist[k] > 0, "code " + k + " unused; histogram " + java.util.Arrays.toString(hist));
      }
      assertTrue(
          lastPerplexity > 5.0f, "batch perplexity " + lastPerplexity + " should be close to 8");
    }
  }

  @Tag("slow")
  @Test
  void saveThenLoadGivesBitIdenticalParametersTokensAndReconstructions(@TempDir Path dir)
      throws Exception {
    MovingSquares data = new MovingSquares(32, 2);
    FramePairs probe = data.batch(16, null);
    try (LatentActionModel model = LatentActionModel.create(small(3))) {
      for (int i = 0; i < 12; i++) {
        model.trainStep(data.batch(16, null));
      }
      model.save(dir);
      try (LatentActionModel loaded = LatentActionModel.load(dir)) {
        assertEquals(model.config(), loaded.config());
        assertEquals(model.stepCount(), loaded.stepCount());
        Map<String, float[]> a = model.parameterValues();
        Map<String, float[]> b = loaded.parameterValues();
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
          assertArrayEquals(a.get(name), b.get(name), 0f, "parameter " + name);
        }
        assertArrayEquals(model.codebook(), loaded.codebook());
        int[][] ta = model.encode(probe);
        assertArrayEquals(ta, loaded.encode(probe));
        float[] ra = model.reconstructPixels(probe.framesT().get(0), ta[0]);
        float[] rb = loaded.reconstructPixels(probe.framesT().get(0), ta[0]);
        assertEquals(ra.length, rb.length);
        for (int i = 0; i < ra.length; i++) {
          assertEquals(
              Float.floatToRawIntBits(ra[i]), Float.floatToRawIntBits(rb[i]), "pixel value " + i);
        }
        // resuming continues exactly like the uninterrupted model
        FramePairs next = data.batch(16, null);
        TrainStepResult r1 = model.trainStep(next);
        TrainStepResult r2 = loaded.trainStep(next);
        assertEquals(r1, r2);
      }
    }
  }

  @Tag("slow")
  @Test
  void everyModelVariantTrainsWithFiniteLossesAndRoundTripsThroughItsCheckpoint(@TempDir Path dir)
      throws Exception {
    LatentActionConfig base = small(11);
    List<LatentActionConfig> variants =
        List.of(
            base.toBuilder()
                .optDifferenceInput(true)
                .optMotionWeight(20f)
                .optShiftRadius(2)
                .optTokenGating(true)
                .optReverseFraction(0.5f)
                .optCodebookLearningRateScale(3f)
                .build(),
            base.toBuilder().optEncoderPooling(true).optLocalDecoder(true).build());
    MovingSquares data = new MovingSquares(32, 4);
    int i = 0;
    for (LatentActionConfig c : variants) {
      Path ckpt = dir.resolve("v" + i++);
      FramePairs probe = data.batch(8, null);
      try (LatentActionModel m = LatentActionModel.create(c)) {
        for (int s = 0; s < 4; s++) {
          TrainStepResult r = m.trainStep(data.batch(8, null));
          assertTrue(Float.isFinite(r.totalLoss()) && r.reconstructionLoss() > 0, c + ": " + r);
        }
        m.save(ckpt);
        try (LatentActionModel back = LatentActionModel.load(ckpt)) {
          assertEquals(c, back.config());
          assertArrayEquals(m.encode(probe), back.encode(probe));
          int[] tokens = m.encode(probe)[0];
          assertArrayEquals(
              m.reconstructPixels(probe.framesT().get(0), tokens),
              back.reconstructPixels(probe.framesT().get(0), tokens));
          assertEquals(m.stepCount(), back.stepCount());
        }
      }
    }
  }

  @Test
  void batchReconstructionEqualsOnePairAtATime() {
    MovingSquares data = new MovingSquares(32, 5);
    try (LatentActionModel m = LatentActionModel.create(small(3))) {
      FramePairs pairs = data.batch(5, null);
      int[][] tokens = m.encode(pairs);
      float[][] batch = m.reconstructPixels(pairs.framesT(), tokens);
      for (int k = 0; k < 5; k++) {
        float[] one = m.reconstructPixels(pairs.framesT().get(k), tokens[k]);
        for (int j = 0; j < one.length; j++) {
          assertEquals(one[j], batch[k][j], 1e-5f, "pair " + k + " value " + j);
        }
      }
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> m.reconstructPixels(pairs.framesT(), new int[4][]));
      assertTrue(e.getMessage().contains("one token row per frame"), e.getMessage());
    }
  }

  @Test
  void theSameSeedGivesIdenticalTokensAndLosses() {
    FramePairs batch = new MovingSquares(32, 5).batch(16, null);
    try (LatentActionModel a = LatentActionModel.create(small(11));
        LatentActionModel b = LatentActionModel.create(small(11));
        LatentActionModel c = LatentActionModel.create(small(12))) {
      assertArrayEquals(a.encode(batch), b.encode(batch));
      assertEquals(a.trainStep(batch), b.trainStep(batch));
      assertArrayEquals(a.encode(batch), b.encode(batch));
      assertTrue(
          !java.util.Arrays.equals(
              a.parameterValues().get("enc.c1.w"), c.parameterValues().get("enc.c1.w")),
          "a different seed gives different weights");
    }
  }

  /**
   * DJL's {@code mul(Number)} and {@code maximum(Number)} put the number in a Java direct buffer
   * that autograd still reads in the backward pass; a collection in between freed it and training
   * went a different way (see {@link GraphConstants}). A thread collecting and reallocating small
   * buffers all the time made 9 of 10 runs differ before the fix.
   */
  @Tag("slow")
  @Test
  void trainingIsTheSameWhileTheGarbageCollectorRunsDuringEveryStep() throws Exception {
    MovingSquares data = new MovingSquares(32, 6);
    List<FramePairs> batches = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batches.add(data.batch(8, null));
    }
    Map<String, float[]> quiet = trainedWeights(batches);
    for (int run = 0; run < 3; run++) {
      Map<String, float[]> stormy;
      try (CollectorStorm storm = CollectorStorm.start()) {
        stormy = trainedWeights(batches);
        assertTrue(storm.collections() > 0, "the storm collected while training");
      }
      for (String name : quiet.keySet()) {
        assertArrayEquals(quiet.get(name), stormy.get(name), 0f, "run " + run + ": " + name);
      }
    }
  }

  private static Map<String, float[]> trainedWeights(List<FramePairs> batches) {
    try (LatentActionModel m = LatentActionModel.create(small(13))) {
      for (FramePairs b : batches) {
        m.trainStep(b);
      }
      return m.parameterValues();
    }
  }

  @Test
  void wrongShapesAndTokensAreRefusedWithClearMessages() {
    try (LatentActionModel model = LatentActionModel.create(small(1))) {
      Frame ok = Frame.ofRgb(32, 32, new byte[32 * 32 * 3]);
      Frame big = Frame.ofRgb(64, 48, new byte[64 * 48 * 3]);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> model.encode(ok, big));
      assertTrue(
          e.getMessage().contains("framesTPlusH[0] is 64x48") && e.getMessage().contains("32x32"),
          e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.encode(new FramePairs(List.of(ok, ok), List.of(ok))));
      assertTrue(e.getMessage().contains("pair up"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new FramePairs(List.of(), List.of()));
      assertTrue(e.getMessage().contains("at least one"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class, () -> model.reconstruct(ok, new int[] {1, 2, 3}));
      assertTrue(e.getMessage().contains("expected 2 tokens, got 3"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class, () -> model.reconstruct(ok, new int[] {1, 8}));
      assertTrue(e.getMessage().contains("token 1 is 8"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.trainStep(new FramePairs(List.of(big), List.of(ok))));
      assertTrue(e.getMessage().contains("framesT[0] is 64x48"), e.getMessage());
      Frame rebuilt = model.reconstruct(ok, new int[] {0, 7});
      assertEquals(32, rebuilt.widthPx());
    }
  }

  @Test
  void aClosedModelRefusesWork() {
    LatentActionModel model = LatentActionModel.create(small(1));
    model.close();
    Frame ok = Frame.ofRgb(32, 32, new byte[32 * 32 * 3]);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.encode(ok, ok));
    assertTrue(e.getMessage().contains("closed"));
  }

  @Test
  void loadingAMissingOrCorruptCheckpointFailsClearly(@TempDir Path dir) throws Exception {
    assertThrows(java.io.IOException.class, () -> LatentActionModel.load(dir.resolve("nothing")));
    try (LatentActionModel model = LatentActionModel.create(small(1))) {
      model.save(dir);
    }
    java.nio.file.Files.writeString(dir.resolve("weights.bin"), "garbage!");
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> LatentActionModel.load(dir));
    assertTrue(e.getMessage().contains("not a Mantis latent action weights file"), e.getMessage());
  }

  @Test
  void flopCountsFollowTheLayerShapes() {
    LatentActionConfig c = LatentActionConfig.builder().build();
    // encoder at 64x64, widths 16/32/64, 4 tokens x 16: convs 1.77M + 2.36M + 2.36M, fc 0.52M, VQ
    // 1.5k
    long expected =
        2L * 6 * 9 * 16 * 32 * 32
            + 2L * 16 * 9 * 32 * 16 * 16
            + 2L * 32 * 9 * 64 * 8 * 8
            + 2L * 64 * 64 * 8 * 8
            + 3L * 4 * 8 * 16;
    assertEquals(expected, LatentActionModel.encodeFlopsPerPair(c));
    assertTrue(LatentActionModel.decodeFlopsPerPair(c) > LatentActionModel.encodeFlopsPerPair(c));
  }
}
