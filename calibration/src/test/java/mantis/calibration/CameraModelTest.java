package mantis.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import mantis.core.PixelPoint;
import org.junit.jupiter.api.Test;

class CameraModelTest {
  private static final double[][] DISTORTIONS = {
    {0, 0, 0, 0, 0},
    {-0.12, 0.03, 0.001, -0.0015, -0.002},
    {0.08, -0.02, -0.002, 0.001, 0.004},
  };

  @Test
  void projectThenPixelToTableRoundTripsWithAndWithoutDistortion() {
    Random rng = new Random(7);
    for (double[] d : DISTORTIONS) {
      for (int[] size : new int[][] {{640, 480}, {128, 128}, {64, 64}}) {
        CameraModel base = CameraModel.mantisDefault(size[0], size[1]);
        CameraModel cam =
            new CameraModel(
                base.intrinsics().withDistortion(d[0], d[1], d[2], d[3], d[4]), base.extrinsics());
        for (int i = 0; i < 2000; i++) {
          double x = -0.38 + 0.76 * rng.nextDouble();
          double y = 0.07 + 0.58 * rng.nextDouble();
          double z = 0.08 * rng.nextDouble();
          PixelPoint px = cam.project(new Vec3(x, y, z)).orElseThrow();
          TablePoint back = cam.pixelToTable(px, z).orElseThrow();
          PixelPoint again = cam.project(back.atHeight(z)).orElseThrow();
          assertEquals(px.xPx(), again.xPx(), 1e-6);
          assertEquals(px.yPx(), again.yPx(), 1e-6);
          assertEquals(x, back.xM(), 1e-9);
          assertEquals(y, back.yM(), 1e-9);
        }
      }
    }
  }

  @Test
  void pixelToTableThenProjectRoundTripsOverTheWholeImage() {
    CameraModel base = CameraModel.mantisDefault(640, 480);
    CameraModel cam =
        new CameraModel(
            base.intrinsics().withDistortion(-0.1, 0.02, 0.001, 0.001, 0.0), base.extrinsics());
    for (int v = 0; v < 480; v += 7) {
      for (int u = 0; u < 640; u += 7) {
        PixelPoint px = new PixelPoint(u, v);
        TablePoint t = cam.pixelToTable(px, 0.0).orElseThrow();
        PixelPoint back = cam.project(t.atHeight(0.0)).orElseThrow();
        assertEquals(u, back.xPx(), 1e-6);
        assertEquals(v, back.yPx(), 1e-6);
      }
    }
  }

  @Test
  void defaultCameraSeesTheWholeWorkspaceWithTheImageAxesAlongTheTable() {
    CameraModel cam = CameraModel.mantisDefault(640, 480);
    for (double x : new double[] {-0.38, 0.38}) {
      for (double y : new double[] {0.07, 0.65}) {
        PixelPoint px = cam.project(new Vec3(x, y, 0)).orElseThrow();
        assertTrue(
            px.xPx() >= -0.5 - 1e-9 && px.xPx() <= 639.5 + 1e-9,
            "corner (" + x + ", " + y + ") at " + px);
        assertTrue(
            px.yPx() >= -0.5 - 1e-9 && px.yPx() <= 479.5 + 1e-9,
            "corner (" + x + ", " + y + ") at " + px);
      }
    }
    PixelPoint centre = cam.project(new Vec3(0, 0.36, 0)).orElseThrow();
    assertEquals(319.5, centre.xPx(), 1e-9);
    assertEquals(239.5, centre.yPx(), 1e-9);
    PixelPoint right = cam.project(new Vec3(0.1, 0.36, 0)).orElseThrow();
    PixelPoint far = cam.project(new Vec3(0, 0.46, 0)).orElseThrow();
    assertTrue(right.xPx() > centre.xPx(), "+x world is +x image");
    assertTrue(far.yPx() < centre.yPx(), "+y world is up in the image");
    // The y extent binds: the top edge of the region lies on the image border.
    PixelPoint top = cam.project(new Vec3(0, 0.65, 0)).orElseThrow();
    assertEquals(-0.5, top.yPx(), 1e-6);
  }

