package mantis.calibration.camera;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import mantis.calibration.kinematics.Pose;
import org.opencv.calib3d.Calib3d;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfDouble;
import org.opencv.core.MatOfPoint2f;
import org.opencv.core.MatOfPoint3f;
import org.opencv.core.Point;
import org.opencv.core.Point3;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.CharucoBoard;
import org.opencv.objdetect.Objdetect;

/**
 * Renders a flat board texture as a pinhole camera (no distortion) sees it at random poses, with
 * blur and noise: test images with known intrinsics. Also rotation helpers for synthetic poses.
 */
final class SyntheticCamera {
  static final int WIDTH = 640;
  static final int HEIGHT = 480;
  static final double FX = 820;
  static final double FY = 812;
  static final double CX = 331.5;
  static final double CY = 236.25;

  private SyntheticCamera() {}

  static Mat cameraMatrix() {
    OpenCvNatives.ensureLoaded();
    Mat k = Mat.zeros(3, 3, CvType.CV_64F);
    k.put(0, 0, FX, 0, CX, 0, FY, CY, 0, 0, 1);
    return k;
  }

  /**
   * A chessboard of (cols + 1) x (rows + 1) squares, {@code pxPerSquare} pixels each, on white
   * paper with a margin of one square.
   */
  static Mat chessboardTexture(int innerCols, int innerRows, int pxPerSquare) {
    OpenCvNatives.ensureLoaded();
    int w = (innerCols + 3) * pxPerSquare;
    int h = (innerRows + 3) * pxPerSquare;
    Mat img = new Mat(h, w, CvType.CV_8UC1, new Scalar(255));
    for (int r = 0; r <= innerRows; r++) {
      for (int c = 0; c <= innerCols; c++) {
        if ((r + c) % 2 == 0) {
          Imgproc.rectangle(
              img,
              new Point((c + 1) * pxPerSquare, (r + 1) * pxPerSquare),
              new Point((c + 2) * pxPerSquare - 1, (r + 2) * pxPerSquare - 1),
              new Scalar(0),
              -1);
        }
      }
    }
    return img;
  }

  /** OpenCV's drawing of a ChArUco board, {@code pxPerSquare} pixels per square, no margin. */
  static Mat charucoTexture(CalibrationBoard spec, int pxPerSquare) {
    OpenCvNatives.ensureLoaded();
    CharucoBoard board =
        new CharucoBoard(
            new Size(spec.cols(), spec.rows()),
            (float) (spec.squareMm() / 1000),
            (float) (spec.markerMm() / 1000),
            Objdetect.getPredefinedDictionary(Objdetect.DICT_5X5_100));
    Mat img = new Mat();
    board.generateImage(new Size(spec.cols() * pxPerSquare, spec.rows() * pxPerSquare), img, 0, 1);
    return img;
  }

  /**
   * Writes {@code views} PNG renderings of {@code texture} (whose top-left corner is the board
   * origin and which spans {@code squareM / pxPerSquare} metres per pixel) with the board at random
   * poses facing the camera, spanning 40-65% of the image width, tilted up to 35 degrees, then
   * Gaussian blur (sigma 0.7 px) and Gaussian noise (sigma 2 grey levels).
   */
  /** A rendered image and the true pose of the texture's top-left corner in the camera. */
  record Rendered(Path file, Rigid textureInCamera) {}

