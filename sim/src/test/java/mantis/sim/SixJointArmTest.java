package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.Frame;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;

/** The simulator with the UR5e-like 6-joint arm ({@code optRobot("ur5e")}). */
class SixJointArmTest {
  private static final List<String> UR_JOINTS =
      List.of(
          "shoulder_pan_joint",
          "shoulder_lift_joint",
          "elbow_joint",
          "wrist_1_joint",
          "wrist_2_joint",
          "wrist_3_joint");

  private static SimConfig ur5e(boolean domainRandomization) {
    return SimConfig.builder().optRobot("ur5e").optDomainRandomization(domainRandomization).build();
  }

  private static void advance(TabletopSim sim, ScriptedExpert expert, int steps) {
    for (int i = 0; i < steps && !sim.done(); i++) {
      sim.step(expert.act(sim));
    }
  }

  @Test
  void theRobotOptionNamesABundledRobotAndDefaultsToThePlanarArm() {
    assertEquals("planar3", SimConfig.defaults().robot());
    assertEquals("ur5e", SimConfig.builder().optRobot(" MANTIS-UR5E ").build().robot());
    SimConfig c = ur5e(false);
    assertEquals("ur5e", c.toBuilder().build().robot());
    assertTrue(c.toString().contains("robot=ur5e"), c.toString());
  }

