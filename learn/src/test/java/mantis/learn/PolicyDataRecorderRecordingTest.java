package mantis.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.latent.LatentActionModel;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.TaskFamily;
import mantis.sim.record.EpisodeMetadata;
import mantis.sim.record.EpisodeReader;
import mantis.sim.record.ObjectPose;
import mantis.sim.record.StepRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyDataRecorderRecordingTest {
  private final PolicyConfig config = PolicyConfig.defaults();
  @TempDir Path tmp;

  @Test
  void aRecordedArmEpisodeGivesExamplesLabelledFromItsStepsActionsAndObjects() {
    Path dir =
        RecordedEpisodes.record(
            tmp.resolve("ep"),
            Embodiment.ARM,
            500123,
            TaskFamily.PUSH_DIRECTION,
            23,
            2.0,
            5,
            1,
            128);
    EpisodeReader reader = EpisodeReader.open(dir);
    EpisodeMetadata meta = reader.metadata();
    List<StepRecord> steps;
    try (Stream<StepRecord> s = reader.steps()) {
      steps = s.toList();
    }
    List<PolicyExample> ex = new PolicyDataRecorder(config, null).fromRecording(dir);
    long first = steps.get(0).step();
    assertTrue(first > 0, "recording started mid-episode");
    long onGrid = steps.stream().filter(r -> (r.step() - first) % 5 == 0).count();
    assertTrue(onGrid >= steps.size() - 1, "only the end state may be off the 5-step grid");
    assertEquals(onGrid, ex.size(), "one example per recorded frame on the line grid");
    int period = config.chunkPeriodMs() * meta.physicsHz() / 1000;
    int lastAction = steps.size() - 2;
    CameraModel cam = meta.renderCamera().orElseThrow();
    ObjectState obj =
        meta.objects().stream()
            .filter(o -> o.name().equals(meta.task().objectName()))
            .findFirst()
            .orElseThrow();
    int grounded = 0;
    int effector = 0;
    for (int i = 0; i < ex.size(); i++) {
      PolicyExample e = ex.get(i);
      StepRecord r = steps.get(i);
      assertEquals(128 * 128 * 3, e.rgb().length);
      assertEquals(meta.instruction(), e.instruction());
      assertArrayEquals(r.jointPositionsRad(), e.jointPositionsRad());
      assertNull(e.labels().latentTokens(), "no latent model, no tokens");
      assertNotNull(e.markMotionPx());
      double[] targets = e.labels().targetsRad();
      assertEquals(config.chunkLength() * config.joints(), targets.length);
      for (int k = 0; k < config.chunkLength(); k++) {
        int physics = i * 5 + (k + 1) * period - 1;
        double[] want = steps.get(Math.min(lastAction, physics / 5)).action();
        for (int j = 0; j < config.joints(); j++) {
          assertEquals(
              want[j], targets[k * config.joints() + j], 0.0, "target " + k + " of example " + i);
        }
      }
      if (e.labels().effectorMark() >= 0) {
        effector++;
        assertEquals(2 * config.traceLength(), e.labels().effectorTracePx().length);
      }
      int o = e.labels().objectMark();
      if (o >= 0) {
        grounded++;
        assertEquals(2 * config.traceLength(), e.labels().tracePx().length);
        ObjectPose pose =
            r.objects().stream().filter(p -> p.name().equals(obj.name())).findFirst().orElseThrow();
        PixelPoint at = cam.project(new Vec3(pose.xM(), pose.yM(), obj.heightM())).orElseThrow();
        double mine = distance(e.marks().get(o), at);
        for (Mark m : e.marks()) {
          assertTrue(
              mine <= distance(m, at),
              "example " + i + ": the object mark is the nearest to the object");
        }
        assertTrue(mine < 20, "example " + i + ": object mark " + mine + " px from the object");
      }
    }
    assertTrue(grounded > 0.8 * ex.size(), "object mark labelled in " + grounded + "/" + ex.size());
    assertTrue(
        effector > 0.8 * ex.size(), "effector mark labelled in " + effector + "/" + ex.size());
  }

  @Test
  void framesOfAnotherSizeAreResizedAndGetLatentTokensOnTheTenHertzGrid() throws Exception {
    Path dir =
        RecordedEpisodes.record(
            tmp.resolve("small"), Embodiment.ARM, 77, TaskFamily.PUSH_TO_TARGET, 0, 1.6, 5, 1, 96);
    try (LatentActionModel latent = LatentActionModel.load(Path.of("../models/latent/play-both"))) {
      List<PolicyExample> ex = new PolicyDataRecorder(config, latent).fromRecording(dir);
      assertTrue(ex.size() > 10, "examples: " + ex.size());
      int withTokens = 0;
      for (PolicyExample e : ex) {
        assertEquals(128 * 128 * 3, e.rgb().length);
        if (e.labels().latentTokens() != null) {
          withTokens++;
          assertEquals(latent.config().tokens(), e.labels().latentTokens().length);
        }
      }
      assertEquals(ex.size() - 6, withTokens, "tokens on all frames but the last horizon's 6");
    }
  }

  @Test
  void handEpisodesFramelessEpisodesAndOtherJointCountsAreRefused() {
    PolicyDataRecorder rec = new PolicyDataRecorder(config, null);
    Path hand =
        RecordedEpisodes.record(
            tmp.resolve("hand"), Embodiment.HAND, 5, TaskFamily.PUSH_DIRECTION, 0, 0.2, 5, 1, 64);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> rec.fromRecording(hand))
            .getMessage()
            .contains("only arm episodes"));
    Path blind =
        RecordedEpisodes.record(
            tmp.resolve("blind"), Embodiment.ARM, 5, TaskFamily.PUSH_DIRECTION, 0, 0.2, 5, 0, 64);
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> rec.fromRecording(blind))
            .getMessage()
            .contains("without frames"));
    PolicyConfig four =
        new PolicyConfig(
            config.inputSizePx(),
            config.patchPx(),
            config.width(),
            config.hidden(),
            config.wordDim(),
            config.maxWords(),
            config.maxMarks(),
            config.tokens(),
            config.codebookSize(),
            config.traceLength(),
            config.chunkLength(),
            config.chunkPeriodMs(),
            4,
            0);
    Path arm =
        RecordedEpisodes.record(
            tmp.resolve("arm"), Embodiment.ARM, 5, TaskFamily.PUSH_DIRECTION, 0, 0.2, 5, 1, 64);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new PolicyDataRecorder(four, null).fromRecording(arm))
            .getMessage()
            .contains("has 3 joints but the " + "policy has 4"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> rec.fromRecording(tmp))
            .getMessage()
            .contains("not a recorded episode"));
  }

  private static double distance(Mark m, PixelPoint p) {
    return Math.hypot(m.centroid().xPx() - p.xPx(), m.centroid().yPx() - p.yPx());
  }
}
