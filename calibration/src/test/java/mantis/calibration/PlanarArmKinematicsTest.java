package mantis.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import org.junit.jupiter.api.Test;

class PlanarArmKinematicsTest {
  private static final RobotSpec PLANAR3 =
      new RobotSpec(
          "planar3",
          List.of(
              new JointLimits("shoulder", -2.6, 2.6, 2.0, 8.0),
              new JointLimits("elbow", -2.6, 2.6, 2.5, 10.0),
              new JointLimits("wrist", -2.6, 2.6, 3.0, 12.0)));
  private static final RobotSpec WIDE =
      new RobotSpec(
          "wide",
          List.of(
              new JointLimits("a", -4, 4, 1, 1),
              new JointLimits("b", -4, 4, 1, 1),
              new JointLimits("c", -4, 4, 1, 1)));

  private final PlanarArmKinematics arm = PlanarArmKinematics.mantisPlanar3();

  @Test
  void forwardKinematicsMatchesHandComputedPoses() {
    TipPose straight = arm.forward(new double[] {0, 0, 0});
    assertEquals(0.65, straight.xM(), 1e-12);
    assertEquals(0, straight.yM(), 1e-12);
    TipPose up = arm.forward(new double[] {Math.PI / 2, 0, 0});
    assertEquals(0, up.xM(), 1e-12);
    assertEquals(0.65, up.yM(), 1e-12);
    TipPose bent = arm.forward(new double[] {Math.PI / 2, -Math.PI / 2, Math.PI / 2});
    assertEquals(0.25, bent.xM(), 1e-12);
    assertEquals(0.40, bent.yM(), 1e-12);
    assertEquals(Math.PI / 2, bent.headingRad(), 1e-12);
    double[][] joints = arm.jointPositionsM(new double[] {Math.PI / 2, -Math.PI / 2, Math.PI / 2});
    assertArrayEquals(new double[] {0, 0}, joints[0], 1e-12);
    assertArrayEquals(new double[] {0, 0.30}, joints[1], 1e-12);
    assertArrayEquals(new double[] {0.25, 0.30}, joints[2], 1e-12);
    assertArrayEquals(new double[] {0.25, 0.40}, joints[3], 1e-12);
  }

  @Test
  void inverseThenForwardRoundTripsForRandomReachablePoses() {
    Random rng = new Random(11);
    int solved = 0;
    for (int i = 0; i < 5000; i++) {
      double[] q = randomJoints(rng, 2.5);
      TipPose pose = arm.forward(q);
      Optional<double[]> ik = arm.inverse(pose.xM(), pose.yM(), pose.headingRad(), PLANAR3);
      assertTrue(ik.isPresent(), "the pose of joints inside the limits is solvable");
      solved++;
      TipPose back = arm.forward(ik.get());
      assertEquals(pose.xM(), back.xM(), 1e-9);
      assertEquals(pose.yM(), back.yM(), 1e-9);
      assertEquals(0, wrap(pose.headingRad() - back.headingRad()), 1e-9);
      assertInsideLimits(ik.get());
    }
    assertEquals(5000, solved);
  }

  @Test
  void inversePicksTheElbowBranchClosestToZero() {
    double[] q = {1.0, 0.8, -0.3};
    TipPose pose = arm.forward(q);
    double[] ik = arm.inverse(pose.xM(), pose.yM(), pose.headingRad(), PLANAR3).orElseThrow();
    // The mirrored branch (elbow -0.8) reaches the same pose with a larger joint-space norm.
    assertArrayEquals(q, ik, 1e-9);
    double[] mirrored = {
      1.0 + 2 * Math.atan2(0.25 * Math.sin(0.8), 0.30 + 0.25 * Math.cos(0.8)), -0.8, 0
    };
    mirrored[2] = pose.headingRad() - mirrored[0] - mirrored[1];
    TipPose mirroredPose = arm.forward(mirrored);
    assertEquals(pose.xM(), mirroredPose.xM(), 1e-9);
    assertEquals(pose.yM(), mirroredPose.yM(), 1e-9);
    assertTrue(norm(mirrored) > norm(ik));
  }

