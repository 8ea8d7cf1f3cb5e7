package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import mantis.calibration.Vec3;
import org.junit.jupiter.api.Test;

/** {@link TableReach#framePoints}: the arm's skeleton on the table. */
class TableReachFramePointsTest {
  private static double distance(Vec3 a, Vec3 b) {
    return Math.sqrt(
        Math.pow(a.xM() - b.xM(), 2) + Math.pow(a.yM() - b.yM(), 2) + Math.pow(a.zM() - b.zM(), 2));
  }

  @Test
  void theSixJointArmsFramePointsRunFromTheBaseThroughEveryJointToTheTip() {
    TableReach reach = RobotModels.ur5e().reach();
    SplittableRandom rng = new SplittableRandom(7);
    for (int k = 0; k < 200; k++) {
      double[] q = new double[6];
      for (int j = 0; j < 6; j++) {
        q[j] = rng.nextDouble(-Math.PI, Math.PI);
      }
      List<Vec3> pts = reach.framePoints(q);
      assertEquals(8, pts.size());
      assertEquals(0.0, distance(pts.get(0), new Vec3(0, 0, 0)), 1e-12);
      assertEquals(0.0, distance(pts.get(7), reach.tip(q)), 1e-12);
      // The URDF's fixed lengths: shoulder height, upper arm, forearm, tool (flange + pusher).
      assertEquals(0.1625, distance(pts.get(1), pts.get(2)), 1e-12);
      assertEquals(0.425, distance(pts.get(2), pts.get(3)), 1e-12);
      assertEquals(0.3922, distance(pts.get(3), pts.get(4)), 1e-12);
      assertEquals(0.0996 + 0.12, distance(pts.get(6), pts.get(7)), 1e-12);
    }
    assertThrows(IllegalArgumentException.class, () -> reach.framePoints(new double[3]));
  }

  @Test
  void thePlanarArmsFramePointsAreItsBaseElbowWristAndTip() {
    TableReach reach = RobotModels.planar3().reach();
    double[] q = {0.4, -0.9, 0.3};
    List<Vec3> pts = reach.framePoints(q);
    assertEquals(5, pts.size());
    assertEquals(0.0, distance(pts.get(1), new Vec3(0, 0, 0)), 1e-12);
    assertEquals(0.30, distance(pts.get(1), pts.get(2)), 1e-12);
    assertEquals(0.25, distance(pts.get(2), pts.get(3)), 1e-12);
    assertEquals(0.10, distance(pts.get(3), pts.get(4)), 1e-12);
    assertEquals(0.0, distance(pts.get(4), reach.tip(q)), 1e-12);
  }
}
