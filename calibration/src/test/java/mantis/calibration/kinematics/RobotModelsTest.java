package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.calibration.PlanarArmKinematics;
import mantis.calibration.TipPose;
import mantis.calibration.Vec3;
import mantis.core.RobotSpecs;
import mantis.core.spi.RobotRegistry;
import org.junit.jupiter.api.Test;

class RobotModelsTest {
  /** A pointing-down posture above the middle of the table. */
  static final double[] UR5E_HOME = {-Math.PI / 2, -1.2, 1.6, -1.97, -Math.PI / 2, 0};

  @Test
  void theBundledSixJointArmIsReadFromItsUrdfWithTheUrJointNames() {
    RobotModel ur5e = RobotModels.forName("ur5e");
    assertEquals("mantis-ur5e", ur5e.name());
    assertEquals(
        List.of(
            "shoulder_pan_joint",
            "shoulder_lift_joint",
            "elbow_joint",
            "wrist_1_joint",
            "wrist_2_joint",
            "wrist_3_joint"),
        ur5e.spec().jointNames());
    assertEquals(
        RobotModels.UR5E_MAX_ACCELERATION_RAD_PER_S2,
        ur5e.spec().joint(3).maxAccelerationRadPerS2());
    assertEquals(Math.PI, ur5e.spec().joint(2).maxPositionRad(), 1e-12);
    assertSame(ur5e, RobotModels.forName("MANTIS-UR5E"));
  }

  @Test
  void anUnknownRobotNameIsRefusedWithTheKnownNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RobotModels.forName("kuka"));
    assertTrue(e.getMessage().contains("planar3, ur5e"), e.getMessage());
  }

  @Test
  void theRobotRegistryKnowsTheSixJointArmByBothNames() {
    assertEquals(
        RobotModels.ur5e().spec().jointNames(),
        RobotRegistry.installed().robot("ur5e").jointNames());
    assertEquals(
        RobotModels.ur5e().spec().jointNames(),
        RobotRegistry.installed().robot("mantis-ur5e").jointNames());
  }

  @Test
  void theSixJointArmPutsItsPusherOnEveryPointOfTheTaskRegionPointingDown() {
    TableReach reach = RobotModels.ur5e().reach();
    Kinematics k = RobotModels.ur5e().kinematics();
    int n = 0;
    for (double x = -0.30; x <= 0.30 + 1e-9; x += 0.05) {
      for (double y = 0.18; y <= 0.55 + 1e-9; y += 0.0925) {
        IkResult r = reach.reach(x, y, 0.01, UR5E_HOME);
        assertTrue(r.solved(), () -> "not reached: " + r);
        double[] q = r.joints().orElseThrow();
        Vec3 tip = reach.tip(q);
        assertEquals(x, tip.xM(), 1e-6);
        assertEquals(y, tip.yM(), 1e-6);
        assertEquals(0.01, tip.zM(), 1e-6);
        // Tool z axis along table -z.
        double[] rot = k.forward(q).rotationRowMajor();
        assertEquals(-1.0, rot[8], 1e-6);
        n++;
      }
    }
    assertEquals(65, n);
  }

  @Test
  void followingALineInCentimetreStepsMovesNoJointFarAtAnyStep() {
    TableReach reach = RobotModels.ur5e().reach();
    double[] q = reach.reach(-0.28, 0.20, 0.01, UR5E_HOME).joints().orElseThrow();
    double worst = 0;
    for (int s = 1; s <= 50; s++) {
      double x = -0.28 + 0.56 * s / 50.0;
      double y = 0.20 + 0.30 * s / 50.0;
      double[] next = reach.reach(x, y, 0.01, q).joints().orElseThrow();
      for (int j = 0; j < q.length; j++) {
        worst = Math.max(worst, Math.abs(next[j] - q[j]));
      }
      q = next;
    }
    assertTrue(worst < 0.15, "largest joint step " + worst + " rad");
  }

  @Test
  void aFarTableTargetIsReachedOnTheSeedsBranchWithoutAJointJump() {
    TableReach reach = RobotModels.ur5e().reach();
    double[] q0 = reach.reach(0.0, 0.30, 0.01, UR5E_HOME).joints().orElseThrow();
    for (double[] t : new double[][] {{-0.30, 0.55}, {0.30, 0.18}, {-0.30, 0.18}, {0.30, 0.55}}) {
      IkResult r = reach.reach(t[0], t[1], 0.01, q0);
      assertTrue(r.solved(), r::toString);
      double[] q = r.joints().orElseThrow();
      String where = " to reach " + t[0] + ", " + t[1] + ": " + java.util.Arrays.toString(q);
      // The seed's branch: the elbow keeps its side, the wrists do not flip (the pan and the last
      // wrist joint turn with the bearing of the target: the tool keeps its yaw).
      assertEquals(Math.signum(q0[2]), Math.signum(q[2]), "elbow side" + where);
      for (int j = 1; j <= 4; j++) {
        assertTrue(
            Math.abs(q[j] - q0[j]) <= SerialTableReach.BRANCH_JUMP_RAD, "joint " + j + where);
      }
    }
  }

  @Test
  void theSixJointArmFailsClearlyOutOfReach() {
    IkResult r = RobotModels.ur5e().reach().reach(2.0, 2.0, 0.01, UR5E_HOME);
    assertFalse(r.solved());
    assertFalse(r.failure().isBlank());
  }

  @Test
  void thePlanarArmReachesTableTargetsWithItsExactSolver() {
    RobotModel planar = RobotModels.forName("planar3");
    assertEquals(RobotSpecs.mantisPlanar3(), planar.spec());
    double[] seed = {0.3, 1.2, 0.4};
    IkResult r = planar.reach().reach(0.1, 0.4, 0.0, seed);
    assertTrue(r.solved(), r::toString);
    double[] expected =
        PlanarArmKinematics.mantisPlanar3()
            .inverseNearest(0.1, 0.4, seed, RobotSpecs.mantisPlanar3())
            .orElseThrow();
    double[] q = r.joints().orElseThrow();
    for (int j = 0; j < 3; j++) {
      assertEquals(expected[j], q[j], 0.0);
    }
    TipPose p = PlanarArmKinematics.mantisPlanar3().forward(q);
    Vec3 tip = planar.reach().tip(q);
    assertEquals(p.xM(), tip.xM(), 0.0);
    assertEquals(p.yM(), tip.yM(), 0.0);
    assertFalse(planar.reach().reach(1.5, 0.0, 0.0, seed).solved());
  }
}