  @Test
  void unreachableTargetsGiveEmpty() {
    assertTrue(arm.inverse(0.0, 0.7, Math.PI / 2, PLANAR3).isEmpty());
    assertTrue(arm.inverse(0.0, 0.6, -Math.PI / 2, PLANAR3).isEmpty(), "wrist would be 0.7 m away");
    assertTrue(arm.inverseNearest(0.0, 0.66, new double[] {1.5, 0, 0}, PLANAR3).isEmpty());
    assertTrue(arm.inverseNearest(0.5, 0.5, new double[] {0.5, 0, 0}, PLANAR3).isEmpty());
    assertTrue(arm.inverse(Double.NaN, 0.3, 0, PLANAR3).isEmpty());
    assertTrue(arm.inverseNearest(0.1, Double.POSITIVE_INFINITY, new double[3], PLANAR3).isEmpty());
  }

  @Test
  void posesThatNeedJointsOutsideTheLimitsGiveEmpty() {
    // Stretched out along -x: the shoulder would need about ±(π - 0.4), beyond ±2.6.
    assertTrue(arm.inverse(-0.6, 0.0, Math.PI, PLANAR3).isEmpty());
    assertTrue(arm.inverse(-0.6, 0.0, Math.PI, WIDE).isPresent());
    assertTrue(arm.inverseNearest(-0.64, 0.0, new double[3], PLANAR3).isEmpty());
    assertTrue(arm.inverseNearest(-0.64, 0.0, new double[3], WIDE).isPresent());
  }

  @Test
  void inverseNearestReachesTheTargetInsideLimitsAndStaysNearTheCurrentJoints() {
    Random rng = new Random(5);
    for (int i = 0; i < 1000; i++) {
      double[] current = randomJoints(rng, 2.4);
      double x = -0.35 + 0.7 * rng.nextDouble();
      double y = 0.1 + 0.5 * rng.nextDouble();
      if (Math.hypot(x, y) > 0.64) {
        continue;
      }
      double[] q = arm.inverseNearest(x, y, current, PLANAR3).orElseThrow();
      TipPose tip = arm.forward(q);
      assertEquals(x, tip.xM(), 1e-9);
      assertEquals(y, tip.yM(), 1e-9);
      assertInsideLimits(q);
      // No sampled solution is meaningfully closer than the one returned.
      double bestDistance = distance(q, current);
      for (int h = 0; h < 360; h++) {
        Optional<double[]> other = inverseWithReference(x, y, Math.toRadians(h), current);
        if (other.isPresent()) {
          assertTrue(
              distance(other.get(), current) >= bestDistance - 1e-3,
              "heading " + h + " gives a closer solution");
        }
      }
    }
  }

  @Test
  void inverseWithAHeadingPicksTheBranchNearestTheGivenJoints() {
    double[] q = {1.0, 0.8, -0.3};
    TipPose pose = arm.forward(q);
    double[] mirroredNear = {1.8, -0.8, -1.0};
    double[] ik =
        arm.inverse(pose.xM(), pose.yM(), pose.headingRad(), mirroredNear, PLANAR3).orElseThrow();
    assertTrue(ik[1] < 0, "the negative-elbow branch is nearer");
    TipPose back = arm.forward(ik);
    assertEquals(pose.xM(), back.xM(), 1e-9);
    assertEquals(pose.yM(), back.yM(), 1e-9);
    assertEquals(0, wrap(pose.headingRad() - back.headingRad()), 1e-9);
    assertArrayEquals(
        q, arm.inverse(pose.xM(), pose.yM(), pose.headingRad(), q, PLANAR3).orElseThrow(), 1e-9);
    assertTrue(arm.inverse(0.0, 0.7, 1.0, q, PLANAR3).isEmpty());
  }

