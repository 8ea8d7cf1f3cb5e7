package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TipPose;
import org.junit.jupiter.api.Test;

class SerialChainKinematicsTest {
  private static final double S = Math.sqrt(0.5);
  private final SerialChain ur5eChain = TestChains.ur5e();
  private final Kinematics ur5e = Kinematics.serial(ur5eChain);

  @Test
  void ur5eForwardKinematicsAtZeroMatchesTheDhParameters() {
    Pose p = ur5e.forward(new double[6]);
    // x = a2 + a3, y = -(d4 + d6), z = d1 - d5; the tool z axis points along -y.
    assertPose(p, -0.8172, -0.2329, 0.0628, new double[] {1, 0, 0, 0, 0, -1, 0, 1, 0});
    assertEquals(S, p.qx(), 1e-12);
    assertEquals(S, p.qw(), 1e-12);
  }

  @Test
  void ur5eForwardKinematicsMatchesHandComputedConfigurations() {
    // The base joint turns the whole arm about +z.
    assertPose(
        ur5e.forward(new double[] {Math.PI / 2, 0, 0, 0, 0, 0}),
        0.2329,
        -0.8172,
        0.0628,
        new double[] {0, 0, 1, 1, 0, 0, 0, 1, 0});
    // Upright: shoulder lift and wrist 1 at -pi/2 stack the upper arm, forearm and wrist on z.
    assertPose(
        ur5e.forward(new double[] {0, -Math.PI / 2, 0, -Math.PI / 2, 0, 0}),
        0,
        -0.2329,
        0.1625 + 0.425 + 0.3922 + 0.0997,
        new double[] {-1, 0, 0, 0, 0, -1, 0, -1, 0});
    // Wrist 3 only spins the tool about its own z axis (base -y): the position stays.
    Pose spun = ur5e.forward(new double[] {0, 0, 0, 0, 0, 1.0});
    assertEquals(-0.8172, spun.xM(), 1e-12);
    assertEquals(-0.2329, spun.yM(), 1e-12);
    assertEquals(1.0, spun.angleToRad(ur5e.forward(new double[6])), 1e-12);
  }

  @Test
  void theJacobianMatchesFiniteDifferencesOfForwardKinematics() {
    Random rng = new Random(3);
    for (Kinematics k : new Kinematics[] {ur5e, Kinematics.serial(TestChains.planar3())}) {
      for (int trial = 0; trial < 50; trial++) {
        double[] q = new double[k.jointCount()];
        for (int i = 0; i < q.length; i++) {
          q[i] = (rng.nextDouble() * 2 - 1) * 2.5;
        }
        assertJacobianMatchesFiniteDifferences(k, q);
      }
    }
  }

  @Test
  void thePlanarUrdfAgreesWithThePlanarArm() {
    Kinematics urdf = Kinematics.serial(TestChains.planar3());
    PlanarArmKinematics arm = PlanarArmKinematics.mantisPlanar3();
    Random rng = new Random(5);
    for (int trial = 0; trial < 200; trial++) {
      double[] q = {
        rng.nextDouble() * 5.2 - 2.6, rng.nextDouble() * 5.2 - 2.6, rng.nextDouble() * 5.2 - 2.6
      };
      Pose p = urdf.forward(q);
      TipPose tip = arm.forward(q);
      assertEquals(tip.xM(), p.xM(), 1e-12);
      assertEquals(tip.yM(), p.yM(), 1e-12);
      assertEquals(0, p.zM(), 1e-12);
      assertEquals(0, p.angleToRad(PlanarKinematics.planarPose(0, 0, tip.headingRad())), 1e-9);
    }
  }

  @Test
  void inverseKinematicsRoundTripsRandomReachablePosesFromRandomSeeds() {
    Random rng = new Random(2026);
    int poses = 2000;
    int solved = 0;
    double worstPositionM = 0;
    double worstOrientationRad = 0;
    for (int trial = 0; trial < poses; trial++) {
      double[] q = randomInLimits(ur5eChain, rng);
      Pose target = ur5e.forward(q);
      IkResult r = ur5e.inverse(target, randomInLimits(ur5eChain, rng));
      if (!r.solved()) {
        continue;
      }
      solved++;
      double[] joints = r.joints().orElseThrow();
      assertInsideLimits(ur5eChain, joints);
      Pose reached = ur5e.forward(joints);
      worstPositionM = Math.max(worstPositionM, reached.positionDistanceM(target));
      worstOrientationRad = Math.max(worstOrientationRad, reached.angleToRad(target));
    }
    double rate = solved / (double) poses;
    assertTrue(rate >= 0.999, "IK success rate " + rate);
    assertTrue(worstPositionM <= 1e-6, "worst position error " + worstPositionM + " m");
    assertTrue(worstOrientationRad <= 1e-6, "worst orientation error " + worstOrientationRad);
  }

