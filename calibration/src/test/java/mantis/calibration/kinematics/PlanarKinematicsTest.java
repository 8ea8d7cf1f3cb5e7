package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TipPose;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import org.junit.jupiter.api.Test;

class PlanarKinematicsTest {
  private static final RobotSpec PLANAR3 =
      new RobotSpec(
          "planar3",
          List.of(
              new JointLimits("shoulder", -2.6, 2.6, 2.0, 8.0),
              new JointLimits("elbow", -2.6, 2.6, 2.5, 10.0),
              new JointLimits("wrist", -2.6, 2.6, 3.0, 12.0)));
  private final PlanarArmKinematics arm = PlanarArmKinematics.mantisPlanar3();
  private final Kinematics planar = Kinematics.planar(arm, PLANAR3);

  @Test
  void forwardIsThePlanarArmsTipTurnedAboutZ() {
    double[] q = {Math.PI / 2, -Math.PI / 2, Math.PI / 2};
    Pose p = planar.forward(q);
    assertEquals(0.25, p.xM(), 1e-12);
    assertEquals(0.40, p.yM(), 1e-12);
    assertEquals(0, p.zM(), 0);
    assertArrayEquals(new double[] {0, -1, 0, 1, 0, 0, 0, 0, 1}, p.rotationRowMajor(), 1e-12);
    assertEquals(List.of("shoulder", "elbow", "wrist"), planar.jointNames());
    assertEquals(3, planar.jointCount());
  }

  @Test
  void theJacobianMatchesFiniteDifferencesAndTheUrdfChain() {
    Kinematics urdf = Kinematics.serial(TestChains.planar3());
    Random rng = new Random(9);
    for (int trial = 0; trial < 50; trial++) {
      double[] q = {
        rng.nextDouble() * 5.2 - 2.6, rng.nextDouble() * 5.2 - 2.6, rng.nextDouble() * 5.2 - 2.6
      };
      SerialChainKinematicsTest.assertJacobianMatchesFiniteDifferences(planar, q);
      double[][] a = planar.jacobian(q);
      double[][] b = urdf.jacobian(q);
      for (int r = 0; r < 6; r++) {
        assertArrayEquals(b[r], a[r], 1e-12);
      }
    }
  }

  @Test
  void inverseReturnsExactlyWhatThePlanarArmReturns() {
    Random rng = new Random(13);
    for (int trial = 0; trial < 500; trial++) {
      double[] q = {
        rng.nextDouble() * 5 - 2.5, rng.nextDouble() * 5 - 2.5, rng.nextDouble() * 5 - 2.5
      };
      double[] seed = {rng.nextDouble() - 0.5, rng.nextDouble() - 0.5, rng.nextDouble() - 0.5};
      TipPose tip = arm.forward(q);
      Optional<double[]> expected =
          arm.inverse(tip.xM(), tip.yM(), tip.headingRad(), seed, PLANAR3);
      IkResult r = planar.inverse(planar.forward(q), seed);
      assertTrue(r.solved(), r.toString());
      assertArrayEquals(expected.orElseThrow(), r.joints().orElseThrow(), 1e-9);
      assertTrue(r.positionErrorM() <= 1e-9, r.toString());
      assertTrue(r.orientationErrorRad() <= 1e-9, r.toString());
    }
  }

  @Test
  void targetsOffThePlaneOrOutOfReachFailWithAReason() {
    IkResult off = planar.inverse(Pose.ofPosition(0.3, 0.2, 0.1), new double[3]);
    assertFalse(off.solved());
    assertEquals(
        "the planar arm reaches only poses in the plane z = 0 turned about +z; the target has z ="
            + " 0.1 m and is tilted by 0.0 rad",
        off.failure());
    IkResult tilted = planar.inverse(new Pose(0.3, 0.2, 0, 1, 0, 0, 0), new double[3]);
    assertFalse(tilted.solved());
    assertTrue(tilted.failure().endsWith("tilted by " + Math.PI + " rad"), tilted.failure());
    IkResult far = planar.inverse(Pose.ofPosition(1.0, 0, 0), new double[3]);
    assertFalse(far.solved());
    assertEquals(
        "the planar arm cannot reach x = 1.0 m, y = 0.0 m, heading 0.0 rad inside the joint limits",
        far.failure());
  }
}