  @Test
  void inverseNearestReturnsTheCurrentJointsWhenAlreadyAtTheTarget() {
    double[] current = {1.2, -0.9, 0.4};
    TipPose tip = arm.forward(current);
    double[] q = arm.inverseNearest(tip.xM(), tip.yM(), current, PLANAR3).orElseThrow();
    assertArrayEquals(current, q, 1e-6);
  }

  @Test
  void inverseNearestIsContinuousAlongAStraightPath() {
    double[] current =
        arm.inverseNearest(-0.25, 0.25, new double[] {1.5, 0.5, 0.5}, PLANAR3).orElseThrow();
    for (int i = 1; i <= 200; i++) {
      double x = -0.25 + 0.5 * i / 200.0;
      double y = 0.25 + 0.2 * i / 200.0;
      double[] next = arm.inverseNearest(x, y, current, PLANAR3).orElseThrow();
      assertTrue(
          distance(next, current) < 0.05, "jump at step " + i + ": " + distance(next, current));
      current = next;
    }
  }

  @Test
  void nearTheRimOfTheWorkspaceASolutionIsStillFound() {
    double[] q =
        arm.inverseNearest(0.0, 0.6499, new double[] {1.0, 0.3, 0.3}, PLANAR3).orElseThrow();
    TipPose tip = arm.forward(q);
    assertEquals(0.6499, tip.yM(), 1e-9);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> new PlanarArmKinematics(new double[] {0.3, 0.2}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PlanarArmKinematics(new double[] {0.3, -0.2, 0.1}));
    assertThrows(IllegalArgumentException.class, () -> arm.forward(new double[] {0, 0}));
    RobotSpec two =
        new RobotSpec(
            "two", List.of(new JointLimits("a", -1, 1, 1, 1), new JointLimits("b", -1, 1, 1, 1)));
    assertThrows(IllegalArgumentException.class, () -> arm.inverse(0.3, 0.3, 0, two));
  }

  /** Reference IK for one heading: the in-limit solution nearest to {@code current}. */
  private Optional<double[]> inverseWithReference(
      double x, double y, double heading, double[] current) {
    double l1 = 0.30;
    double l2 = 0.25;
    double wx = x - 0.10 * Math.cos(heading);
    double wy = y - 0.10 * Math.sin(heading);
    double c2 = (wx * wx + wy * wy - l1 * l1 - l2 * l2) / (2 * l1 * l2);
    if (Math.abs(c2) > 1) {
      return Optional.empty();
    }
    double[] best = null;
    for (int s = -1; s <= 1; s += 2) {
      double q1 = s * Math.acos(c2);
      double q0 = Math.atan2(wy, wx) - Math.atan2(l2 * Math.sin(q1), l1 + l2 * Math.cos(q1));
      double[] q = {q0, q1, heading - q0 - q1};
      boolean ok = true;
      for (int j = 0; j < 3; j++) {
        double w = q[j] + 2 * Math.PI * Math.rint((current[j] - q[j]) / (2 * Math.PI));
        if (w > 2.6) {
          w -= 2 * Math.PI;
        }
        if (w < -2.6) {
          w += 2 * Math.PI;
        }
        ok &= w >= -2.6 && w <= 2.6;
        q[j] = w;
      }
      if (ok && (best == null || distance(q, current) < distance(best, current))) {
        best = q;
      }
    }
    return Optional.ofNullable(best);
  }

  private static double[] randomJoints(Random rng, double max) {
    return new double[] {
      -max + 2 * max * rng.nextDouble(),
      -max + 2 * max * rng.nextDouble(),
      -max + 2 * max * rng.nextDouble()
    };
  }

  private static void assertInsideLimits(double[] q) {
    for (double v : q) {
      assertTrue(v >= -2.6 && v <= 2.6, "joint " + v + " outside ±2.6");
    }
  }

  private static double wrap(double a) {
    return Math.atan2(Math.sin(a), Math.cos(a));
  }

  private static double norm(double[] q) {
    return Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }
}
