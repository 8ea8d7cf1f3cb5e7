package mantis.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.IkResult;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.Observation;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

/** The visual-servo baseline on an arm other than the planar one: the UR5e-like 6-joint arm. */
class VisualServoOnAnyArmTest {
  private static final RobotModel UR5E = RobotModels.ur5e();
  private static final RobotSpec ROBOT = UR5E.spec();

  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final VisualServoPolicy policy =
      VisualServoPolicy.builder()
          .setRobot(ROBOT)
          .setCamera(CameraModel.mantisDefault(640, 480))
          .optClock(clock)
          .build();

  /** Joints that put the UR5e-like tool tip, pointing down, over (x, y) at the tip height. */
  static double[] urPose(double xM, double yM) {
    IkResult r =
        UR5E.reach()
            .reach(
                xM,
                yM,
                VisualServoPolicy.DEFAULT_TIP_HEIGHT_M,
                new double[] {-Math.PI / 2, -1.2, 1.6, -1.97, -Math.PI / 2, 0});
    assertTrue(r.solved(), r.toString());
    return r.joints().orElseThrow();
  }

  private Frame scene() {
    return new SyntheticFrames(CameraModel.mantisDefault(128, 128), 9)
        .object(-0.15, 0.35, 0.028, 0.03, false, Palette.RED.rgb())
        .object(0.18, 0.42, 0.025, 0.02, true, Palette.BLUE.rgb())
        .frame();
  }

  @Test
  void theBaselineProducesSixJointChunksWithUrJointNamesOnAUr5eObservation() {
    double[] start = urPose(0.0, 0.2);
    ActionChunk chunk =
        policy.predict(
            new Observation(
                "r1",
                "e1",
                0,
                List.of(scene()),
                "touch the red block",
                JointState.ofPositions(ROBOT.jointNames(), start, clock.nanoTime()),
                clock.nanoTime(),
                clock.nanoTime()));
    assertEquals(
        List.of(
            "shoulder_pan_joint",
            "shoulder_lift_joint",
            "elbow_joint",
            "wrist_1_joint",
            "wrist_2_joint",
            "wrist_3_joint"),
        chunk.jointNames());
    assertEquals(ROBOT.jointNames(), policy.info().jointNames());
    assertEquals(8, chunk.points().size());
    double[] previous = start;
    for (ActionPoint p : chunk.points()) {
      assertEquals(6, p.size());
      for (int j = 0; j < 6; j++) {
        JointLimits lim = ROBOT.joint(j);
        double q = p.positionsRad()[j];
        assertTrue(q > lim.minPositionRad() && q < lim.maxPositionRad(), "joint " + j + ": " + q);
        assertTrue(
            Math.abs(q - previous[j]) <= lim.maxVelocityRadPerS() * 0.1 + 1e-9,
            "joint " + j + " too fast");
      }
      previous = p.positionsRad();
    }
    Vec3 before = UR5E.reach().tip(start);
    Vec3 after = UR5E.reach().tip(chunk.points().get(7).positionsRad());
    double d0 = Math.hypot(before.xM() + 0.15, before.yM() - 0.35);
    double d1 = Math.hypot(after.xM() + 0.15, after.yM() - 0.35);
    assertTrue(d1 < d0 - 0.1, "the tip should approach the block: " + d0 + " -> " + d1);
    assertEquals(VisualServoPolicy.DEFAULT_TIP_HEIGHT_M, after.zM(), 1e-4, "tip height");
  }

  @Test
  void aRobotWithoutKinematicsIsRefusedNamingTheKnownRobots() {
    RobotSpec planar = RobotSpecs.mantisPlanar3();
    RobotSpec unknown = new RobotSpec("no-such-arm", planar.joints());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                VisualServoPolicy.builder()
                    .setRobot(unknown)
                    .setCamera(CameraModel.mantisDefault(640, 480))
                    .build());
    assertTrue(e.getMessage().contains("no-such-arm"), e.getMessage());
    assertTrue(e.getMessage().contains("planar3, ur5e"), e.getMessage());
  }
}
