package mantis.latent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import mantis.sim.Embodiment;
import mantis.sim.ScriptedExpert;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.video.VideoDatasetRecorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoDatasetTest {
  @TempDir static Path dir;
  static Path data;
  static VideoDatasetRecorder recorder;

  @BeforeAll
  static void recordTinyDataset() throws Exception {
    data = dir.resolve("tiny");
    recorder =
        VideoDatasetRecorder.builder()
            .setOut(data)
            .optEpisodes(8)
            .optFirstSeed(900)
            .optSizePx(24)
            .optFramesPerS(10)
            .optHorizonS(0.5)
            .optThreads(2)
            .optMaxEpisodeSeconds(4)
            .build();
    recorder.record();
  }

  @Test
  void pairsAreFrameTAndFrameTPlusHOfTheSimRender() throws Exception {
    try (VideoDataset ds = VideoDataset.open(data)) {
      assertEquals(24, ds.widthPx());
      assertEquals(5, ds.horizonFrames());
      assertEquals(10, ds.framesPerS());
      assertEquals(8, ds.episodes().size());
      VideoEpisode e =
          ds.episodes().stream().filter(x -> x.pairCount(5) > 0).findFirst().orElseThrow();
      // Replay the episode in the simulator: frame i of the dataset is the render at physics step 5
      // i.
      Embodiment emb = Embodiment.valueOf(e.embodiment());
      TabletopSim sim = TabletopSim.create(recorder.simConfig(emb));
      sim.reset(e.seed(), TaskFamily.valueOf(e.family()));
      ScriptedExpert expert = new ScriptedExpert();
      List<byte[]> rendered = new java.util.ArrayList<>();
      while (true) {
        if (sim.stepCount() % 5 == 0) {
          rendered.add(sim.render(24, 24).rgbUnsafe());
        }
        if (sim.done()) {
          break;
        }
        double[] a = expert.act(sim);
        if (emb == Embodiment.ARM) {
          sim.step(a);
        } else {
          sim.stepHand(a[0], a[1]);
        }
      }
      assertEquals(rendered.size(), e.frameCount());
      PairSet all = ds.allPairs();
      for (int t = 0; t < e.pairCount(5); t++) {
        FramePair p = all.read(new PairRef(e.index(), t));
        assertArrayEquals(rendered.get(t), p.first(), "frame t = " + t);
        assertArrayEquals(rendered.get(t + 5), p.second(), "frame t + H = " + (t + 5));
      }
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> ds.readPair(new PairRef(e.index(), e.pairCount(5))));
      long total = ds.episodes().stream().mapToLong(x -> x.pairCount(5)).sum();
      assertEquals(total, all.size());
    }
  }

  @Test
  void shufflingIsSeededAndSplitIsByEpisode() throws Exception {
    try (VideoDataset ds = VideoDataset.open(data)) {
      PairSet all = ds.allPairs();
      assertEquals(all.shuffled(7), all.shuffled(7));
      assertNotEquals(all.shuffled(7), all.shuffled(8));
      assertEquals(new HashSet<>(all.pairs()), new HashSet<>(all.shuffled(7)));
      VideoDataset.Split split = ds.split(0.5, 1);
      Set<Integer> trainEpisodes = new HashSet<>();
      split.train().pairs().forEach(p -> trainEpisodes.add(p.episodeIndex()));
      for (PairRef p : split.heldOut().pairs()) {
        assertFalse(trainEpisodes.contains(p.episodeIndex()), "episode in both parts: " + p);
        assertTrue(VideoDataset.isHeldOut(ds.episodes().get(p.episodeIndex()).seed(), 0.5, 1));
      }
      assertEquals(all.size(), split.train().size() + split.heldOut().size());
      assertEquals(0, ds.split(0, 1).heldOut().size());
      Iterator<FramePair> it = split.train().iterator(3);
      int n = 0;
      while (it.hasNext()) {
        FramePair p = it.next();
        assertEquals(ds.bytesPerFrame(), p.first().length);
        n++;
      }
      assertEquals(split.train().size(), n);
      float[] f = FramePair.toFloats(new byte[] {0, (byte) 255, (byte) 128});
      assertArrayEquals(new float[] {0f, 1f, 128 / 255f}, f);
      assertThrows(IllegalArgumentException.class, () -> ds.split(1.5, 1));
    }
  }

  @Test
  void withheldTruthIsConsistentWithTheFrames() throws Exception {
    WithheldTruth truth = WithheldTruth.open(data);
    try (VideoDataset ds = VideoDataset.open(data)) {
      assertEquals(ds.episodes().size(), truth.episodeCount());
      int moving = 0;
      for (VideoEpisode e : ds.episodes()) {
        EpisodeTruth t = truth.episode(e.index());
        assertEquals(e.seed(), t.seed());
        assertEquals(e.embodiment(), t.embodiment());
        assertEquals(e.frameCount(), t.frameCount());
        assertEquals(e.pairCount(5), t.pairCount());
        for (int i = 0; i < e.frameCount(); i++) {
          assertEquals(5L * i, t.physicsStep()[i]);
          assertEquals(e.embodiment().equals("ARM") ? 3 : 0, t.jointPositionsRad()[i].length);
          int actionLen = e.embodiment().equals("ARM") ? 3 : 2;
          // Only the episode's final state (when it falls on a frame) has no action.
          boolean finalFrame = i == e.frameCount() - 1 && t.action()[i].length == 0;
          assertEquals(finalFrame ? 0 : actionLen, t.action()[i].length);
        }
        for (int p = 0; p < t.pairCount(); p++) {
          double dx = t.effectorXM()[p + 5] - t.effectorXM()[p];
          double dy = t.effectorYM()[p + 5] - t.effectorYM()[p];
          assertEquals(dx, t.pairDxM()[p], 1e-12);
          assertEquals(dy, t.pairDyM()[p], 1e-12);
          int bin = truth.directionBin(new PairRef(e.index(), p));
          if (Math.hypot(dx, dy) > 0.01) {
            moving++;
            double ang = Math.toDegrees(Math.atan2(dy, dx));
            double centre = bin * 45.0;
            double diff = Math.abs(((ang - centre) % 360 + 540) % 360 - 180);
            assertTrue(diff <= 22.5 + 1e-9, "bin " + bin + " for angle " + ang);
            // Pixel motion agrees with the table motion: image x = table x, image y = -table y.
            double dxPx = t.effectorXPx()[p + 5] - t.effectorXPx()[p];
            double dyPx = t.effectorYPx()[p + 5] - t.effectorYPx()[p];
            assertTrue(dxPx * dx + dyPx * -dy > 0, "pixel motion follows table motion");
          }
        }
      }
      assertTrue(moving > 0, "some pairs move");
    }
  }

  @Test
  void missingOrIncompleteDatasetsAreRefusedClearly() throws IOException {
    IOException e =
        assertThrows(IOException.class, () -> VideoDataset.open(dir.resolve("nowhere")));
    assertTrue(e.getMessage().contains("dataset.json missing"), e.getMessage());
    Path bad = dir.resolve("bad");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("dataset.json"), "{\"formatVersion\":2,\"complete\":true}");
    e = assertThrows(IOException.class, () -> VideoDataset.open(bad));
    assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    try (VideoDataset ds = VideoDataset.open(data)) {
      assertThrows(IllegalArgumentException.class, () -> ds.readFrame(0, 0, new byte[3]));
    }
  }
}
