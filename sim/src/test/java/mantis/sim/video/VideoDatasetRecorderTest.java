package mantis.sim.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mantis.sim.Embodiment;
import mantis.sim.ScriptedExpert;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.WorldState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoDatasetRecorderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir Path dir;

  private VideoDatasetRecorder tiny(Path out) {
    return VideoDatasetRecorder.builder()
        .setOut(out)
        .optEpisodes(6)
        .optFirstSeed(500)
        .optSizePx(32)
        .optFramesPerS(10)
        .optHorizonS(0.6)
        .optThreads(2)
        .optMaxEpisodeSeconds(4)
        .build();
  }

  @Test
  void framesAreBitIdenticalToTheSimRenderAndTruthMatchesTheGroundTruth() throws Exception {
    Path out = dir.resolve("ds");
    VideoDatasetRecorder rec = tiny(out);
    VideoDatasetRecorder.Summary s = rec.record();
    JsonNode index = MAPPER.readTree(out.resolve("dataset.json").toFile());
    assertEquals(6, s.episodes());
    assertEquals(6, rec.horizonFrames());
    assertEquals(6, index.path("horizonFrames").asInt());
    assertEquals(10, index.path("framesPerS").asInt());
    Map<Integer, JsonNode> truth = new HashMap<>();
    for (JsonNode sh : index.path("shards")) {
      for (String line :
          Files.readAllLines(out.resolve(sh.path("withheld").asText()), StandardCharsets.UTF_8)) {
        JsonNode t = MAPPER.readTree(line);
        truth.put(t.path("episode").asInt(), t);
      }
    }
    assertEquals(6, truth.size());
    long frames = 0;
    long pairs = 0;
    int bpf = 32 * 32 * 3;
    for (JsonNode e : index.path("episodes")) {
      int k = e.path("index").asInt();
      Embodiment emb = Embodiment.valueOf(e.path("embodiment").asText());
      assertEquals(k % 2 == 0 ? Embodiment.ARM : Embodiment.HAND, emb);
      assertEquals(500 + k, e.path("seed").asLong());
      byte[] shard =
          Files.readAllBytes(out.resolve(VideoDatasetRecorder.shardName(e.path("shard").asInt())));
      // Replay the episode and compare every stored frame and truth entry.
      TabletopSim sim = TabletopSim.create(rec.simConfig(emb));
      sim.reset(500 + k, TaskFamily.valueOf(e.path("family").asText()));
      ScriptedExpert expert = new ScriptedExpert();
      JsonNode t = truth.get(k);
      int n = e.path("frameCount").asInt();
      long first = e.path("firstFrame").asLong();
      int f = 0;
      while (true) {
        boolean end = sim.done();
        double[] a = end ? new double[0] : expert.act(sim);
        if (sim.stepCount() % 5 == 0) {
          byte[] expected = sim.render(32, 32).rgbUnsafe();
          int off = (int) ((first + f) * bpf);
          assertArrayEquals(
              expected, Arrays.copyOfRange(shard, off, off + bpf), "episode " + k + " frame " + f);
          WorldState ws = sim.groundTruth();
          assertEquals(ws.effectorXM(), t.path("effectorXM").get(f).asDouble(), 0.0);
          assertEquals(ws.effectorYM(), t.path("effectorYM").get(f).asDouble(), 0.0);
          assertEquals(sim.stepCount(), t.path("step").get(f).asLong());
          assertEquals(a.length, t.path("action").get(f).size());
          for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], t.path("action").get(f).get(i).asDouble(), 0.0);
          }
          double xPx = t.path("effectorXPx").get(f).asDouble();
          assertTrue(xPx > -5 && xPx < 37, "effector pixel inside the image: " + xPx);
          f++;
        }
        if (end) {
          break;
        }
        if (emb == Embodiment.ARM) {
          sim.step(a);
        } else {
          sim.stepHand(a[0], a[1]);
        }
      }
      assertEquals(n, f, "frame count of episode " + k);
      assertEquals(Math.max(0, n - 6), t.path("pairDirectionBin").size());
      for (int p = 0; p + 6 < n; p++) {
        double dx =
            t.path("effectorXM").get(p + 6).asDouble() - t.path("effectorXM").get(p).asDouble();
        double dy =
            t.path("effectorYM").get(p + 6).asDouble() - t.path("effectorYM").get(p).asDouble();
        assertEquals(dx, t.path("pairDxM").get(p).asDouble(), 1e-12);
        assertEquals(
            VideoDatasetRecorder.directionBin(dx, dy), t.path("pairDirectionBin").get(p).asInt());
      }
      frames += n;
      pairs += Math.max(0, n - 6);
    }
    assertEquals(frames, s.frames());
    assertEquals(pairs, s.pairs());
    assertTrue(pairs > 0);
    // The frame shards hold frames and nothing else; the index names no actions.
    long shardBytes = 0;
    for (JsonNode sh : index.path("shards")) {
      shardBytes += Files.size(out.resolve(sh.path("frames").asText()));
    }
    assertEquals(frames * bpf, shardBytes);
    String indexText = Files.readString(out.resolve("dataset.json"));
    assertFalse(indexText.contains("action"), indexText);
    assertFalse(indexText.contains("effector"), indexText);
  }

  @Test
  void recordingIsDeterministic() throws Exception {
    tiny(dir.resolve("a")).record();
    tiny(dir.resolve("b")).record();
    for (String f :
        List.of(
            "dataset.json",
            VideoDatasetRecorder.shardName(0),
            VideoDatasetRecorder.shardName(1),
            VideoDatasetRecorder.withheldName(0),
            VideoDatasetRecorder.withheldName(1))) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("a").resolve(f)),
          Files.readAllBytes(dir.resolve("b").resolve(f)),
          f);
    }
  }

  @Test
  void playEpisodesRunTheirWholeTimeDeterministicallyAndMoveInManyDirections() throws Exception {
    VideoDatasetRecorder.Builder b =
        VideoDatasetRecorder.builder()
            .optEpisodes(8)
            .optFirstSeed(700)
            .optSizePx(16)
            .optFramesPerS(10)
            .optHorizonS(0.6)
            .optThreads(2)
            .optMaxEpisodeSeconds(6)
            .optMotion(VideoDatasetRecorder.Motion.PLAY);
    b.setOut(dir.resolve("p1")).build().record();
    b.setOut(dir.resolve("p2")).build().record();
    for (String f :
        List.of(
            "dataset.json",
            VideoDatasetRecorder.shardName(0),
            VideoDatasetRecorder.withheldName(1))) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("p1").resolve(f)),
          Files.readAllBytes(dir.resolve("p2").resolve(f)),
          f);
    }
    JsonNode index = MAPPER.readTree(dir.resolve("p1").resolve("dataset.json").toFile());
    assertEquals("PLAY", index.path("motion").asText());
    int[] bins = new int[8];
    for (JsonNode e : index.path("episodes")) {
      // 6 s at 10 frames/s, plus the frame of the final state: play never ends early on success
      assertEquals(61, e.path("frameCount").asInt(), e.toString());
    }
    for (int shard = 0; shard < 2; shard++) {
      for (String line :
          Files.readAllLines(dir.resolve("p1").resolve(VideoDatasetRecorder.withheldName(shard)))) {
        for (JsonNode bin : MAPPER.readTree(line).path("pairDirectionBin")) {
          if (bin.asInt() >= 0) {
            bins[bin.asInt()]++;
          }
        }
      }
    }
    for (int k = 0; k < 8; k++) {
      assertTrue(
          bins[k] > 0, "direction bin " + k + " never seen in play data: " + Arrays.toString(bins));
    }
  }

  @Test
  void directionBinsFollowTheTableAxes() {
    assertEquals(0, VideoDatasetRecorder.directionBin(0.1, 0));
    assertEquals(1, VideoDatasetRecorder.directionBin(0.1, 0.1));
    assertEquals(2, VideoDatasetRecorder.directionBin(0, 0.1));
    assertEquals(4, VideoDatasetRecorder.directionBin(-0.1, 0.01));
    assertEquals(6, VideoDatasetRecorder.directionBin(0, -0.1));
    assertEquals(7, VideoDatasetRecorder.directionBin(0.1, -0.1));
    assertEquals(-1, VideoDatasetRecorder.directionBin(1e-6, 0));
  }

  @Test
  void badArgumentsAreRefusedClearly() throws IOException {
    Path out = dir.resolve("x");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VideoDatasetRecorder.builder().setOut(out).optFramesPerS(7).build());
    assertTrue(e.getMessage().contains("divide the physics rate"), e.getMessage());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VideoDatasetRecorder.builder().setOut(out).optEpisodes(0).build())
            .getMessage()
            .contains("episodes"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VideoDatasetRecorder.builder().setOut(out).optSizePx(4).build())
            .getMessage()
            .contains("frame size"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VideoDatasetRecorder.builder().setOut(out).optHorizonS(-1).build())
            .getMessage()
            .contains("horizon"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VideoDatasetRecorder.builder().setOut(out).optThreads(0).build())
            .getMessage()
            .contains("threads"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VideoDatasetRecorder.builder().optEpisodes(1).build())
            .getMessage()
            .contains("output"));
    Files.createDirectories(out);
    Files.writeString(out.resolve("dataset.json"), "{}");
    IOException io =
        assertThrows(
            IOException.class,
            () -> VideoDatasetRecorder.builder().setOut(out).optEpisodes(1).build().record());
    assertTrue(io.getMessage().contains("refusing to overwrite"), io.getMessage());
  }
}
