package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CameraShakeTest {

  private static void advance(TabletopSim sim, ScriptedExpert expert, int steps) {
    for (int i = 0; i < steps; i++) {
      double[] a = expert.act(sim);
      if (sim.embodiment() == Embodiment.ARM) {
        sim.step(a);
      } else {
        sim.stepHand(a[0], a[1]);
      }
    }
  }

  @Test
  void shakeIsOffByDefaultAndTheCameraStaysPutWithoutIt() {
    assertEquals(0.0, SimConfig.defaults().cameraShake());
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(5, TaskFamily.PUSH_DIRECTION);
    CameraModel first = sim.renderCamera(128, 128);
    advance(sim, new ScriptedExpert(), 20);
    assertEquals(first, sim.renderCamera(128, 128));
  }

  @Test
  void shakenCameraMovesFromFrameToFrameByAFewPixelsAtMost() {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optCameraShake(1.0).build());
    sim.reset(11, TaskFamily.PUSH_TO_TARGET);
    ScriptedExpert expert = new ScriptedExpert();
    Vec3 probe = new Vec3(0.1, 0.3, 0.0);
    PixelPoint p0 = sim.renderCamera(128, 128).project(probe).orElseThrow();
    PixelPoint nominal = sim.camera(128, 128).project(probe).orElseThrow();
    double maxMove = 0;
    CameraModel previous = sim.renderCamera(128, 128);
    int changes = 0;
    for (int i = 0; i < 100; i++) {
      advance(sim, expert, 1);
      CameraModel now = sim.renderCamera(128, 128);
      if (!now.equals(previous)) {
        changes++;
      }
      previous = now;
      PixelPoint p = now.project(probe).orElseThrow();
      maxMove = Math.max(maxMove, Math.hypot(p.xPx() - p0.xPx(), p.yPx() - p0.yPx()));
      // Bounded: jitter (≤ 3 mm, 0.3°) plus shake (≤ 4 mm, 0.4°) is a few pixels at 128x128.
      assertTrue(Math.hypot(p.xPx() - nominal.xPx(), p.yPx() - nominal.yPx()) < 5.0);
    }
    assertEquals(100, changes);
    assertTrue(maxMove > 0.3, "the camera should visibly move, moved " + maxMove + " px");
  }

  @ParameterizedTest
  @EnumSource(Embodiment.class)
  void shakeIsDeterministicForTheSeedAndDiffersBetweenSeeds(Embodiment embodiment) {
    SimConfig config = SimConfig.builder().optEmbodiment(embodiment).optCameraShake(1.5).build();
    TabletopSim a = TabletopSim.create(config);
    TabletopSim b = TabletopSim.create(config);
    TabletopSim c = TabletopSim.create(config);
    a.reset(42, TaskFamily.REACH);
    b.reset(42, TaskFamily.REACH);
    c.reset(43, TaskFamily.REACH);
    ScriptedExpert ea = new ScriptedExpert();
    ScriptedExpert eb = new ScriptedExpert();
    ScriptedExpert ec = new ScriptedExpert();
    for (int i = 0; i < 5; i++) {
      advance(a, ea, 7);
      advance(b, eb, 7);
      advance(c, ec, 7);
      assertEquals(a.renderCamera(64, 64), b.renderCamera(64, 64));
      assertArrayEquals(a.render(64, 64).rgbUnsafe(), b.render(64, 64).rgbUnsafe());
      assertNotEquals(a.renderCamera(64, 64), c.renderCamera(64, 64));
    }
  }

  @Test
  void shakenFramesAreDrawnThroughTheCurrentCamera() {
    SimConfig config = SimConfig.builder().optCameraShake(2.0).build();
    TabletopSim sim = TabletopSim.create(config);
    sim.reset(3, TaskFamily.REACH);
    ScriptedExpert expert = new ScriptedExpert();
    advance(sim, expert, 10);
    byte[] shaken = sim.render(96, 96).rgbUnsafe().clone();
    // The frame changes with the camera even when nothing else does: compare with an unshaken sim
    // in the same state.
    TabletopSim still = TabletopSim.create(config.toBuilder().optCameraShake(0).build());
    still.reset(3, TaskFamily.REACH);
    advance(still, new ScriptedExpert(), 10);
    assertFalse(java.util.Arrays.equals(shaken, still.render(96, 96).rgbUnsafe()));
    assertThrows(
        IllegalArgumentException.class, () -> SimConfig.builder().optCameraShake(-1).build());
  }

  @ParameterizedTest
  @EnumSource(Embodiment.class)
  void aPickedSurfacePointProjectsBackToItsPixelAndFollowsItsSurface(Embodiment embodiment) {
    TabletopSim sim =
        TabletopSim.create(
            SimConfig.builder().optEmbodiment(embodiment).optCameraShake(1.0).build());
    sim.reset(8, TaskFamily.PUSH_DIRECTION);
    ScriptedExpert expert = new ScriptedExpert();
    advance(sim, expert, 40);
    int tables = 0;
    int effectors = 0;
    for (int v = 2; v < 128; v += 5) {
      for (int u = 2; u < 128; u += 5) {
        PixelPoint px = new PixelPoint(u + 0.25, v - 0.25);
        SurfacePoint sp = sim.surfaceAt(128, 128, px).orElseThrow();
        PixelPoint back =
            sim.renderCamera(128, 128).project(sp.locate(sim.groundTruth())).orElseThrow();
        assertEquals(px.xPx(), back.xPx(), 1e-6);
        assertEquals(px.yPx(), back.yPx(), 1e-6);
        if (sp.surface() == SurfacePoint.Surface.TABLE) {
          tables++;
        }
        if (sp.onEffector()) {
          effectors++;
        }
      }
    }
    assertTrue(tables > 300);
    assertTrue(effectors > 0, "the arm or hand should be in view");
    // The effector point follows the effector: after moving, the located point is on the same
    // surface.
    PixelPoint tip =
        sim.renderCamera(128, 128)
            .project(
                new Vec3(sim.groundTruth().effectorXM(), sim.groundTruth().effectorYM(), 0.035))
            .orElseThrow();
    SurfacePoint onTip = sim.surfaceAt(128, 128, tip).orElseThrow();
    assertTrue(onTip.onEffector());
    advance(sim, expert, 15);
    PixelPoint later =
        sim.renderCamera(128, 128).project(onTip.locate(sim.groundTruth())).orElseThrow();
    SurfacePoint again = sim.surfaceAt(128, 128, later).orElseThrow();
    assertEquals(onTip.surface(), again.surface());
    assertEquals(onTip.localXM(), again.localXM(), 1e-6);
    assertEquals(onTip.localYM(), again.localYM(), 1e-6);
  }
}
