package mantis.latent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import mantis.latent.data.PairRef;
import mantis.latent.data.PairSet;
import mantis.latent.data.VideoDataset;
import mantis.sim.video.VideoDatasetRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentTrainerTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  static VideoDataset dataset;

  /**
   * One episode's pairs: few enough that 8-pair batches cross epoch boundaries within a few steps.
   */
  static PairSet small;

  static final LatentActionConfig TINY =
      LatentActionConfig.builder()
          .optInputSizePx(16)
          .optWidths(4, 8, 8)
          .optTokens(2)
          .optCodebookSize(4)
          .optCodeDim(4)
          .optDeadCodeWindowSteps(2)
          .optSeed(11)
          .build();

  @BeforeAll
  static void recordTinyDataset() throws Exception {
    Path data = shared.resolve("tiny");
    VideoDatasetRecorder.builder()
        .setOut(data)
        .optEpisodes(4)
        .optFirstSeed(40)
        .optSizePx(16)
        .optMaxEpisodeSeconds(3)
        .optThreads(1)
        .build()
        .record();
    dataset = VideoDataset.open(data);
    int first =
        dataset.episodes().stream()
            .filter(e -> e.pairCount(dataset.horizonFrames()) > 0)
            .findFirst()
            .orElseThrow()
            .index();
    small = dataset.pairs(e -> e.index() == first);
  }

  @AfterAll
  static void closeDataset() {
    dataset.close();
  }

  private static LatentTrainer.Builder trainer(LatentActionModel m, long steps, Path ckpt) {
    return LatentTrainer.builder()
        .setModel(m)
        .setPairs(small)
        .setDataset(dataset)
        .setSteps(steps)
        .optBatchSize(8)
        .optShuffleSeed(5)
        .optCheckpointDir(ckpt)
        .optCheckpointEverySteps(3);
  }

  private static List<String> csv(Path ckpt) throws IOException {
    return Files.readAllLines(ckpt.resolve(LatentTrainer.LOSS_CSV), StandardCharsets.UTF_8);
  }

  /** The csv rows without the elapsed-time column, which differs between runs. */
  private static List<String> lossesOnly(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      out.add(l.substring(0, l.lastIndexOf(',')));
    }
    return out;
  }

  @Tag("slow")
  @Test
  void stopAtKThenLoadAndResumeGivesBitIdenticalParametersToAStraightRun() throws Exception {
    int n = 2 * small.size() / 8 + 3; // crosses at least two epoch boundaries
    Path straight = dir.resolve("straight");
    Map<String, float[]> expected;
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      TrainSummary s = trainer(m, n, straight).build().run();
      assertEquals(0, s.firstStep());
      assertEquals(n, s.lastStep());
      assertFalse(s.stopped());
      expected = m.parameterValues();
    }
    Path resumed = dir.resolve("resumed");
    int k = 4;
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      assertEquals(k, trainer(m, k, resumed).build().run().lastStep());
    }
    Map<String, float[]> actual;
    try (LatentActionModel m = LatentActionModel.load(resumed)) {
      assertEquals(k, m.stepCount());
      TrainSummary s = trainer(m, n, resumed).build().run();
      assertEquals(k, s.firstStep());
      assertEquals(n, s.lastStep());
      actual = m.parameterValues();
    }
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name), actual.get(name), 0f, name);
    }
    assertEquals(lossesOnly(csv(straight)), lossesOnly(csv(resumed)));
    TrainerState state = TrainerState.read(resumed);
    assertEquals(n, state.step());
    assertEquals(8, state.batchSize());
    assertEquals(5, state.shuffleSeed());
    assertEquals(dataset.directory().toAbsolutePath().toString(), state.dataDir());
  }

  @Tag("slow")
  @Test
  void resumingDropsRowsWrittenAfterTheCheckpointSoNoStepAppearsTwice() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      trainer(m, 4, ckpt).build().run();
    }
    // A run killed after its step-4 checkpoint had already logged steps 5 to 7.
    Files.writeString(
        ckpt.resolve(LatentTrainer.LOSS_CSV),
        "5,9,9,9,9,1,0,1.0\n6,9,9,9,9,1,0,1.1\n7,9,9,9,9,1,0,1.2\n",
        StandardOpenOption.APPEND);
    try (LatentActionModel m = LatentActionModel.load(ckpt)) {
      trainer(m, 6, ckpt).build().run();
    }
    List<String> lines = csv(ckpt);
    assertEquals(LossLog.HEADER, lines.get(0));
    List<Long> steps = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      steps.add(Long.parseLong(l.split(",")[0]));
      assertFalse(l.startsWith("5,9,9") || l.startsWith("6,9,9"), "stale row kept: " + l);
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);
    double previous = -1;
    for (String l : lines.subList(1, lines.size())) {
      double elapsed = Double.parseDouble(l.substring(l.lastIndexOf(',') + 1));
      assertTrue(elapsed >= previous, "elapsed time goes on across the resume: " + lines);
      previous = elapsed;
    }
  }

  @Test
  void lossPlotIsAValidPngOfTheExpectedSizeWithBothCurves() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      trainer(m, 5, ckpt).build().run();
    }
    BufferedImage img = ImageIO.read(ckpt.resolve(LatentTrainer.LOSS_PNG).toFile());
    assertEquals(LossPlot.DEFAULT_WIDTH_PX, img.getWidth());
    assertEquals(LossPlot.DEFAULT_HEIGHT_PX, img.getHeight());
    int blue = 0;
    int orange = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        blue += (b > 150 && r < 80) ? 1 : 0;
        orange += (r > 200 && g > 90 && g < 150 && b < 60) ? 1 : 0;
      }
    }
    assertTrue(blue > 100, "reconstruction curve drawn: " + blue + " blue pixels");
    assertTrue(orange > 100, "perplexity curve drawn: " + orange + " orange pixels");
    assertFalse(Files.exists(ckpt.resolve(LatentTrainer.LOSS_PNG + ".tmp")));
  }

  @Test
  void aStopRequestEndsTheRunWithACheckpointOfTheStepsDone() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    List<Long> checkpoints = new ArrayList<>();
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      LatentTrainer[] t = new LatentTrainer[1];
      t[0] =
          trainer(m, 100, ckpt)
              .optListener(
                  new TrainListener() {
                    @Override
                    public void onStep(StepReport r) {
                      if (r.step() == 2) {
                        t[0].requestStop();
                      }
                    }

                    @Override
                    public void onCheckpoint(long step, Path where) {
                      checkpoints.add(step);
                    }
                  })
              .build();
      TrainSummary s = t[0].run();
      assertTrue(s.stopped());
      assertEquals(2, s.lastStep());
      assertEquals(2, s.steps());
    }
    assertEquals(List.of(2L), checkpoints);
    try (LatentActionModel m = LatentActionModel.load(ckpt)) {
      assertEquals(2, m.stepCount());
    }
    assertEquals(100, TrainerState.read(ckpt).totalSteps());
    assertEquals(2, TrainerState.read(ckpt).step());
  }

  @Test
  void theBatchOfAStepDependsOnlyOnTheSeedAndTheStepAndWrapsAcrossEpochs() {
    BatchSchedule a = new BatchSchedule(small, 5, 8);
    BatchSchedule b = new BatchSchedule(small, 5, 8);
    int n = small.size();
    List<PairRef> flat = new ArrayList<>();
    for (long s = 0; s < 3L * n; s++) {
      flat.addAll(a.batch(s));
    }
    // b is asked out of order, from a later step first, as a resumed run would.
    assertEquals(a.batch(2L * n), b.batch(2L * n));
    assertEquals(flat.subList(8, 16), b.batch(1));
    for (int e = 0; e < 3; e++) {
      assertEquals(small.shuffled(5 + e), flat.subList(e * n, (e + 1) * n), "epoch " + e);
    }
    Set<PairRef> epoch0 = new HashSet<>(flat.subList(0, n));
    assertEquals(n, epoch0.size());
    assertTrue(!small.shuffled(5).equals(small.shuffled(6)));
  }

  @Test
  void aFrameSizeMismatchIsRefused() {
    try (LatentActionModel m =
        LatentActionModel.create(TINY.toBuilder().optInputSizePx(24).build())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> trainer(m, 1, dir).build());
      assertTrue(e.getMessage().contains("16x16 frames, the model takes 24x24"), e.getMessage());
    }
  }

  @Test
  void labelsEveryPairWithTheModelsTokens() throws Exception {
    Path out = dir.resolve("tokens.csv");
    try (LatentActionModel m = LatentActionModel.create(TINY)) {
      List<Long> progress = new ArrayList<>();
      LatentLabeler.Summary s =
          LatentLabeler.builder()
              .setModel(m)
              .setDataset(dataset)
              .optBatchSize(7)
              .optProgress(progress::add)
              .build()
              .writeCsv(out);
      PairSet all = dataset.allPairs();
      assertEquals(all.size(), s.pairs());
      assertEquals(all.size(), progress.get(progress.size() - 1));
      List<String> lines = Files.readAllLines(out);
      assertEquals("episode,t,embodiment,token0,token1", lines.get(0));
      assertEquals(all.size() + 1, lines.size());
      for (int i : new int[] {0, all.size() / 2, all.size() - 1}) {
        PairRef ref = all.get(i);
        var pair = all.read(ref);
        int[] tokens =
            m.encode(
                mantis.core.Frame.wrapRgb(16, 16, pair.first()),
                mantis.core.Frame.wrapRgb(16, 16, pair.second()));
        assertEquals(
            ref.episodeIndex()
                + ","
                + ref.t()
                + ","
                + dataset.episodes().get(ref.episodeIndex()).embodiment()
                + ","
                + tokens[0]
                + ","
                + tokens[1],
            lines.get(i + 1));
      }
      Set<String> embodiments = new HashSet<>();
      for (String l : lines.subList(1, lines.size())) {
        embodiments.add(l.split(",")[2]);
      }
      assertEquals(Set.of("ARM", "HAND"), embodiments);
    }
  }

  @Test
  void configurationPropertiesCanBeOverriddenByName() {
    LatentActionConfig c =
        LatentConfigs.withOverrides(
            LatentActionConfig.builder().build(),
            Map.of("widths", "4,8,8", "learningRate", "0.01", "tokens", "3"));
    assertArrayEquals(new int[] {4, 8, 8}, c.widths());
    assertEquals(0.01f, c.learningRate());
    assertEquals(3, c.tokens());
    assertEquals("4,8,8", c.toProperties().getProperty("widths"));
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> LatentConfigs.withOverrides(c, Map.of("width", "4,8,8")));
    assertTrue(
        unknown.getMessage().contains("unknown latent model setting 'width'")
            && unknown.getMessage().contains("widths"),
        unknown.getMessage());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> LatentConfigs.withOverrides(c, Map.of("tokens", "0")));
    assertTrue(bad.getMessage().contains("tokens must be in [1, 64]"), bad.getMessage());
  }
}
