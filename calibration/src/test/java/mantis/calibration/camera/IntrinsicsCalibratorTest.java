package mantis.calibration.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mantis.calibration.CameraIntrinsics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point3;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

class IntrinsicsCalibratorTest {
  private static final CalibrationBoard CHESS = CalibrationBoard.chessboard(9, 6, 25);
  private static final CalibrationBoard CHARUCO =
      CalibrationBoard.charuco(7, 5, 30, 22, "DICT_5X5_100");

  private static IntrinsicsCalibrator calibrator(CalibrationBoard board) {
    return IntrinsicsCalibrator.builder().setBoard(board).build();
  }

  /**
   * fx and fy within 0.5% of the rendered camera; cx and cy within 4 px and within 4 of OpenCV's
   * standard deviations; RMS under 0.3 px; and the fitted distortion (an ideal pinhole was
   * rendered) moves no board corner of any view by more than 0.5 px. (k3 alone is weakly
   * determined, so it bends the image corners no board reached; those are not checked.)
   */
  private static void assertRecovers(IntrinsicsResult r, Point3[] boardCorners, String what) {
    CameraIntrinsics k = r.intrinsics();
    IntrinsicsStdDev sd = r.stdDev();
    double worstPx = 0;
    for (CalibrationView view : r.views()) {
      Rigid pose = Rigid.of(view.boardInCamera());
      for (Point3 p : boardCorners) {
        double[] c = pose.apply(p.x, p.y, p.z);
        double x = c[0] / c[2];
        double y = c[1] / c[2];
        double r2 = x * x + y * y;
        double radial = 1 + r2 * (k.k1() + r2 * (k.k2() + r2 * k.k3()));
        double xd = x * radial + 2 * k.p1() * x * y + k.p2() * (r2 + 2 * x * x);
        double yd = y * radial + k.p1() * (r2 + 2 * y * y) + 2 * k.p2() * x * y;
        worstPx = Math.max(worstPx, Math.hypot((xd - x) * k.fxPx(), (yd - y) * k.fyPx()));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s: fx %.2f fy %.2f cx %.2f cy %.2f (true %.2f %.2f %.2f %.2f; std dev %.2f %.2f %.2f"
            + " %.2f), RMS %.3f px, %d views, distortion %s moves board corners by <= %.3f px%n",
        what,
        k.fxPx(),
        k.fyPx(),
        k.cxPx(),
        k.cyPx(),
        SyntheticCamera.FX,
        SyntheticCamera.FY,
        SyntheticCamera.CX,
        SyntheticCamera.CY,
        sd.fxPx(),
        sd.fyPx(),
        sd.cxPx(),
        sd.cyPx(),
        r.rmsErrorPx(),
        r.views().size(),
        java.util.Arrays.toString(r.distortion()),
        worstPx);
    assertEquals(SyntheticCamera.WIDTH, k.widthPx());
    assertEquals(SyntheticCamera.HEIGHT, k.heightPx());
    assertEquals(SyntheticCamera.FX, k.fxPx(), SyntheticCamera.FX * 0.005, "fx");
    assertEquals(SyntheticCamera.FY, k.fyPx(), SyntheticCamera.FY * 0.005, "fy");
    assertEquals(SyntheticCamera.CX, k.cxPx(), Math.min(4.0, 4 * sd.cxPx()), "cx");
    assertEquals(SyntheticCamera.CY, k.cyPx(), Math.min(4.0, 4 * sd.cyPx()), "cy");
    assertTrue(r.rmsErrorPx() < 0.3, "RMS " + r.rmsErrorPx());
    assertTrue(worstPx < 0.5, "distortion of an ideal pinhole moves corners by " + worstPx);
  }

  @Test
  @Tag("slow")
  void recoversKnownIntrinsicsFromRenderedChessboardImages(@TempDir Path dir) throws Exception {
    Mat texture = SyntheticCamera.chessboardTexture(9, 6, 60);
    SyntheticCamera.render(texture, 0.025, 60, 16, 11, dir);
    IntrinsicsResult r = calibrator(CHESS).calibrate(dir);
    assertEquals(16, r.views().size(), "rejected: " + r.rejected());
    assertEquals(54, r.views().get(0).corners());
    assertRecovers(r, SyntheticCamera.chessboardCorners(9, 6, 0.025), "chessboard (synthetic)");
    assertEquals(r.rmsErrorPx(), rms(r), 0.05);
  }

  @Test
  @Tag("slow")
  void recoversKnownIntrinsicsFromRenderedCharucoImages(@TempDir Path dir) throws Exception {
    Mat texture = SyntheticCamera.charucoTexture(CHARUCO, 60);
    SyntheticCamera.render(texture, 0.030, 60, 20, 13, dir);
    IntrinsicsResult r = calibrator(CHARUCO).calibrate(dir);
    assertEquals(20, r.views().size(), "rejected: " + r.rejected());
    assertTrue(r.views().get(0).corners() >= 20, "corners " + r.views().get(0).corners());
    assertRecovers(r, SyntheticCamera.chessboardCorners(6, 4, 0.030), "charuco (synthetic)");
  }

  @Test
  void eachViewsBoardPoseMatchesTheRenderedPose(@TempDir Path dir) throws Exception {
    List<SyntheticCamera.Rendered> rendered =
        SyntheticCamera.render(SyntheticCamera.chessboardTexture(9, 6, 60), 0.025, 60, 8, 3, dir);
    IntrinsicsResult r = calibrator(CHESS).calibrate(dir);
    assertEquals(8, r.views().size());
    // The board's origin, its first inner corner, is two squares in from the texture's corner.
    Rigid origin =
        new Rigid(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, new double[] {0.05, 0.05, 0});
    for (int i = 0; i < 8; i++) {
      CalibrationView v = r.views().get(i);
      assertEquals(rendered.get(i).file(), v.image());
      Rigid truth = rendered.get(i).textureInCamera().times(origin);
      Rigid error = truth.inverse().times(Rigid.of(v.boardInCamera()));
      assertTrue(
          error.translationNormM() < 0.003, v + " position error " + error.translationNormM());
      assertTrue(Math.toDegrees(error.angleRad()) < 0.5, v + " angle error " + error.angleRad());
    }
  }

  @Test
  void imagesWithoutTheBoardOrUndecodableAreLeftOutWithTheReason(@TempDir Path dir)
      throws Exception {
    SyntheticCamera.render(SyntheticCamera.chessboardTexture(9, 6, 60), 0.025, 60, 5, 4, dir);
    blank(dir.resolve("blank.png"), SyntheticCamera.WIDTH, SyntheticCamera.HEIGHT);
    Files.writeString(dir.resolve("broken.jpg"), "not a jpeg");
    Files.writeString(dir.resolve("notes.txt"), "ignored: not an image name");
    List<String> seen = new ArrayList<>();
    IntrinsicsResult r =
        IntrinsicsCalibrator.builder()
            .setBoard(CHESS)
            .optProgress((done, total, image, ok) -> seen.add(done + "/" + total + " " + ok))
            .build()
            .calibrate(dir);
    assertEquals(5, r.views().size());
    assertEquals(2, r.rejected().size());
    assertEquals("board not found", reason(r, "blank.png"));
    assertTrue(reason(r, "broken.jpg").startsWith("cannot decode the image"));
    assertEquals(7, seen.size());
    assertEquals("7/7 true", seen.get(6));
  }

  @Test
  void anEmptyFolderIsAClearError(@TempDir Path dir) {
    CalibrationException e =
        assertThrows(CalibrationException.class, () -> calibrator(CHESS).calibrate(dir));
    assertTrue(e.getMessage().startsWith("no images in " + dir), e.getMessage());
  }

  @Test
  void aMissingFolderIsAClearError(@TempDir Path dir) {
    Path missing = dir.resolve("nope");
    CalibrationException e =
        assertThrows(CalibrationException.class, () -> calibrator(CHESS).calibrate(missing));
    assertEquals("no such folder: " + missing, e.getMessage());
  }

  @Test
  void tooFewImagesWithTheBoardIsAClearErrorNamingTheRejections(@TempDir Path dir)
      throws Exception {
    SyntheticCamera.render(SyntheticCamera.chessboardTexture(9, 6, 60), 0.025, 60, 2, 5, dir);
    blank(dir.resolve("zz-blank.png"), SyntheticCamera.WIDTH, SyntheticCamera.HEIGHT);
    CalibrationException e =
        assertThrows(CalibrationException.class, () -> calibrator(CHESS).calibrate(dir));
    assertTrue(
        e.getMessage()
            .startsWith(
                "the chessboard 9x6 inner corners, 25.0 mm was found in 2 of 3 images; at least 3"
                    + " are needed (zz-blank.png: board not found)"),
        e.getMessage());
  }

  @Test
  void aBoardGivenBySquaresInsteadOfInnerCornersIsFoundNowhereAndTheMessageSaysWhy(
      @TempDir Path dir) throws Exception {
    SyntheticCamera.render(SyntheticCamera.chessboardTexture(9, 6, 60), 0.025, 60, 1, 6, dir);
    CalibrationException e =
        assertThrows(
            CalibrationException.class,
            () -> calibrator(CalibrationBoard.chessboard(10, 7, 25)).calibrate(dir));
    assertTrue(e.getMessage().contains("found in 0 of 1 images"), e.getMessage());
    assertTrue(e.getMessage().contains("a board of 10 x 7 squares has 9 x 6"), e.getMessage());
  }

  @Test
  void mixedImageSizesAreAClearError(@TempDir Path dir) throws Exception {
    SyntheticCamera.render(SyntheticCamera.chessboardTexture(9, 6, 60), 0.025, 60, 3, 7, dir);
    blank(dir.resolve("view99.png"), 320, 240);
    CalibrationException e =
        assertThrows(CalibrationException.class, () -> calibrator(CHESS).calibrate(dir));
    assertTrue(
        e.getMessage()
            .startsWith("mixed image sizes: " + dir.resolve("view00.png") + " is 640x480"),
        e.getMessage());
    assertTrue(e.getMessage().contains("view99.png is 320x240"), e.getMessage());
  }

  @Test
  void boardDescriptionsAreCheckedWithClearMessages() {
    assertThrows(IllegalArgumentException.class, () -> CalibrationBoard.chessboard(1, 6, 25));
    IllegalArgumentException square =
        assertThrows(IllegalArgumentException.class, () -> CalibrationBoard.chessboard(7, 7, 25));
    assertTrue(square.getMessage().contains("must differ"));
    assertThrows(IllegalArgumentException.class, () -> CalibrationBoard.chessboard(9, 6, 0));
    IllegalArgumentException marker =
        assertThrows(
            IllegalArgumentException.class,
            () -> CalibrationBoard.charuco(7, 5, 30, 30, "DICT_5X5_100"));
    assertTrue(marker.getMessage().contains("smaller than the square"));
    IllegalArgumentException dict =
        assertThrows(
            IllegalArgumentException.class,
            () -> CalibrationBoard.charuco(7, 5, 30, 20, "DICT_5X5_101"));
    assertTrue(dict.getMessage().startsWith("unknown ArUco dictionary 'DICT_5X5_101'"));
    assertEquals(BoardType.CHARUCO, BoardType.parse("ChArUco"));
    assertThrows(IllegalArgumentException.class, () -> BoardType.parse("circles"));
  }

  private static String reason(IntrinsicsResult r, String name) {
    return r.rejected().stream()
        .filter(x -> x.image().getFileName().toString().equals(name))
        .findFirst()
        .orElseThrow()
        .reason();
  }

  /** The RMS over all corners recomputed from the per-view errors. */
  private static double rms(IntrinsicsResult r) {
    double sum = 0;
    int n = 0;
    for (CalibrationView v : r.views()) {
      sum += v.rmsErrorPx() * v.rmsErrorPx() * v.corners();
      n += v.corners();
    }
    return Math.sqrt(sum / n);
  }

  private static void blank(Path file, int w, int h) {
    OpenCvNatives.ensureLoaded();
    Imgcodecs.imwrite(file.toString(), new Mat(h, w, CvType.CV_8UC1, new Scalar(180)));
  }
}