  @Test
  void inverseKinematicsFromANearbySeedStaysOnTheSeedsBranch() {
    double[] q = {0.3, -1.2, 1.4, -1.7, -1.5, 0.2};
    double[] seed = q.clone();
    for (int i = 0; i < 6; i++) {
      seed[i] += 0.05;
    }
    IkResult r = ur5e.inverse(ur5e.forward(q), seed);
    assertTrue(r.solved(), r.toString());
    assertEquals(1, r.attempts());
    assertArrayEquals(q, r.joints().orElseThrow(), 1e-7);
  }

  @Test
  void aSolveReportsItsIterationsOverAllAttempts() {
    double[] q = {0.3, -1.2, 1.4, -1.7, -1.5, 0.2};
    Pose target = ur5e.forward(q);
    IkResult atSolution = ur5e.inverse(target, q);
    assertEquals(1, atSolution.attempts());
    assertEquals(0, atSolution.iterations(), "the seed already is a solution");
    double[] seed = q.clone();
    for (int i = 0; i < 6; i++) {
      seed[i] += 0.05;
    }
    IkResult near = ur5e.inverse(target, seed);
    assertTrue(near.iterations() >= 1 && near.iterations() <= 20, near.toString());
    IkResult failed = ur5e.inverse(Pose.ofPosition(2.0, 0, 0.5), new double[6]);
    assertTrue(failed.iterations() >= failed.attempts(), failed.toString());
  }

  @Test
  void anUnreachablePoseFailsWithAReasonInsteadOfThrowing() {
    IkResult r = ur5e.inverse(Pose.ofPosition(2.0, 0, 0.5), new double[6]);
    assertFalse(r.solved());
    assertTrue(r.joints().isEmpty());
    assertEquals(51, r.attempts());
    assertTrue(r.positionErrorM() > 0.9, r.toString());
    assertTrue(
        r.failure()
            .startsWith(
                "ur5e_like.urdf base_link->tool0: no joint values inside the limits reach the pose"
                    + " within 1.0E-9 m and 1.0E-9 rad after 51 attempts (best: position error "),
        r.failure());
  }

  @Test
  void badJointArraysAreRefusedNamingTheJoint() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ur5e.forward(new double[5]));
    assertEquals("ur5e_like.urdf base_link->tool0: joints needs 6 values, got 5", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ur5e.inverse(Pose.ofPosition(0, 0, 0), new double[] {0, 0, Double.NaN, 0, 0, 0}));
    assertEquals("ur5e_like.urdf base_link->tool0: seed[2] (elbow_joint) is NaN", e.getMessage());
  }

  @Test
  void posesNeedAUnitQuaternion() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Pose(0, 0, 0, 0, 0, 0, 2));
    assertEquals("pose quaternion must have unit norm (within 1e-6), got norm 2.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pose.ofPosition(Double.NaN, 0, 0));
  }

  static double[] randomInLimits(SerialChain chain, Random rng) {
    double[] q = new double[chain.jointCount()];
    for (int i = 0; i < q.length; i++) {
      ChainJoint j = chain.joint(i);
      q[i] = j.lower() + rng.nextDouble() * (j.upper() - j.lower());
    }
    return q;
  }

  static void assertInsideLimits(SerialChain chain, double[] q) {
    for (int i = 0; i < q.length; i++) {
      ChainJoint j = chain.joint(i);
      assertTrue(q[i] >= j.lower() && q[i] <= j.upper(), j.name() + " = " + q[i]);
    }
  }

  static void assertJacobianMatchesFiniteDifferences(Kinematics k, double[] q) {
    double h = 1e-6;
    double[][] j = k.jacobian(q);
    assertEquals(6, j.length);
    for (int c = 0; c < k.jointCount(); c++) {
      double[] plus = q.clone();
      double[] minus = q.clone();
      plus[c] += h;
      minus[c] -= h;
      Pose a = k.forward(plus);
      Pose b = k.forward(minus);
      double[] w = Rotations.rotationVector(a, b);
      double[] numeric = {
        (a.xM() - b.xM()) / (2 * h),
        (a.yM() - b.yM()) / (2 * h),
        (a.zM() - b.zM()) / (2 * h),
        w[0] / (2 * h),
        w[1] / (2 * h),
        w[2] / (2 * h)
      };
      for (int r = 0; r < 6; r++) {
        assertEquals(numeric[r], j[r][c], 1e-7, "row " + r + ", column " + c);
      }
    }
  }

  private static void assertPose(Pose p, double x, double y, double z, double[] rotation) {
    assertEquals(x, p.xM(), 1e-12);
    assertEquals(y, p.yM(), 1e-12);
    assertEquals(z, p.zM(), 1e-12);
    assertArrayEquals(rotation, p.rotationRowMajor(), 1e-12);
  }
}