  @Test
  void anUnknownRobotNameIsRejectedNamingTheKnownRobots() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SimConfig.builder().optRobot("kuka"));
    assertTrue(e.getMessage().contains("kuka") && e.getMessage().contains("ur5e"), e.getMessage());
  }

  @Test
  void theSixJointSimReportsTheUrJointsAndRejectsThreeTargets() {
    TabletopSim sim = TabletopSim.create(ur5e(false));
    sim.reset(3, TaskFamily.REACH);
    assertEquals(UR_JOINTS, sim.robot().jointNames());
    assertEquals(UR_JOINTS, sim.jointState().names());
    assertEquals(6, sim.jointState().positionsRad().length);
    assertEquals(6, sim.groundTruth().jointPositionsRad().length);
    assertThrows(IllegalArgumentException.class, () -> sim.step(new double[3]));
  }

  @Test
  void theSixJointSimResetsDeterministicallyAndTwoRunsAreBitIdentical() {
    TabletopSim a = TabletopSim.create(ur5e(true));
    TabletopSim b = TabletopSim.create(ur5e(true));
    for (TaskFamily family : TaskFamily.values()) {
      a.reset(41, family);
      b.reset(41, family);
      assertArrayEquals(a.jointState().positionsRad(), b.jointState().positionsRad());
      ScriptedExpert ea = new ScriptedExpert();
      ScriptedExpert eb = new ScriptedExpert();
      for (int chunk = 0; chunk < 5; chunk++) {
        advance(a, ea, 20);
        advance(b, eb, 20);
        assertEquals(a.groundTruth().objects(), b.groundTruth().objects());
        assertArrayEquals(a.jointState().positionsRad(), b.jointState().positionsRad());
        assertArrayEquals(a.jointState().velocitiesRadPerS(), b.jointState().velocitiesRadPerS());
        assertArrayEquals(a.render(96, 72).rgbUnsafe(), b.render(96, 72).rgbUnsafe());
      }
      // A reset replays the episode exactly.
      byte[] frame = a.render(64, 64).rgb();
      double[] q = a.jointState().positionsRad();
      a.reset(41, family);
      ScriptedExpert again = new ScriptedExpert();
      advance(a, again, 100);
      assertArrayEquals(q, a.jointState().positionsRad());
      assertArrayEquals(frame, a.render(64, 64).rgbUnsafe());
    }
  }

  @Test
  void theSceneDoesNotDependOnTheRobot() {
    TabletopSim planar = TabletopSim.create(SimConfig.defaults());
    TabletopSim six = TabletopSim.create(SimConfig.defaults().toBuilder().optRobot("ur5e").build());
    for (long seed = 0; seed < 5; seed++) {
      planar.reset(seed, TaskFamily.PUSH_TO_TARGET);
      six.reset(seed, TaskFamily.PUSH_TO_TARGET);
      assertEquals(planar.groundTruth().objects(), six.groundTruth().objects());
      assertEquals(planar.instruction(), six.instruction());
    }
  }

  @Test
  void theHomeTipRestsJustAboveTheTableBelowTheTaskRegion() {
    TabletopSim sim = TabletopSim.create(ur5e(false));
    sim.reset(0, TaskFamily.REACH);
    Vec3 tip = sim.robotModel().reach().tip(sim.jointState().positionsRad());
    assertEquals(SimRobot.HOME_TIP_X_M, tip.xM(), 1e-6);
    assertEquals(SimRobot.HOME_TIP_Y_M, tip.yM(), 1e-6);
    assertEquals(SimRobot.PUSH_HEIGHT_M, tip.zM(), 1e-6);
    assertEquals(tip.xM(), sim.groundTruth().effectorXM(), 1e-12);
    assertEquals(tip.yM(), sim.groundTruth().effectorYM(), 1e-12);
  }

  @Test
  void theToolTipFollowsJointTargetsWithinTheJointLimits() {
    TabletopSim sim = TabletopSim.create(ur5e(false).toBuilder().optMaxEpisodeSeconds(60).build());
    sim.reset(5, TaskFamily.REACH);
    double[] target =
        sim.robotModel()
            .reach()
            .reach(-0.2, 0.5, SimRobot.PUSH_HEIGHT_M, sim.jointState().positionsRad())
            .joints()
            .orElseThrow();
    double maxSpeed = 0;
    for (int i = 0; i < 250; i++) {
      sim.step(target);
      for (double v : sim.jointState().velocitiesRadPerS()) {
        maxSpeed = Math.max(maxSpeed, Math.abs(v));
      }
    }
    assertArrayEquals(target, sim.jointState().positionsRad(), 1e-9);
    assertArrayEquals(target, sim.lastAction(), 0.0);
    assertEquals(-0.2, sim.groundTruth().effectorXM(), 1e-6);
    assertEquals(0.5, sim.groundTruth().effectorYM(), 1e-6);
    assertTrue(maxSpeed <= sim.robot().joint(0).maxVelocityRadPerS() + 1e-9, "speed " + maxSpeed);
    assertTrue(maxSpeed > 0.5, "it moved fast enough to see the limit: " + maxSpeed);
  }

  @Test
  void thePusherPushesAnObjectItMovesThrough() {
    TabletopSim sim = TabletopSim.create(ur5e(false));
    sim.reset(11, TaskFamily.PUSH_DIRECTION);
    ObjectState o = sim.groundTruth().taskObject();
    // Drive the tip from beside the object through its centre, 5 mm per step.
    double[] q = sim.jointState().positionsRad();
    double side = o.halfSizeM() + Table.PUSHER_RADIUS_M + 0.03;
    double x0 = o.xM() - side;
    for (int i = 0; i <= 200; i++) {
      double x = x0 + Math.min(i * 0.005, side + 0.02);
      double y = i < 100 ? o.yM() - 0.08 + Math.min(i, 16) * 0.005 : o.yM();
      q = sim.robotModel().reach().reach(x, y, SimRobot.PUSH_HEIGHT_M, q).joints().orElseThrow();
      sim.step(q);
    }
    ObjectState after = sim.groundTruth().taskObject();
    assertTrue(
        Math.abs(after.xM() - o.xM()) > 0.005 || Math.abs(after.yM() - o.yM()) > 0.005,
        "moved from " + o + " to " + after);
  }

  private static boolean inside(PixelPoint p) {
    return p.xPx() >= 1 && p.yPx() >= 1 && p.xPx() <= 318 && p.yPx() <= 238;
  }

  @Test
  void aRenderShowsTheArmAtItsProjectedTipAndTheObjectsInTheirColours() {
    TabletopSim sim = TabletopSim.create(ur5e(false));
    int objectsChecked = 0;
    for (long seed = 0; seed < 6; seed++) {
      sim.reset(seed, TaskFamily.PUSH_TO_TARGET);
      ScriptedExpert expert = new ScriptedExpert();
      advance(sim, expert, 60);
      Frame f = sim.render(320, 240);
      CameraModel cam = sim.renderCamera(320, 240);
      List<Vec3> pts = sim.robotModel().reach().framePoints(sim.jointState().positionsRad());
      // The pusher foot's centre and the middle of the last link (flange and pusher rod, straight
      // above the tip): light and dark grey metal.
      Vec3 tip = pts.get(pts.size() - 1);
      PixelPoint foot = cam.project(new Vec3(tip.xM(), tip.yM(), tip.zM() + 0.025)).orElseThrow();
      assertTrue(inside(foot), "foot in view: " + foot);
      double[] hsv =
          Colours.toHsv(f.rgbAt((int) Math.round(foot.xPx()), (int) Math.round(foot.yPx())));
      assertTrue(hsv[1] < 0.15, "foot pixel hsv " + java.util.Arrays.toString(hsv));
      Vec3 a = pts.get(pts.size() - 2);
      Vec3 b = pts.get(pts.size() - 1);
      PixelPoint wrist =
          cam.project(new Vec3((a.xM() + b.xM()) / 2, (a.yM() + b.yM()) / 2, (a.zM() + b.zM()) / 2))
              .orElseThrow();
      assertTrue(inside(wrist), "wrist in view: " + wrist);
      hsv = Colours.toHsv(f.rgbAt((int) Math.round(wrist.xPx()), (int) Math.round(wrist.yPx())));
      assertTrue(hsv[1] < 0.2 && hsv[2] < 0.5, "wrist pixel hsv " + java.util.Arrays.toString(hsv));
      // Objects the arm does not cover show their palette colour.
      for (ObjectState o : sim.groundTruth().objects()) {
        PixelPoint p = cam.project(new Vec3(o.xM(), o.yM(), o.heightM())).orElseThrow();
        if (!inside(p)) {
          continue;
        }
        SurfacePoint s = sim.surfaceAt(320, 240, p).orElseThrow();
        if (s.surface() != SurfacePoint.Surface.OBJECT) {
          continue;
        }
        double[] c = Colours.toHsv(f.rgbAt((int) Math.round(p.xPx()), (int) Math.round(p.yPx())));
        double d = Math.abs(c[0] - o.colour().hueDeg()) % 360;
        assertTrue(Math.min(d, 360 - d) <= 15, o.name() + " hue " + c[0]);
        assertTrue(c[1] >= 0.45, o.name() + " saturation " + c[1]);
        objectsChecked++;
      }
    }
    assertTrue(objectsChecked >= 12, "checked " + objectsChecked);
  }

  @Test
  void aPointPickedOnTheArmFollowsTheArm() {
    TabletopSim sim = TabletopSim.create(ur5e(false));
    sim.reset(2, TaskFamily.PUSH_DIRECTION);
    ScriptedExpert expert = new ScriptedExpert();
    advance(sim, expert, 20);
    CameraModel cam = sim.renderCamera(256, 256);
    List<Vec3> pts = sim.robotModel().reach().framePoints(sim.jointState().positionsRad());
    Vec3 a = pts.get(pts.size() - 3);
    Vec3 b = pts.get(pts.size() - 2);
    Vec3 mid = new Vec3((a.xM() + b.xM()) / 2, (a.yM() + b.yM()) / 2, (a.zM() + b.zM()) / 2);
    PixelPoint px = cam.project(mid).orElseThrow();
    SurfacePoint sp = sim.surfaceAt(256, 256, px).orElseThrow();
    assertEquals(SurfacePoint.Surface.ARM, sp.surface());
    // Where it is now projects back to the pixel it was picked at.
    PixelPoint back = cam.project(sp.locate(sim.groundTruth())).orElseThrow();
    assertEquals(px.xPx(), back.xPx(), 0.05);
    assertEquals(px.yPx(), back.yPx(), 0.05);
    // After the arm moves it is still on the same link, the same distance from the joint.
    advance(sim, expert, 40);
    List<Vec3> later = sim.robotModel().reach().framePoints(sim.jointState().positionsRad());
    Vec3 moved = sp.locate(sim.groundTruth());
    Vec3 a2 = later.get(sp.index());
    Vec3 b2 = later.get(sp.index() + 1);
    double along =
        ((moved.xM() - a2.xM()) * (b2.xM() - a2.xM())
                + (moved.yM() - a2.yM()) * (b2.yM() - a2.yM())
                + (moved.zM() - a2.zM()) * (b2.zM() - a2.zM()))
            / Math.sqrt(
                Math.pow(b2.xM() - a2.xM(), 2)
                    + Math.pow(b2.yM() - a2.yM(), 2)
                    + Math.pow(b2.zM() - a2.zM(), 2));
    assertEquals(sp.localXM(), along, 0.02);
    assertTrue(
        Math.hypot(moved.xM() - mid.xM(), moved.yM() - mid.yM()) > 0.01, "the arm moved the point");
  }

  @Test
  void theScriptedExpertSolvesAFewSeedsOfEveryFamily() {
    TabletopSim sim = TabletopSim.create(ur5e(false));
    ScriptedExpert expert = new ScriptedExpert();
    for (TaskFamily family : TaskFamily.values()) {
      for (long seed = 500; seed < 504; seed++) {
        assertTrue(
            ExpertEvaluation.runEpisode(sim, expert, seed, family), family + " seed " + seed);
      }
    }
  }

  @Test
  void thePlanarArmIsUnchangedByTheRobotOption() {
    TabletopSim a = TabletopSim.create(SimConfig.defaults());
    TabletopSim b = TabletopSim.create(SimConfig.builder().optRobot(RobotModels.PLANAR3).build());
    a.reset(9, TaskFamily.PUSH_DIRECTION);
    b.reset(9, TaskFamily.PUSH_DIRECTION);
    ScriptedExpert ea = new ScriptedExpert();
    ScriptedExpert eb = new ScriptedExpert();
    advance(a, ea, 60);
    advance(b, eb, 60);
    assertEquals(3, a.jointState().positionsRad().length);
    assertArrayEquals(a.jointState().positionsRad(), b.jointState().positionsRad());
    assertArrayEquals(a.render(64, 64).rgbUnsafe(), b.render(64, 64).rgbUnsafe());
  }
}
