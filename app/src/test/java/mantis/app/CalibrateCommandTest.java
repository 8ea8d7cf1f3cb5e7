package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint2f;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

class CalibrateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void loadOpenCv() {
    nu.pattern.OpenCV.loadLocally();
  }

  @Test
  void intrinsicsPrintsAJsonSummaryAndWritesARosCameraInfoYaml(@TempDir Path dir) throws Exception {
    Path images = chessboardViews(dir.resolve("images"));
    Files.writeString(images.resolve("broken.png"), "not a png");
    Path yaml = dir.resolve("camera.yaml");
    CliRun run =
        CliRun.of(
            "calibrate",
            "intrinsics",
            "--images",
            images.toString(),
            "--cols",
            "9",
            "--rows",
            "6",
            "--square-mm",
            "25",
            "--out",
            yaml.toString());
    assertEquals(0, run.code(), run.err());
    JsonNode j = JSON.readTree(run.out());
    assertEquals(640, j.get("image_width").asInt());
    assertEquals(480, j.get("image_height").asInt());
    assertTrue(j.get("fx").asDouble() > 100, run.out());
    assertEquals(5, j.get("distortion_k1_k2_p1_p2_k3").size());
    assertEquals(6, j.get("images_used").asInt());
    assertEquals(1, j.get("images_rejected").asInt());
    assertTrue(j.get("rejected").get(0).get("image").asText().endsWith("broken.png"));
    assertTrue(j.get("rejected").get(0).get("reason").asText().startsWith("cannot decode"));
    // Arbitrary perspective maps are not all views of one pinhole camera: the RMS is a few pixels
    // here (accuracy is tested in the calibration module); it must be there and sane.
    assertTrue(j.get("rms_px").asDouble() > 0 && j.get("rms_px").asDouble() < 10, run.out());
    assertEquals(6, j.get("views").size());
    assertTrue(run.err().contains("7/7 images"), run.err());
    String y = Files.readString(yaml);
    assertTrue(y.contains("image_width: 640"), y);
    assertTrue(y.contains("distortion_model: plumb_bob"), y);
    assertTrue(
        y.contains(
            String.format(
                Locale.ROOT,
                "data: [%s, 0, %s, 0, %s, %s, 0, 0, 1]",
                j.get("fx").asDouble(),
                j.get("cx").asDouble(),
                j.get("fy").asDouble(),
                j.get("cy").asDouble())),
        y);
  }

  @Test
  void intrinsicsAsTextListsUsedAndRejectedImages(@TempDir Path dir) throws Exception {
    Path images = chessboardViews(dir.resolve("images"));
    Path json = dir.resolve("out.json");
    CliRun run =
        CliRun.of(
            "calibrate",
            "intrinsics",
            "--images",
            images.toString(),
            "--board",
            "chessboard",
            "--cols",
            "9",
            "--rows",
            "6",
            "--square-mm",
            "25",
            "--format",
            "text",
            "--out",
            json.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().startsWith("board      chessboard 9x6 inner corners, 25.0 mm"), run.out());
    assertTrue(run.out().contains("6 images used, 0 rejected"), run.out());
    assertEquals(6, JSON.readTree(json.toFile()).get("views").size());
  }

  @Test
  void intrinsicsOnAnEmptyFolderFailsWithOneLineAndNoStackTrace(@TempDir Path dir) {
    CliRun run =
        CliRun.of(
            "calibrate",
            "intrinsics",
            "--images",
            dir.toString(),
            "--cols",
            "9",
            "--rows",
            "6",
            "--square-mm",
            "25");
    assertEquals(2, run.code());
    assertTrue(run.err().startsWith("mantis calibrate intrinsics: no images in " + dir), run.err());
    assertNoStackTrace(run);
  }

  @Test
  void intrinsicsWithImagesWithoutTheBoardSaysWhereItLooked(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 3; i++) {
      Imgcodecs.imwrite(
          dir.resolve("blank" + i + ".png").toString(),
          new Mat(480, 640, CvType.CV_8UC1, new Scalar(128)));
    }
    CliRun run =
        CliRun.of(
            "calibrate",
            "intrinsics",
            "--images",
            dir.toString(),
            "--cols",
            "9",
            "--rows",
            "6",
            "--square-mm",
            "25");
    assertEquals(2, run.code());
    assertTrue(
        run.err()
            .contains(
                "mantis calibrate intrinsics: the chessboard 9x6 inner corners, 25.0 mm was found"
                    + " in 0 of 3 images"),
        run.err());
    assertNoStackTrace(run);
  }

  @Test
  void intrinsicsRefusesACharucoBoardWithoutItsMarkerSize(@TempDir Path dir) {
    CliRun run =
        CliRun.of(
            "calibrate",
            "intrinsics",
            "--images",
            dir.toString(),
            "--board",
            "charuco",
            "--cols",
            "7",
            "--rows",
            "5",
            "--square-mm",
            "30");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("a ChArUco marker must be > 0 mm"), run.err());
    CliRun ext =
        CliRun.of(
            "calibrate",
            "intrinsics",
            "--images",
            dir.toString(),
            "--cols",
            "9",
            "--rows",
            "6",
            "--square-mm",
            "25",
            "--out",
            "camera.txt");
    assertEquals(2, ext.code());
    assertTrue(ext.err().contains("--out must end in .yaml, .yml or .json"), ext.err());
    assertNoStackTrace(run);
  }

  @Test
  void handEyeFromACsvReportsAllFiveMethodsAndTheBest(@TempDir Path dir) throws Exception {
    // Exact synthetic stations: camera -> gripper X, a fixed target in the base.
    double[] x = pose(0.03, -0.05, 0.08, 0.1, -0.2, 1.3);
    double[] targetInBase = pose(0.5, -0.1, 0, Math.PI, 0, 0.4);
    Random rng = new Random(7);
    StringBuilder csv =
        new StringBuilder("# synthetic\n" + CalibrateCommand.HandEyeCsv.HEADER + "\n");
    for (int i = 0; i < 8; i++) {
      double[] g =
          pose(
              0.4 + 0.1 * rng.nextDouble(),
              -0.1 + 0.2 * rng.nextDouble(),
              0.4 + 0.1 * rng.nextDouble(),
              Math.PI + (rng.nextDouble() - 0.5) * 0.8,
              (rng.nextDouble() - 0.5) * 0.8,
              (rng.nextDouble() - 0.5) * 1.2);
      // target in camera = X^-1 G^-1 T
      double[] c = compose(inverse(x), compose(inverse(g), targetInBase));
      csv.append(row(g)).append(',').append(row(c)).append('\n');
    }
    Path file = dir.resolve("stations.csv");
    Files.writeString(file, csv);
    CliRun run =
        CliRun.of("calibrate", "hand-eye", "--poses", file.toString(), "--mode", "eye-in-hand");
    assertEquals(0, run.code(), run.err());
    JsonNode j = JSON.readTree(run.out());
    assertEquals("eye-in-hand", j.get("mode").asText());
    assertEquals(8, j.get("stations").asInt());
    assertEquals(28, j.get("pairs").asInt());
    assertEquals(5, j.get("methods").size());
    for (JsonNode m : j.get("methods")) {
      JsonNode xyz = m.get("camera").get("xyz_m");
      assertEquals(0.03, xyz.get(0).asDouble(), 1e-6, m.toString());
      assertEquals(-0.05, xyz.get(1).asDouble(), 1e-6, m.toString());
      assertEquals(0.08, xyz.get(2).asDouble(), 1e-6, m.toString());
      assertTrue(m.get("residual").get("translation_rms_mm").asDouble() < 1e-3, m.toString());
    }
    assertTrue(j.get("best").asText().matches("tsai|park|horaud|andreff|daniilidis"));
    CliRun text =
        CliRun.of(
            "calibrate",
            "hand-eye",
            "--poses",
            file.toString(),
            "--mode",
            "eye-in-hand",
            "--format",
            "text");
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("<- best"), text.out());
    assertTrue(text.out().contains("daniilidis"), text.out());
  }

  @Test
  void handEyeWithABadCsvNamesTheLineAndColumn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.csv");
    Files.writeString(
        file, CalibrateCommand.HandEyeCsv.HEADER + "\n0,0,0,0,0,0,1,0,0,0,0,0,0,1\n0,x,0\n");
    CliRun run =
        CliRun.of("calibrate", "hand-eye", "--poses", file.toString(), "--mode", "eye-to-hand");
    assertEquals(2, run.code());
    assertEquals(
        "mantis calibrate hand-eye: " + file + " line 3: expected 14 values, got 3",
        run.err().strip());
    Files.writeString(
        file, CalibrateCommand.HandEyeCsv.HEADER + "\n0,zero,0,0,0,0,1,0,0,0,0,0,0,1\n");
    run = CliRun.of("calibrate", "hand-eye", "--poses", file.toString(), "--mode", "eye-to-hand");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("line 2: gripper_y is not a number: 'zero'"), run.err());
    Files.writeString(file, "x,y,z\n");
    run = CliRun.of("calibrate", "hand-eye", "--poses", file.toString(), "--mode", "eye-to-hand");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("line 1: expected the header gripper_x,"), run.err());
    run =
        CliRun.of(
            "calibrate",
            "hand-eye",
            "--poses",
            dir.resolve("missing.csv").toString(),
            "--mode",
            "eye-to-hand");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("cannot read"), run.err());
    run = CliRun.of("calibrate", "hand-eye", "--poses", file.toString(), "--mode", "sideways");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("expected eye-in-hand or eye-to-hand"), run.err());
    Files.writeString(file, CalibrateCommand.HandEyeCsv.HEADER + "\n0,0,0,0,0,0,1,0,0,0,0,0,0,1\n");
    run = CliRun.of("calibrate", "hand-eye", "--poses", file.toString(), "--mode", "eye-to-hand");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("needs at least 3 stations, got 1"), run.err());
    assertNoStackTrace(run);
  }

  private static void assertNoStackTrace(CliRun run) {
    assertFalse(run.err().contains("\tat "), run.err());
    assertFalse(run.err().contains("Exception"), run.err());
  }

  /**
   * Six views of a 9 x 6 (inner corners) chessboard on white paper, warped into a 640 x 480 image
   * by perspective maps that tilt it different ways.
   */
  private static Path chessboardViews(Path dir) throws Exception {
    Files.createDirectories(dir);
    int px = 40;
    Mat board = new Mat(9 * px, 12 * px, CvType.CV_8UC1, new Scalar(255));
    for (int r = 0; r < 7; r++) {
      for (int c = 0; c < 10; c++) {
        if ((r + c) % 2 == 0) {
          Imgproc.rectangle(
              board,
              new Point((c + 1) * px, (r + 1) * px),
              new Point((c + 2) * px - 1, (r + 2) * px - 1),
              new Scalar(0),
              -1);
        }
      }
    }
    MatOfPoint2f src =
        new MatOfPoint2f(
            new Point(0, 0),
            new Point(board.cols(), 0),
            new Point(board.cols(), board.rows()),
            new Point(0, board.rows()));
    double[][] quads = {
      {120, 80, 520, 100, 500, 400, 140, 380},
      {60, 60, 480, 110, 470, 360, 80, 420},
      {160, 110, 600, 60, 580, 430, 170, 370},
      {100, 120, 540, 120, 600, 420, 40, 420},
      {90, 40, 560, 40, 500, 380, 150, 380},
      {140, 90, 500, 60, 530, 440, 110, 400}
    };
    for (int i = 0; i < quads.length; i++) {
      double[] q = quads[i];
      MatOfPoint2f dst =
          new MatOfPoint2f(
              new Point(q[0], q[1]),
              new Point(q[2], q[3]),
              new Point(q[4], q[5]),
              new Point(q[6], q[7]));
      Mat h = Imgproc.getPerspectiveTransform(src, dst);
      Mat out = new Mat();
      Imgproc.warpPerspective(
          board,
          out,
          h,
          new Size(640, 480),
          Imgproc.INTER_LINEAR,
          org.opencv.core.Core.BORDER_CONSTANT,
          new Scalar(190));
      Imgproc.GaussianBlur(out, out, new Size(0, 0), 0.7);
      Imgcodecs.imwrite(dir.resolve("view" + i + ".png").toString(), out);
    }
    return dir;
  }

  // Poses as {x, y, z, qx, qy, qz, qw}.

  private static double[] pose(
      double x, double y, double z, double roll, double pitch, double yaw) {
    double cr = Math.cos(roll / 2);
    double sr = Math.sin(roll / 2);
    double cp = Math.cos(pitch / 2);
    double sp = Math.sin(pitch / 2);
    double cy = Math.cos(yaw / 2);
    double sy = Math.sin(yaw / 2);
    return new double[] {
      x,
      y,
      z,
      sr * cp * cy - cr * sp * sy,
      cr * sp * cy + sr * cp * sy,
      cr * cp * sy - sr * sp * cy,
      cr * cp * cy + sr * sp * sy
    };
  }

  private static double[] qmul(double[] a, double[] b) {
    return new double[] {
      a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
      a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
      a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
      a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2]
    };
  }

  private static double[] rotate(double[] q, double[] v) {
    double[] p =
        qmul(qmul(q, new double[] {v[0], v[1], v[2], 0}), new double[] {-q[0], -q[1], -q[2], q[3]});
    return new double[] {p[0], p[1], p[2]};
  }

  private static double[] compose(double[] a, double[] b) {
    double[] qa = {a[3], a[4], a[5], a[6]};
    double[] qb = {b[3], b[4], b[5], b[6]};
    double[] t = rotate(qa, new double[] {b[0], b[1], b[2]});
    double[] q = qmul(qa, qb);
    return new double[] {t[0] + a[0], t[1] + a[1], t[2] + a[2], q[0], q[1], q[2], q[3]};
  }

  private static double[] inverse(double[] a) {
    double[] qi = {-a[3], -a[4], -a[5], a[6]};
    double[] t = rotate(qi, new double[] {-a[0], -a[1], -a[2]});
    return new double[] {t[0], t[1], t[2], qi[0], qi[1], qi[2], qi[3]};
  }

  private static String row(double[] p) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < p.length; i++) {
      b.append(i > 0 ? "," : "").append(p[i]);
    }
    return b.toString();
  }
}
