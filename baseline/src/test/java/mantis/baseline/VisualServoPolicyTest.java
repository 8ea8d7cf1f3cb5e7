package mantis.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.calibration.CameraModel;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TipPose;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.Observation;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

class VisualServoPolicyTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private static final double[] HOME = homeJoints();

  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final CameraModel camera = CameraModel.mantisDefault(640, 480);
  private final VisualServoPolicy policy =
      VisualServoPolicy.builder().setRobot(ROBOT).setCamera(camera).optClock(clock).build();
  private final PlanarArmKinematics arm = PlanarArmKinematics.mantisPlanar3();

  private static double[] homeJoints() {
    // The simulator's folded home pose: tip near (0, 0.09), last link pointing down and right.
    return PlanarArmKinematics.mantisPlanar3()
        .inverse(0.0, 0.09, -1.0, RobotSpecs.mantisPlanar3())
        .orElseThrow();
  }

  private Frame scene() {
    return new SyntheticFrames(CameraModel.mantisDefault(128, 128), 9)
        .object(-0.15, 0.35, 0.028, 0.03, false, Palette.RED.rgb())
        .object(0.18, 0.42, 0.025, 0.02, true, Palette.BLUE.rgb())
        .outline(0.05, 0.48, 0.055, 0.008, Palette.GREEN.rgb())
        .frame();
  }

  private Observation observation(String instruction, Frame frame, double[] joints) {
    return new Observation(
        "r1",
        "e1",
        0,
        List.of(frame),
        instruction,
        JointState.ofPositions(ROBOT.jointNames(), joints, clock.nanoTime()),
        clock.nanoTime(),
        clock.nanoTime());
  }

  @Test
  void aChunkHasHTimedPointsForTheRobotsJointsAndAValidity() {
    ActionChunk chunk = policy.predict(observation("reach the red block", scene(), HOME));
    assertEquals(ROBOT.jointNames(), chunk.jointNames());
    assertEquals(8, chunk.points().size());
    for (int k = 0; k < 8; k++) {
      assertEquals((k + 1) * 100_000_000L, chunk.points().get(k).timeFromStartNanos());
      assertEquals(3, chunk.points().get(k).size());
    }
    assertEquals(clock.nanoTime() + 800_000_000L, chunk.validUntilNanos());
    assertEquals(VisualServoPolicy.VERSION, chunk.modelVersion());
    assertEquals(List.of("detect", "plan"), List.copyOf(chunk.stageNanos().keySet()));
  }

  @Test
  void everyDetectedObjectAndTargetGetsAMarkNumberedFromOne() {
    ActionChunk chunk = policy.predict(observation("reach the red block", scene(), HOME));
    List<Mark> marks = chunk.marks();
    assertEquals(3, marks.size(), marks.toString());
    for (int i = 0; i < marks.size(); i++) {
      assertEquals(i + 1, marks.get(i).id());
    }
    // Objects first, left to right: red (x = -0.15) then blue, then the green target.
    assertTrue(marks.get(0).centroid().xPx() < marks.get(1).centroid().xPx());
    assertEquals(Palette.GREEN.rgb() >> 16, (marks.get(2).meanRgb() >> 16) & 0xff, 2);
  }

  @Test
  void reachingMovesTheTipTowardTheObjectWithinTheJointSpeedLimits() {
    ActionChunk chunk = policy.predict(observation("touch the red block", scene(), HOME));
    TipPose start = arm.forward(HOME);
    TipPose end = arm.forward(chunk.points().get(7).positionsRad());
    double before = start.distanceTo(-0.15, 0.35);
    double after = end.distanceTo(-0.15, 0.35);
    assertTrue(after < before - 0.1, "tip should approach the block: " + before + " -> " + after);
    assertWithinLimitsFromRest(chunk);
  }

  @Test
  void pushingGoesBehindTheObjectFirst() {
    // Push the blue disc (at x = 0.18, y = 0.42, radius 0.025) right: the tip must get to its left
    // before it comes into contact. The frame is static, so the policy ends up pushing "through"
    // it.
    double[] q = HOME;
    boolean behind = false;
    boolean contact = false;
    for (int call = 0; call < 12 && !contact; call++) {
      ActionChunk chunk =
          policy.predict(
              new Observation(
                  "r1",
                  "push",
                  call,
                  List.of(scene()),
                  "push the blue disc to the right",
                  JointState.ofPositions(ROBOT.jointNames(), q, 0),
                  0,
                  0));
      assertWithinLimits(q, chunk);
      for (ActionPoint p : chunk.points()) {
        TipPose tip = arm.forward(p.positionsRad());
        if (tip.xM() < 0.18 - 0.05 && Math.abs(tip.yM() - 0.42) < 0.015) {
          behind = true;
        }
        if (tip.distanceTo(0.18, 0.42) < 0.025 + 0.02) {
          contact = true;
          assertTrue(behind, "touched the disc at " + tip + " before getting behind it");
          assertTrue(tip.xM() < 0.18 - 0.03, "first contact from the left, tip at " + tip);
          break;
        }
      }
      q = chunk.points().get(chunk.points().size() - 1).positionsRad();
    }
    assertTrue(contact, "the push never started");
  }

  @Test
  void withoutTheObjectInViewTheArmHoldsStill() {
    ActionChunk chunk = policy.predict(observation("reach the purple block", scene(), HOME));
    for (ActionPoint p : chunk.points()) {
      assertArrayEquals(HOME, p.positionsRad(), 1e-9);
    }
  }

  @Test
  void badInputsAreRejectedWithAReason() {
    assertThrows(
        IllegalArgumentException.class,
        () -> policy.predict(observation("reach the mauve thing", scene(), HOME)));
    Observation twoJoints =
        new Observation(
            "r",
            "e",
            0,
            List.of(scene()),
            "reach the red block",
            JointState.ofPositions(List.of("a", "b"), new double[2], 0),
            0,
            0);
    assertThrows(IllegalArgumentException.class, () -> policy.predict(twoJoints));
    Observation nan = observation("reach the red block", scene(), new double[] {Double.NaN, 0, 0});
    assertThrows(IllegalArgumentException.class, () -> policy.predict(nan));
  }

  @Test
  void infoDescribesThePolicy() {
    assertEquals("visual-servo", policy.info().name());
    assertEquals(ROBOT.jointNames(), policy.info().jointNames());
    assertEquals(8, policy.info().chunkLength());
    assertEquals(128, policy.info().inputWidthPx());
    assertEquals(128, policy.info().inputHeightPx());
  }

  @Test
  void theBuilderValidates() {
    assertThrows(
        NullPointerException.class, () -> VisualServoPolicy.builder().setCamera(camera).build());
    assertThrows(
        NullPointerException.class, () -> VisualServoPolicy.builder().setRobot(ROBOT).build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VisualServoPolicy.builder()
                .setRobot(ROBOT)
                .setCamera(camera)
                .optChunkLength(0)
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VisualServoPolicy.builder()
                .setRobot(ROBOT)
                .setCamera(camera)
                .optPointSpacingNanos(10)
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VisualServoPolicy.builder()
                .setRobot(ROBOT)
                .setCamera(camera)
                .optLimitFraction(1.5)
                .build());
    VisualServoPolicy custom =
        VisualServoPolicy.builder()
            .setRobot(ROBOT)
            .setCamera(camera)
            .optChunkLength(4)
            .optPointSpacingNanos(50_000_000L)
            .build();
    ActionChunk chunk = custom.predict(observation("reach the red block", scene(), HOME));
    assertEquals(4, chunk.points().size());
    assertEquals(200_000_000L, chunk.points().get(3).timeFromStartNanos());
    assertFalse(chunk.marks().isEmpty());
  }

  private static void assertWithinLimitsFromRest(ActionChunk chunk) {
    assertWithinLimits(HOME, chunk);
  }

  private static void assertWithinLimits(double[] start, ActionChunk chunk) {
    double[] previous = start;
    double[] previousV = new double[3];
    long previousT = 0;
    for (ActionPoint p : chunk.points()) {
      double dt = (p.timeFromStartNanos() - previousT) / 1e9;
      for (int j = 0; j < 3; j++) {
        double v = (p.positionRad(j) - previous[j]) / dt;
        assertTrue(
            Math.abs(v) <= ROBOT.joint(j).maxVelocityRadPerS() + 1e-9,
            "joint " + j + " speed " + v);
        assertTrue(
            Math.abs(v - previousV[j]) <= ROBOT.joint(j).maxAccelerationRadPerS2() * dt + 1e-9,
            "joint " + j + " acceleration");
        assertTrue(Math.abs(p.positionRad(j)) <= 2.6 - 0.02);
        previousV[j] = v;
      }
      previous = p.positionsRad();
      previousT = p.timeFromStartNanos();
    }
  }
}
