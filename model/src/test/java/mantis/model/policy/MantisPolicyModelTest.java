package mantis.model.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mantis.core.ActionChunk;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.Observation;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.model.bundle.BundleException;
import mantis.model.serve.BatchPredictor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MantisPolicyModelTest {
  @TempDir Path tmp;
  private Path bundle;
  private List<PolicyExample> data;
  private PolicyLearner.Prediction[] expected;
  private final RobotSpec robot = RobotSpecs.mantisPlanar3();

  @BeforeEach
  void trainAndSave() throws IOException {
    PolicyConfig c = TinyData.config(3);
    data = TinyData.examples(6, 11, c);
    bundle = tmp.resolve("bundle");
    try (PolicyLearner l = PolicyLearner.create(c, TinyData.vocabulary(data))) {
      for (int s = 0; s < 30; s++) {
        l.trainStep(data, PolicyLearner.Phase.PRETRAIN, 3e-3);
      }
      l.setActionStats(ActionStats.of(data, c.chunkLength(), c.joints()));
      for (int s = 0; s < 30; s++) {
        l.trainStep(data, PolicyLearner.Phase.FINETUNE, 3e-3);
      }
      l.saveBundle(bundle, robot, "ab".repeat(32), Map.of("finetune.actionErrorRad", 0.5));
      expected = l.predict(Features.of(data, c, l.vocabulary()));
    }
  }

  private Observation observation(int i) {
    PolicyExample e = data.get(i);
    return new Observation(
        "robot-" + i,
        "ep",
        i,
        List.of(Frame.ofRgb(32, 32, e.rgb())),
        e.instruction(),
        new JointState(robot.jointNames(), e.jointPositionsRad(), e.jointVelocitiesRadPerS(), 0),
        0,
        0);
  }

  @Test
  void aBundleRoundTripGivesTheLearnersOutputs() throws IOException {
    FakeClock clock = new FakeClock(1_000_000_000L);
    try (MantisPolicyModel model = MantisPolicyModel.open(bundle, robot, clock);
        BatchPredictor p = model.newPredictor()) {
      assertEquals(robot.jointNames(), model.info().jointNames());
      assertEquals(4, model.info().chunkLength());
      assertEquals(0.5, model.card().evaluation().get("finetune.actionErrorRad"));
      ActionChunk chunk = p.predict(List.of(observation(2)), List.of(data.get(2).marks())).get(0);
      assertEquals(4, chunk.points().size());
      for (int k = 0; k < 4; k++) {
        assertEquals((k + 1) * 100_000_000L, chunk.points().get(k).timeFromStartNanos());
        for (int j = 0; j < 3; j++) {
          assertEquals(
              expected[2].targetsRad[k * 3 + j], chunk.points().get(k).positionRad(j), 1e-5);
        }
      }
      assertEquals(1_000_000_000L + 400_000_000L, chunk.validUntilNanos());
      assertArrayEquals(expected[2].tokens, chunk.latentTokens());
      Mark grounded = data.get(2).marks().get(expected[2].object);
      assertEquals(grounded.id(), chunk.traces().get(0).markId());
      assertEquals(5, chunk.traces().get(0).points().size());
    }
  }

  /**
   * Reach video at the tiny network's 32 px: the effector comes at a still block from the right.
   */
  private static List<List<PolicyExample>> reachVideo(mantis.calibration.CameraModel camera) {
    List<List<PolicyExample>> eps = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<PolicyExample> ep = new ArrayList<>();
      double y = 0.3 + 0.05 * i;
      for (int t = 0; t < 8; t++) {
        mantis.core.PixelPoint o =
            camera.project(new mantis.calibration.Vec3(0, y, GoalFramePlan.OBJECT_Z_M)).get();
        mantis.core.PixelPoint e =
            camera
                .project(new mantis.calibration.Vec3(0.2 - 0.02 * t, y, GoalFramePlan.EFFECTOR_Z_M))
                .get();
        List<Mark> marks =
            List.of(
                new Mark(1, o, new mantis.core.PixelBox(o.xPx() - 1, o.yPx() - 1, 2, 2), 4, 0),
                new Mark(2, e, new mantis.core.PixelBox(e.xPx() - 1, e.yPx() - 1, 2, 2), 4, 0));
        ep.add(
            new PolicyExample(
                new byte[32 * 32 * 3],
                "reach the red block",
                marks,
                null,
                null,
                new PolicyLabels(null, 0, -1, 1, null, null, null),
                new double[4]));
      }
      eps.add(ep);
    }
    return eps;
  }

  @Test
  void aBundleWithAGoalFramePlanStartsTheEffectorTraceAtTheArmsTip() throws IOException {
    mantis.calibration.CameraModel camera = mantis.calibration.CameraModel.mantisDefault(32, 32);
    GoalFramePlan plan = GoalFramePlan.fit(reachVideo(camera), camera, 4, 0.1);
    Path planned = tmp.resolve("planned");
    plan.writeInto(bundle, planned, robot);
    Observation o = observation(2);
    try (MantisPolicyModel model = MantisPolicyModel.open(planned, robot, new FakeClock(0));
        BatchPredictor p = model.newPredictor();
        MantisPolicyModel plain = MantisPolicyModel.open(bundle, robot, new FakeClock(0));
        BatchPredictor q = plain.newPredictor()) {
      assertTrue(model.card().files().containsKey(GoalFramePlan.FILE));
      ActionChunk chunk = p.predict(List.of(o), List.of(data.get(2).marks())).get(0);
      ActionChunk without = q.predict(List.of(o), List.of(data.get(2).marks())).get(0);
      assertEquals(2, chunk.traces().size());
      mantis.calibration.Vec3 tip =
          mantis.calibration.kinematics.RobotModels.planar3()
              .reach()
              .tip(o.jointState().positionsRad());
      mantis.core.PixelPoint tipPx =
          camera
              .project(new mantis.calibration.Vec3(tip.xM(), tip.yM(), GoalFramePlan.EFFECTOR_Z_M))
              .get();
      List<mantis.core.PixelPoint> trace = chunk.traces().get(1).points();
      assertEquals(5, trace.size());
      assertEquals(tipPx.xPx(), trace.get(0).xPx(), 1e-9);
      assertEquals(tipPx.yPx(), trace.get(0).yPx(), 1e-9);
      // The plan moves the tip (the video's effector heads left at 0.2 m/s); the plain bundle's
      // trace is the network's own.
      assertTrue(trace.get(4).xPx() < trace.get(0).xPx(), trace.toString());
      assertTrue(
          without.traces().size() < 2
              || !without.traces().get(1).points().get(0).equals(trace.get(0)));
      // Everything else is the network's.
      assertArrayEquals(without.latentTokens(), chunk.latentTokens());
      assertArrayEquals(
          without.points().get(0).positionsRad(), chunk.points().get(0).positionsRad(), 1e-9);
    }
  }

  @Test
  void aBundleWithAGoalFramePlanNeedsTheRobotsKinematics() throws IOException {
    mantis.calibration.CameraModel camera = mantis.calibration.CameraModel.mantisDefault(32, 32);
    Path planned = tmp.resolve("planned");
    GoalFramePlan.fit(reachVideo(camera), camera, 4, 0.1).writeInto(bundle, planned, robot);
    RobotSpec lookalike = new RobotSpec("lookalike-arm", robot.joints());
    BundleException e =
        assertThrows(
            BundleException.class,
            () -> MantisPolicyModel.open(planned, lookalike, new FakeClock(0)));
    assertTrue(e.getMessage().contains("lookalike-arm"), e.getMessage());
    assertTrue(e.getMessage().contains("kinematics"), e.getMessage());
  }

  @Test
  void batchingReturnsEachObservationItsOwnAnswer() throws IOException {
    try (MantisPolicyModel model = MantisPolicyModel.open(bundle, robot, new FakeClock(0));
        BatchPredictor p = model.newPredictor()) {
      List<Observation> obs = new ArrayList<>();
      List<List<Mark>> marks = new ArrayList<>();
      for (int i = 0; i < data.size(); i++) {
        obs.add(observation(i));
        marks.add(data.get(i).marks());
      }
      List<ActionChunk> batch = p.predict(obs, marks);
      assertEquals(data.size(), batch.size());
      for (int i = 0; i < data.size(); i++) {
        ActionChunk single = p.predict(List.of(obs.get(i)), List.of(marks.get(i))).get(0);
        for (int k = 0; k < 4; k++) {
          assertArrayEquals(
              single.points().get(k).positionsRad(),
              batch.get(i).points().get(k).positionsRad(),
              1e-5);
        }
        assertEquals(expected[i].targetsRad[0], batch.get(i).points().get(0).positionRad(0), 1e-5);
      }
    }
  }

  @Test
  void aBundleWithAWrongHashIsRefused() throws IOException {
    byte[] w = Files.readAllBytes(bundle.resolve("weights.bin"));
    w[w.length - 1] ^= 1;
    Files.write(bundle.resolve("weights.bin"), w);
    BundleException e =
        assertThrows(
            BundleException.class, () -> MantisPolicyModel.open(bundle, robot, new FakeClock(0)));
    assertTrue(
        e.getMessage().contains("weights.bin") && e.getMessage().contains("SHA-256"),
        e.getMessage());
  }

  @Test
  void aBundleWithAMissingFieldIsRefused() throws IOException {
    Path card = bundle.resolve("model-card.json");
    String json = Files.readString(card, StandardCharsets.UTF_8);
    Files.writeString(
        card, json.replaceFirst("\"chunkLength\"\\s*:\\s*4\\s*,", ""), StandardCharsets.UTF_8);
    BundleException e =
        assertThrows(
            BundleException.class, () -> MantisPolicyModel.open(bundle, robot, new FakeClock(0)));
    assertTrue(e.getMessage().contains("chunkLength"), e.getMessage());
  }

  @Test
  void aBundleMissingAnArchitectureSizeIsRefused() throws IOException {
    Path card = bundle.resolve("model-card.json");
    String json = Files.readString(card, StandardCharsets.UTF_8);
    Files.writeString(
        card, json.replaceFirst("\"hidden\"\\s*:\\s*48\\s*,", ""), StandardCharsets.UTF_8);
    BundleException e =
        assertThrows(
            BundleException.class, () -> MantisPolicyModel.open(bundle, robot, new FakeClock(0)));
    assertTrue(e.getMessage().contains("hidden"), e.getMessage());
  }

  @Test
  void aBundleForOtherJointNamesIsRefused() {
    List<JointLimits> renamed = new ArrayList<>();
    for (JointLimits j : robot.joints()) {
      renamed.add(
          new JointLimits(
              "other_" + j.name(),
              j.minPositionRad(),
              j.maxPositionRad(),
              j.maxVelocityRadPerS(),
              j.maxAccelerationRadPerS2()));
    }
    RobotSpec other = new RobotSpec("other-arm", renamed);
    BundleException e =
        assertThrows(
            BundleException.class, () -> MantisPolicyModel.open(bundle, other, new FakeClock(0)));
    assertTrue(e.getMessage().contains("joint names"), e.getMessage());
  }
}