  @Test
  void defaultCameraAtAnySizeSeesTheSameTableRegion() {
    CameraModel big = CameraModel.mantisDefault(640, 480);
    CameraModel square = CameraModel.mantisDefault(128, 128);
    for (double[] p : new double[][] {{-0.3, 0.2}, {0.25, 0.5}, {0, 0.36}}) {
      PixelPoint a = big.project(new Vec3(p[0], p[1], 0)).orElseThrow();
      PixelPoint b = square.project(new Vec3(p[0], p[1], 0)).orElseThrow();
      // Fractions of the image (edges at -0.5 and size - 0.5) agree.
      assertEquals((a.xPx() + 0.5) / 640, (b.xPx() + 0.5) / 128, 1e-12);
      assertEquals((a.yPx() + 0.5) / 480, (b.yPx() + 0.5) / 128, 1e-12);
    }
    assertEquals(square, big.scaledTo(128, 128));
  }

  @Test
  void scaledToScalesFocalLengthsAndPrincipalPointAndKeepsDistortion() {
    CameraIntrinsics k =
        new CameraIntrinsics(640, 480, 800, 780, 319.5, 239.5, -0.1, 0.01, 0.001, 0.002, 0.003);
    CameraIntrinsics s = k.scaledTo(320, 120);
    assertEquals(400, s.fxPx(), 1e-12);
    assertEquals(195, s.fyPx(), 1e-12);
    assertEquals(159.5, s.cxPx(), 1e-12);
    assertEquals(59.5, s.cyPx(), 1e-12);
    assertEquals(-0.1, s.k1());
    assertEquals(0.003, s.k3());
    CameraIntrinsics back = s.scaledTo(640, 480);
    assertEquals(k.fxPx(), back.fxPx(), 1e-9);
    assertEquals(k.cyPx(), back.cyPx(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> k.scaledTo(0, 10));
  }

  @Test
  void ofFieldOfViewGivesSquarePixelsAndTheRequestedAngle() {
    CameraIntrinsics k = CameraIntrinsics.ofFieldOfView(640, 480, Math.toRadians(60));
    assertEquals(k.fxPx(), k.fyPx());
    assertEquals(Math.toRadians(60), k.horizontalFovRad(), 1e-12);
    assertEquals(320 / Math.tan(Math.toRadians(30)), k.fxPx(), 1e-9);
    assertTrue(k.isDistortionFree());
    assertThrows(IllegalArgumentException.class, () -> CameraIntrinsics.ofFieldOfView(640, 480, 0));
    assertThrows(
        IllegalArgumentException.class, () -> CameraIntrinsics.ofFieldOfView(640, 480, Math.PI));
  }

  @Test
  void distortionMovesOffAxisPixelsButNotThePrincipalPoint() {
    CameraModel plain = CameraModel.mantisDefault(640, 480);
    CameraModel barrel =
        new CameraModel(plain.intrinsics().withDistortion(-0.2, 0, 0, 0, 0), plain.extrinsics());
    Vec3 corner = new Vec3(0.35, 0.6, 0);
    Vec3 axis = new Vec3(0, 0.36, 0);
    assertNotEquals(plain.project(corner).orElseThrow(), barrel.project(corner).orElseThrow());
    assertEquals(
        plain.project(axis).orElseThrow().xPx(), barrel.project(axis).orElseThrow().xPx(), 1e-12);
    // Barrel distortion pulls corners toward the centre.
    assertTrue(
        barrel.project(corner).orElseThrow().xPx() < plain.project(corner).orElseThrow().xPx());
  }

  @Test
  void pointsBehindTheCameraDoNotProjectAndRaysAwayFromThePlaneMissIt() {
    CameraModel cam = CameraModel.mantisDefault(640, 480);
    assertTrue(cam.project(new Vec3(0, 0.36, 1.5)).isEmpty());
    assertTrue(cam.pixelToTable(new PixelPoint(320, 240), 1.5).isEmpty());
    assertTrue(cam.pixelToTable(new PixelPoint(Double.NaN, 240), 0).isEmpty());
  }

  @Test
  void perturbedExtrinsicsMoveTheCameraAndStillRoundTrip() {
    CameraExtrinsics nominal = CameraExtrinsics.lookingDown(new Vec3(0, 0.36, 1.0), 0);
    CameraExtrinsics moved = nominal.perturbed(0.01, -0.02, 0.03, 0.01, -0.02, 0.03);
    Vec3 c = moved.cameraPositionM();
    assertEquals(0.01, c.xM(), 1e-12);
    assertEquals(0.34, c.yM(), 1e-12);
    assertEquals(1.03, c.zM(), 1e-12);
    CameraModel cam = new CameraModel(CameraModel.mantisDefault(640, 480).intrinsics(), moved);
    PixelPoint px = cam.project(new Vec3(0.1, 0.3, 0.02)).orElseThrow();
    TablePoint back = cam.pixelToTable(px, 0.02).orElseThrow();
    assertEquals(0.1, back.xM(), 1e-9);
    assertEquals(0.3, back.yM(), 1e-9);
    assertNotEquals(
        CameraModel.mantisDefault(640, 480).project(new Vec3(0.1, 0.3, 0.02)).orElseThrow(), px);
    // A pure yaw about the optical axis keeps the principal ray and rotates the image.
    CameraExtrinsics yawed = nominal.perturbed(0, 0, 0, 0, 0, 0.1);
    CameraModel yawCam = new CameraModel(CameraModel.mantisDefault(640, 480).intrinsics(), yawed);
    PixelPoint onAxis = yawCam.project(new Vec3(0, 0.36, 0)).orElseThrow();
    assertEquals(319.5, onAxis.xPx(), 1e-9);
    assertEquals(239.5, onAxis.yPx(), 1e-9);
  }

  @Test
  void lookingDownWithYawTurnsTheImageAxes() {
    CameraExtrinsics e = CameraExtrinsics.lookingDown(new Vec3(0, 0, 1), Math.PI / 2);
    Vec3 p = e.toCamera(new Vec3(0, 0.1, 0));
    assertEquals(0.1, p.xM(), 1e-12); // world +y is now image +x
    assertEquals(0, p.yM(), 1e-12);
    assertEquals(1.0, p.zM(), 1e-12);
    Vec3 c = e.cameraPositionM();
    assertEquals(1.0, c.zM(), 1e-12);
  }

  @Test
  void extrinsicsRejectNonRotations() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CameraExtrinsics.of(new double[] {2, 0, 0, 0, 1, 0, 0, 0, 1}, new Vec3(0, 0, 0)));
    assertThrows(
        IllegalArgumentException.class,
        () -> CameraExtrinsics.of(new double[] {-1, 0, 0, 0, 1, 0, 0, 0, 1}, new Vec3(0, 0, 0)));
    CameraExtrinsics ok =
        CameraExtrinsics.of(new double[] {1, 0, 0, 0, -1, 0, 0, 0, -1}, new Vec3(0, 0.36, 1));
    assertEquals(1.0, ok.cameraPositionM().zM(), 1e-12);
    assertEquals(0.36, ok.cameraPositionM().yM(), 1e-12);
  }

  @Test
  void intrinsicsRejectBadValues() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new CameraIntrinsics(0, 480, 1, 1, 0, 0, 0, 0, 0, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new CameraIntrinsics(640, 480, -1, 1, 0, 0, 0, 0, 0, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new CameraIntrinsics(640, 480, 1, 1, 0, 0, Double.NaN, 0, 0, 0, 0));
  }
}
