package mantis.model.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mantis.core.CollectorStorm;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLearnerTest {
  @TempDir Path tmp;

  private static void train(
      PolicyLearner l, List<PolicyExample> data, PolicyLearner.Phase phase, int steps) {
    for (int s = 0; s < steps; s++) {
      l.trainStep(data, phase, 3e-3);
    }
  }

  @Tag("slow")
  @Test
  void overfitsATinyDatasetOnEveryHead() {
    PolicyConfig c = TinyData.config(1);
    List<PolicyExample> data = TinyData.examples(12, 5, c);
    try (PolicyLearner l = PolicyLearner.create(c, TinyData.vocabulary(data))) {
      PolicyLearner.Metrics before = l.evaluate(data);
      train(l, data, PolicyLearner.Phase.PRETRAIN, 250);
      PolicyLearner.Metrics pretrained = l.evaluate(data);
      assertEquals(1.0, pretrained.objectAccuracy(), "object grounding");
      assertTrue(
          pretrained.tokenAccuracy() >= 0.95, "token accuracy " + pretrained.tokenAccuracy());
      assertTrue(
          pretrained.traceErrorPx() < 0.5, "trace error " + pretrained.traceErrorPx() + " px");
      l.setActionStats(ActionStats.of(data, c.chunkLength(), c.joints()));
      train(l, data, PolicyLearner.Phase.FINETUNE, 250);
      PolicyLearner.Metrics after = l.evaluate(data);
      assertTrue(
          after.actionErrorRad() < 0.01,
          "action error "
              + after.actionErrorRad()
              + " rad (before: "
              + before.actionErrorRad()
              + ")");
      assertTrue(after.actionErrorRad() < before.actionErrorRad() / 5);
    }
  }

  /**
   * The losses' constants (loss weights, Huber's bounds, the mean's divisor) sit in the backward
   * graph; with DJL's Number overloads a collection between forward and backward freed them (see
   * {@link GraphConstants}).
   */
  @Tag("slow")
  @Test
  void trainingIsTheSameWhileTheGarbageCollectorRunsDuringEveryStep() throws Exception {
    PolicyConfig c = TinyData.config(3);
    List<PolicyExample> data = TinyData.examples(8, 4, c);
    byte[] quiet = trainedWeights(c, data, "quiet");
    for (int run = 0; run < 2; run++) {
      try (CollectorStorm storm = CollectorStorm.start()) {
        byte[] stormy = trainedWeights(c, data, "stormy" + run);
        assertTrue(storm.collections() > 0, "the storm collected while training");
        assertArrayEquals(quiet, stormy, "run " + run);
      }
    }
  }

  private byte[] trainedWeights(PolicyConfig c, List<PolicyExample> data, String name)
      throws Exception {
    try (PolicyLearner l = PolicyLearner.create(c, TinyData.vocabulary(data))) {
      train(l, data, PolicyLearner.Phase.PRETRAIN, 10);
      l.setActionStats(ActionStats.of(data, c.chunkLength(), c.joints()));
      train(l, data, PolicyLearner.Phase.FINETUNE, 10);
      Path dir = tmp.resolve(name);
      l.saveBundle(dir, RobotSpecs.mantisPlanar3(), "0".repeat(64), Map.of());
      return Files.readAllBytes(dir.resolve(MantisPolicyModel.WEIGHTS));
    }
  }

  @Tag("slow")
  @Test
  void theSameSeedGivesIdenticalWeightsAndOutputs() throws Exception {
    PolicyConfig c = TinyData.config(7);
    List<PolicyExample> data = TinyData.examples(8, 9, c);
    byte[][] weights = new byte[2][];
    double[][] targets = new double[2][];
    for (int run = 0; run < 2; run++) {
      try (PolicyLearner l = PolicyLearner.create(c, TinyData.vocabulary(data))) {
        train(l, data, PolicyLearner.Phase.PRETRAIN, 20);
        train(l, data, PolicyLearner.Phase.FINETUNE, 20);
        Path dir = tmp.resolve("run" + run);
        l.saveBundle(dir, RobotSpecs.mantisPlanar3(), "0".repeat(64), Map.of());
        weights[run] = Files.readAllBytes(dir.resolve(MantisPolicyModel.WEIGHTS));
        targets[run] = l.predict(Features.of(data, c, l.vocabulary()))[3].targetsRad;
      }
    }
    assertArrayEquals(weights[0], weights[1]);
    assertArrayEquals(targets[0], targets[1]);
    try (PolicyLearner other = PolicyLearner.create(c.withSeed(8), TinyData.vocabulary(data))) {
      other.saveBundle(tmp.resolve("other"), RobotSpecs.mantisPlanar3(), "0".repeat(64), Map.of());
      assertTrue(
          !java.util.Arrays.equals(
              weights[0],
              Files.readAllBytes(tmp.resolve("other").resolve(MantisPolicyModel.WEIGHTS))),
          "another seed gives other weights");
    }
  }

  @Tag("slow")
  @Test
  void aFlowMatchingHeadLearnsTheChunksAndTheBundleRemembersIt() throws Exception {
    PolicyConfig c = TinyData.config(3);
    List<PolicyExample> data = TinyData.examples(12, 5, c);
    Path dir = tmp.resolve("flow");
    double[] saved;
    try (PolicyLearner l = PolicyLearner.create(c, TinyData.vocabulary(data))) {
      train(l, data, PolicyLearner.Phase.PRETRAIN, 30);
      l.setActionHead(8, true); // a regression learner switched to flow, as finetuning does
      assertEquals(8, l.config().flowSteps());
      assertTrue(l.config().goalRelativeDecoder());
      l.setActionStats(ActionStats.of(data, c.chunkLength(), c.joints()));
      PolicyLearner.Metrics before = l.evaluate(data);
      train(l, data, PolicyLearner.Phase.FINETUNE, 400);
      PolicyLearner.Metrics after = l.evaluate(data);
      assertTrue(
          after.actionErrorRad() < before.actionErrorRad() / 4,
          "flow head action error " + before.actionErrorRad() + " -> " + after.actionErrorRad());
      assertEquals(1.0, after.objectAccuracy(), "perception kept");
      l.saveBundle(dir, RobotSpecs.mantisPlanar3(), "0".repeat(64), Map.of());
      saved = l.predict(Features.of(data, c, l.vocabulary()))[2].targetsRad;
    }
    assertTrue(Files.readString(dir.resolve("model-card.json")).contains("\"flowSteps\" : 8"));
    try (PolicyLearner back = PolicyLearner.fromBundle(dir, RobotSpecs.mantisPlanar3())) {
      assertEquals(8, back.config().flowSteps());
      assertTrue(back.config().goalRelativeDecoder());
      double[] again =
          back.predict(Features.of(data, back.config(), back.vocabulary()))[2].targetsRad;
      assertArrayEquals(saved, again, 1e-6, "the same chunk after loading (zero-noise start)");
    }
  }

  @Test
  void aRegressionConfigurationKeepsItsOldModelCardSizes() {
    PolicyConfig c = TinyData.config(1);
    assertEquals(0, c.flowSteps());
    assertTrue(!c.toSizes().containsKey("flowSteps"), "old bundles stay byte-identical");
    assertEquals(c, PolicyConfig.fromSizes(c.toSizes()));
    assertEquals(c.withFlowSteps(5), PolicyConfig.fromSizes(c.withFlowSteps(5).toSizes()));
    PolicyConfig g = c.withGoalRelativeDecoder(true);
    assertEquals(1, g.toSizes().get("goalRelativeDecoder"));
    assertEquals(g, PolicyConfig.fromSizes(g.toSizes()));
    assertTrue(!c.toSizes().containsKey("goalRelativeDecoder"));
    assertThrows(IllegalArgumentException.class, () -> c.withFlowSteps(-1));
  }

  @Test
  void refusesExamplesOfTheWrongSize() {
    PolicyConfig c = TinyData.config(1);
    List<PolicyExample> data = TinyData.examples(2, 1, c);
    PolicyExample bad =
        new PolicyExample(new byte[10], "push the red block", List.of(), null, null, null);
    try (PolicyLearner l = PolicyLearner.create(c, TinyData.vocabulary(data))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> l.trainStep(List.of(bad), PolicyLearner.Phase.PRETRAIN, 1e-3));
      assertTrue(e.getMessage().contains("32x32"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> l.trainStep(List.of(), PolicyLearner.Phase.PRETRAIN, 1e-3));
    }
  }
}
