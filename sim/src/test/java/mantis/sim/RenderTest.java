package mantis.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import mantis.calibration.CameraModel;
import mantis.calibration.Vec3;
import mantis.core.Frame;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenderTest {

  private static double[] hsvAt(Frame f, PixelPoint p) {
    int x = (int) Math.round(p.xPx());
    int y = (int) Math.round(p.yPx());
    return Colours.toHsv(f.rgbAt(x, y));
  }

  private static double hueDistance(double a, double b) {
    double d = Math.abs(a - b) % 360;
    return Math.min(d, 360 - d);
  }

  /** Distance from a table point to the arm's links and pusher. */
  private static double distanceToArm(TabletopSim sim, double x, double y) {
    double[] fk = new double[8];
    Table.jointPositions(sim.jointState().positionsRad(), fk);
    double d = Double.POSITIVE_INFINITY;
    for (int i = 0; i < 3; i++) {
      d =
          Math.min(
              d,
              SceneGenerator.segmentDistance(
                  x, y, fk[2 * i], fk[2 * i + 1], fk[2 * i + 2], fk[2 * i + 3]));
    }
    return d;
  }

  @ParameterizedTest
  @CsvSource({"64,64", "128,128", "100,60", "320,240", "640,480"})
  void everyObjectShowsItsPaletteColourAtItsProjectedCentre(int w, int h) {
    for (Embodiment embodiment : Embodiment.values()) {
      for (boolean dr : new boolean[] {false, true}) {
        TabletopSim sim =
            TabletopSim.create(
                SimConfig.builder().optEmbodiment(embodiment).optDomainRandomization(dr).build());
        int checked = 0;
        for (long seed = 0; seed < 15; seed++) {
          sim.reset(seed, TaskFamily.values()[(int) (seed % 3)]);
          Frame f = sim.render(w, h);
          assertEquals(w, f.widthPx());
          assertEquals(h, f.heightPx());
          CameraModel cam = sim.renderCamera(w, h);
          for (ObjectState o : sim.groundTruth().objects()) {
            if (embodiment == Embodiment.ARM
                && distanceToArm(sim, o.xM(), o.yM()) < o.halfSizeM() * 1.5 + 0.03) {
              continue; // the arm passes over it
            }
            PixelPoint p = cam.project(new Vec3(o.xM(), o.yM(), o.heightM())).orElseThrow();
            double[] hsv = hsvAt(f, p);
            String where = o.name() + " seed " + seed + " dr=" + dr + " " + embodiment + " at " + p;
            assertTrue(hueDistance(hsv[0], o.colour().hueDeg()) <= 15, where + " hue " + hsv[0]);
            assertTrue(hsv[1] >= 0.45, where + " saturation " + hsv[1]);
            checked++;
          }
        }
        assertTrue(checked > 30, "checked " + checked);
      }
    }
  }

  @Test
  void everythingButObjectsAndTargetOutlinesIsLowSaturation() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    int w = 160;
    int h = 120;
    for (long seed = 0; seed < 40; seed++) {
      sim.reset(seed, TaskFamily.PUSH_TO_TARGET);
      Frame f = sim.render(w, h);
      CameraModel cam = sim.renderCamera(w, h);
      WorldState ws = sim.groundTruth();
      for (int y = 0; y < h; y += 2) {
        for (int x = 0; x < w; x += 2) {
          Optional<mantis.calibration.TablePoint> tp = cam.pixelToTable(new PixelPoint(x, y), 0.0);
          if (tp.isEmpty()) {
            continue;
          }
          double tx = tp.get().xM();
          double ty = tp.get().yM();
          boolean nearSomething = false;
          for (ObjectState o : ws.objects()) {
            nearSomething |= Math.hypot(tx - o.xM(), ty - o.yM()) < o.halfSizeM() * 1.5 + 0.02;
          }
          for (TargetZone t : ws.targets()) {
            nearSomething |=
                Math.abs(tx - t.xM()) < t.halfSizeM() + 0.01
                    && Math.abs(ty - t.yM()) < t.halfSizeM() + 0.01;
          }
          if (nearSomething) {
            continue;
          }
          double s = Colours.toHsv(f.rgbAt(x, y))[1];
          assertTrue(s < 0.45, "seed " + seed + " pixel " + x + "," + y + " saturation " + s);
        }
      }
    }
  }

  @Test
  void theArmIsDrawnInDarkGreyAndTheHandInSkinTones() {
    TabletopSim arm = TabletopSim.create(SimConfig.defaults());
    TabletopSim hand =
        TabletopSim.create(SimConfig.builder().optEmbodiment(Embodiment.HAND).build());
    for (long seed = 0; seed < 10; seed++) {
      arm.reset(seed, TaskFamily.REACH);
      hand.reset(seed, TaskFamily.REACH);
      Frame fa = arm.render(320, 240);
      Frame fh = hand.render(320, 240);
      WorldState wa = arm.groundTruth();
      WorldState wh = hand.groundTruth();
      // The last link's middle, seen at link height.
      double[] fk = new double[8];
      Table.jointPositions(arm.jointState().positionsRad(), fk);
      double mx = (fk[4] + fk[6]) / 2;
      double my = (fk[5] + fk[7]) / 2;
      PixelPoint link = arm.renderCamera(320, 240).project(new Vec3(mx, my, 0.07)).orElseThrow();
      double[] hsv = hsvAt(fa, link);
      assertTrue(hsv[1] < 0.2 && hsv[2] < 0.5, "arm pixel hsv " + java.util.Arrays.toString(hsv));
      PixelPoint palm =
          hand.renderCamera(320, 240)
              .project(new Vec3(wh.effectorXM(), wh.effectorYM(), 0.05))
              .orElseThrow();
      hsv = hsvAt(fh, palm);
      assertTrue(
          hsv[0] > 10 && hsv[0] < 40 && hsv[1] > 0.15 && hsv[1] < 0.45 && hsv[2] > 0.6,
          "palm pixel hsv " + java.util.Arrays.toString(hsv));
      // No arm in the hand's frames: the same link pixel shows no dark grey there.
      double[] handAtLink = hsvAt(fh, link);
      assertTrue(
          handAtLink[2] > 0.3 || handAtLink[1] > 0.2,
          "hand frame has the arm? " + java.util.Arrays.toString(handAtLink));
      assertEquals(wa.objects(), wh.objects());
    }
  }

  @Test
  void domainRandomisationChangesTheLookButNotTheNominalCamera() {
    TabletopSim plain =
        TabletopSim.create(SimConfig.builder().optDomainRandomization(false).build());
    TabletopSim random = TabletopSim.create(SimConfig.defaults());
    int differentTables = 0;
    for (long seed = 0; seed < 10; seed++) {
      plain.reset(seed, TaskFamily.REACH);
      random.reset(seed, TaskFamily.REACH);
      assertEquals(plain.camera(640, 480), plain.renderCamera(640, 480));
      assertEquals(CameraModel.mantisDefault(640, 480), random.camera(640, 480));
      assertNotEquals(random.camera(640, 480), random.renderCamera(640, 480));
      // Jitter is small: a table point moves by a few pixels at most.
      Vec3 p = new Vec3(0.1, 0.4, 0.0);
      PixelPoint a = random.camera(640, 480).project(p).orElseThrow();
      PixelPoint b = random.renderCamera(640, 480).project(p).orElseThrow();
      double shift = Math.hypot(a.xPx() - b.xPx(), a.yPx() - b.yPx());
      assertTrue(shift > 0 && shift < 12, "jitter shift " + shift + " px");
      // The corner pixel is plain table in both; its colour differs with randomisation.
      if (plain.render(64, 48).rgbAt(0, 0) != random.render(64, 48).rgbAt(0, 0)) {
        differentTables++;
      }
    }
    assertTrue(differentTables >= 8, "randomised tables " + differentTables);
  }

  @Test
  void distractorsAreLowSaturationAndNeverPaletteColoured() {
    for (long seed = 0; seed < 500; seed++) {
      Appearance a = Appearance.random(new java.util.SplittableRandom(seed));
      for (Appearance.Distractor d : a.distractors()) {
        assertTrue(Colours.toHsv(d.rgb())[1] <= 0.26, "distractor saturation");
      }
      assertTrue(Colours.toHsv(a.tableRgb())[1] <= 0.31, "table saturation");
    }
  }

  @Test
  void renderingRejectsBadSizesAndBuffers() {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    assertThrows(IllegalStateException.class, () -> sim.render(64, 64));
    sim.reset(0, TaskFamily.REACH);
    assertThrows(IllegalArgumentException.class, () -> sim.render(0, 64));
    assertThrows(IllegalArgumentException.class, () -> sim.renderInto(64, 64, new byte[10]));
  }
}
