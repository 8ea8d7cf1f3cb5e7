package mantis.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mantis.core.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentActionModelTest {

  private static LatentActionConfig small(long seed) {
    return LatentActionConfig.builder().optInputSizePx(32).optWidths(8, 16, 32).optTokens(2).optCodebookSize(8)
        .optCodeDim(8).optLearningRate(2e-3f).optDeadCodeWindowSteps(10).optSeed(seed).build();
  }

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
      System.err.printf("recon %.5f -> %.5f, perplexity %.2f, replaced %d%n", first, last, lastPerplexity, replaced);
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
        assertTrue(hist[k] > 0, "code " + k + " unused; histogram " + java.util.Arrays.toString(hist));
      }
      assertTrue(lastPerplexity > 5.0f, "batch perplexity " + lastPerplexity + " should be close to 8");
    }
  }
}