  static List<Rendered> render(
      Mat texture, double squareM, int pxPerSquare, int views, long seed, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Random rng = new Random(seed);
    double boardW = texture.cols() * squareM / pxPerSquare;
    double boardH = texture.rows() * squareM / pxPerSquare;
    List<Rendered> files = new ArrayList<>();
    Mat k = cameraMatrix();
    double metresPerPx = squareM / pxPerSquare;
    for (int v = 0; v < views; v++) {
      double[] r =
          rotation(
              Math.toRadians((rng.nextDouble() * 2 - 1) * 35),
              Math.toRadians((rng.nextDouble() * 2 - 1) * 35),
              Math.toRadians((rng.nextDouble() * 2 - 1) * 20));
      // The board spans 40-65% of the image width; its centre wanders over the rest of the image
      // so that the views together cover the image out to its corners.
      double span = 0.4 + 0.25 * rng.nextDouble();
      double z = FX * boardW / (WIDTH * span);
      double room = 0.5 - span / 2 - 0.06;
      double[] centre = {
        (rng.nextDouble() * 2 - 1) * room * WIDTH * z / FX,
        (rng.nextDouble() * 2 - 1) * room * HEIGHT * z / FY,
        z
      };
      double[] t = new double[3];
      for (int i = 0; i < 3; i++) {
        t[i] = centre[i] - (r[3 * i] * boardW / 2 + r[3 * i + 1] * boardH / 2);
      }
      // Board plane (x, y in metres) to image: K [r1 r2 t]; texture pixel (u, v) is at
      // ((u + 0.5) m, (v + 0.5) m) with m metres per pixel.
      Mat plane = new Mat(3, 3, CvType.CV_64F);
      plane.put(0, 0, r[0], r[1], t[0], r[3], r[4], t[1], r[6], r[7], t[2]);
      Mat texToPlane = new Mat(3, 3, CvType.CV_64F);
      texToPlane.put(
          0, 0, metresPerPx, 0, 0.5 * metresPerPx, 0, metresPerPx, 0.5 * metresPerPx, 0, 0, 1);
      Mat h = new Mat();
      Core.gemm(k, plane, 1, new Mat(), 0, h);
      Mat hh = new Mat();
      Core.gemm(h, texToPlane, 1, new Mat(), 0, hh);
      Mat out = new Mat();
      Imgproc.warpPerspective(
          texture,
          out,
          hh,
          new Size(WIDTH, HEIGHT),
          Imgproc.INTER_LINEAR,
          Core.BORDER_CONSTANT,
          new Scalar(200));
      Imgproc.GaussianBlur(out, out, new Size(0, 0), 0.7);
      byte[] px = new byte[WIDTH * HEIGHT];
      out.get(0, 0, px);
      for (int i = 0; i < px.length; i++) {
        int g = (px[i] & 0xff) + (int) Math.round(rng.nextGaussian() * 2);
        px[i] = (byte) Math.max(0, Math.min(255, g));
      }
      out.put(0, 0, px);
      Path file = dir.resolve(String.format(Locale.ROOT, "view%02d.png", v));
      Imgcodecs.imwrite(file.toString(), out);
      files.add(new Rendered(file, new Rigid(r, t)));
    }
    return files;
  }

  /** R = Rz(yaw) Ry(pitch) Rx(roll), row-major. */
  static double[] rotation(double rollRad, double pitchRad, double yawRad) {
    double cr = Math.cos(rollRad);
    double sr = Math.sin(rollRad);
    double cp = Math.cos(pitchRad);
    double sp = Math.sin(pitchRad);
    double cy = Math.cos(yawRad);
    double sy = Math.sin(yawRad);
    return new double[] {
      cy * cp,
      cy * sp * sr - sy * cr,
      cy * sp * cr + sy * sr,
      sy * cp,
      sy * sp * sr + cy * cr,
      sy * sp * cr - cy * sr,
      -sp,
      cp * sr,
      cp * cr
    };
  }

  static Rigid rigid(double x, double y, double z, double roll, double pitch, double yaw) {
    return new Rigid(rotation(roll, pitch, yaw), new double[] {x, y, z});
  }

  /**
   * Projects the points of {@code object} (board frame, metres) seen at {@code boardInCamera}
   * through the synthetic camera, adds Gaussian noise of {@code sigmaPx}, and returns the board
   * pose solvePnP recovers; null when a point falls outside the image or behind the camera.
   */
  static Pose observedBoardPose(Point3[] object, Rigid boardInCamera, double sigmaPx, Random rng) {
    Mat k = cameraMatrix();
    Point[] img = new Point[object.length];
    for (int i = 0; i < object.length; i++) {
      Point3 p = object[i];
      double[] r = boardInCamera.r;
      double[] t = boardInCamera.t;
      double x = r[0] * p.x + r[1] * p.y + r[2] * p.z + t[0];
      double y = r[3] * p.x + r[4] * p.y + r[5] * p.z + t[1];
      double z = r[6] * p.x + r[7] * p.y + r[8] * p.z + t[2];
      if (z < 0.05) {
        return null;
      }
      double u = FX * x / z + CX + rng.nextGaussian() * sigmaPx;
      double v = FY * y / z + CY + rng.nextGaussian() * sigmaPx;
      if (u < 0 || v < 0 || u > WIDTH - 1 || v > HEIGHT - 1) {
        return null;
      }
      img[i] = new Point(u, v);
    }
    Mat rvec = new Mat();
    Mat tvec = new Mat();
    Calib3d.solvePnP(
        new MatOfPoint3f(object), new MatOfPoint2f(img), k, new MatOfDouble(), rvec, tvec);
    Mat rot = new Mat();
    Calib3d.Rodrigues(rvec, rot);
    double[] r = new double[9];
    rot.get(0, 0, r);
    double[] t = new double[3];
    tvec.get(0, 0, t);
    return new Rigid(r, t).toPose();
  }

  /** Inner corners of a chessboard, metres, row by row. */
  static Point3[] chessboardCorners(int cols, int rows, double squareM) {
    Point3[] pts = new Point3[cols * rows];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        pts[r * cols + c] = new Point3(c * squareM, r * squareM, 0);
      }
    }
    return pts;
  }
}
