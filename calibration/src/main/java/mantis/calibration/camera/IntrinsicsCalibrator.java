package mantis.calibration.camera;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import mantis.calibration.CameraIntrinsics;
import org.opencv.calib3d.Calib3d;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint2f;
import org.opencv.core.MatOfPoint3f;
import org.opencv.core.Point3;
import org.opencv.core.Size;
import org.opencv.core.TermCriteria;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.CharucoBoard;
import org.opencv.objdetect.CharucoDetector;
import org.opencv.objdetect.Objdetect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calibrates a camera's intrinsics from images of a {@link CalibrationBoard}: the plain OpenCV
 * recipe ({@code findChessboardCorners} with adaptive thresholding and image normalisation, {@code
 * cornerSubPix} with an 11 x 11 half-window to 0.001 px or 30 iterations; or {@code
 * CharucoDetector}), then {@code calibrateCamera} with OpenCV's default model (fx, fy, cx, cy; k1,
 * k2, p1, p2, k3).
 *
 * <p>Images that cannot be decoded, or in which the board is not found, are left out and reported
 * in the result; the calibration fails with a {@link CalibrationException} when the folder has no
 * images, the images differ in size, or fewer than {@code minViews} show the board.
 *
 * <pre>{@code
 * IntrinsicsResult r = IntrinsicsCalibrator.builder()
 *     .setBoard(CalibrationBoard.chessboard(9, 6, 25))
 *     .build()
 *     .calibrate(Path.of("images"));
 * }</pre>
 */
public final class IntrinsicsCalibrator {
  private static final Logger LOG = LoggerFactory.getLogger(IntrinsicsCalibrator.class);

  /** File name endings read as images (any case). */
  public static final List<String> IMAGE_EXTENSIONS =
      List.of(".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".webp");

  /** ChArUco views with fewer corners than this are left out. */
  static final int MIN_CHARUCO_CORNERS = 6;

  private final CalibrationBoard board;
  private final int minViews;
  private final CalibrationProgress progress;

  private IntrinsicsCalibrator(Builder b) {
    this.board = b.board;
    this.minViews = b.minViews;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link IntrinsicsCalibrator}. */
  public static final class Builder {
    private CalibrationBoard board;
    private int minViews = 3;
    private CalibrationProgress progress = CalibrationProgress.NONE;

    private Builder() {}

    /** The board in the images (required). */
    public Builder setBoard(CalibrationBoard board) {
      this.board = Objects.requireNonNull(board, "board");
      return this;
    }

    /** Fewest images that must show the board (default 3, at least 3). */
    public Builder optMinViews(int minViews) {
      if (minViews < 3) {
        throw new IllegalArgumentException("at least 3 views are needed, got " + minViews);
      }
      this.minViews = minViews;
      return this;
    }

    /** Told after each image (default: nothing). */
    public Builder optProgress(CalibrationProgress progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    public IntrinsicsCalibrator build() {
      if (board == null) {
        throw new IllegalStateException("setBoard is required");
      }
      return new IntrinsicsCalibrator(this);
    }
  }

  /** The images of a folder (not its subfolders) whose names end in {@link #IMAGE_EXTENSIONS}. */
  public static List<Path> imagesIn(Path dir) throws CalibrationException {
    if (!Files.isDirectory(dir)) {
      throw new CalibrationException("no such folder: " + dir);
    }
    List<Path> images;
    try (Stream<Path> files = Files.list(dir)) {
      images = files.filter(IntrinsicsCalibrator::isImageName).sorted().toList();
    } catch (IOException e) {
      throw new CalibrationException("cannot list folder " + dir + ": " + e.getMessage());
    }
    if (images.isEmpty()) {
      throw new CalibrationException(
          "no images in "
              + dir
              + " (looked for files ending in "
              + String.join(", ", IMAGE_EXTENSIONS)
              + ")");
    }
    return images;
  }

  private static boolean isImageName(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  /** Calibrates from every image in {@code dir} (see {@link #imagesIn(Path)}). */
  public IntrinsicsResult calibrate(Path dir) throws CalibrationException {
    return calibrate(imagesIn(dir));
  }

  /** Calibrates from these image files, used in the order given. */
  public IntrinsicsResult calibrate(List<Path> images) throws CalibrationException {
    if (images.isEmpty()) {
      throw new CalibrationException("no images given");
    }
    OpenCvNatives.ensureLoaded();
    Detector detector =
        board.type() == BoardType.CHESSBOARD ? new ChessboardDetector(board) : new Charuco(board);
    List<Mat> objectPoints = new ArrayList<>();
    List<Mat> imagePoints = new ArrayList<>();
    List<Path> used = new ArrayList<>();
    List<Integer> cornerCounts = new ArrayList<>();
    List<RejectedImage> rejected = new ArrayList<>();
    Size size = null;
    Path sizeSource = null;
    int done = 0;
    for (Path image : images) {
      done++;
      String reason = null;
      if (!Files.isRegularFile(image)) {
        reason = "no such file";
      } else if (!Files.isReadable(image)) {
        reason = "cannot read the file (permissions)";
      }
      Mat gray =
          reason == null ? Imgcodecs.imread(image.toString(), Imgcodecs.IMREAD_GRAYSCALE) : null;
      if (reason == null && gray.empty()) {
        reason = "cannot decode the image (not an image, or damaged)";
      }
      if (reason == null) {
        Size s = gray.size();
        if (size == null) {
          size = s;
          sizeSource = image;
        } else if (!size.equals(s)) {
          throw new CalibrationException(
              String.format(
                  Locale.ROOT,
                  "mixed image sizes: %s is %dx%d but %s is %dx%d; calibrate one camera at one"
                      + " resolution per run",
                  sizeSource,
                  (int) size.width,
                  (int) size.height,
                  image,
                  (int) s.width,
                  (int) s.height));
        }
        Detection d = detector.detect(gray);
        if (d.reason() != null) {
          reason = d.reason();
        } else {
          objectPoints.add(d.objectPoints());
          imagePoints.add(d.imagePoints());
          cornerCounts.add(d.corners());
          used.add(image);
        }
        gray.release();
      }
      if (reason != null) {
        rejected.add(new RejectedImage(image, reason));
        LOG.debug("left out {}: {}", image, reason);
      }
      progress.imageSearched(done, images.size(), image, reason == null);
    }
    if (used.size() < minViews) {
      StringBuilder why =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "the %s was found in %d of %d images; at least %d are needed",
                  board.describe(),
                  used.size(),
                  images.size(),
                  minViews));
      if (!rejected.isEmpty()) {
        why.append(" (");
        for (int i = 0; i < Math.min(3, rejected.size()); i++) {
          RejectedImage r = rejected.get(i);
          why.append(i > 0 ? "; " : "")
              .append(r.image().getFileName())
              .append(": ")
              .append(r.reason());
        }
        if (rejected.size() > 3) {
          why.append("; ").append(rejected.size() - 3).append(" more");
        }
        why.append(")");
      }
      if (board.type() == BoardType.CHESSBOARD) {
        why.append(
            ". Check --cols/--rows: a chessboard is given by its inner corners (a board of 10 x 7"
                + " squares has 9 x 6)");
      }
      throw new CalibrationException(why.toString());
    }
    return solve(size, objectPoints, imagePoints, used, cornerCounts, rejected);
  }

  private IntrinsicsResult solve(
      Size size,
      List<Mat> objectPoints,
      List<Mat> imagePoints,
      List<Path> used,
      List<Integer> cornerCounts,
      List<RejectedImage> rejected)
      throws CalibrationException {
    Mat k = new Mat();
    Mat dist = new Mat();
    List<Mat> rvecs = new ArrayList<>();
    List<Mat> tvecs = new ArrayList<>();
    Mat stdIntrinsics = new Mat();
    Mat stdExtrinsics = new Mat();
    Mat perView = new Mat();
    double rms;
    try {
      rms =
          Calib3d.calibrateCameraExtended(
              objectPoints,
              imagePoints,
              size,
              k,
              dist,
              rvecs,
              tvecs,
              stdIntrinsics,
              stdExtrinsics,
              perView,
              0,
              new TermCriteria(TermCriteria.COUNT + TermCriteria.EPS, 30, Double.MIN_VALUE));
    } catch (org.opencv.core.CvException e) {
      throw new CalibrationException("OpenCV's calibrateCamera failed: " + e.getMessage());
    }
    double[] d = new double[5];
    for (int i = 0; i < 5 && i < dist.total(); i++) {
      d[i] = flat(dist, i);
    }
    double fx = k.get(0, 0)[0];
    double fy = k.get(1, 1)[0];
    double cx = k.get(0, 2)[0];
    double cy = k.get(1, 2)[0];
    if (!Double.isFinite(rms) || !(fx > 0) || !(fy > 0) || !Double.isFinite(cx + cy)) {
      throw new CalibrationException(
          "calibration did not converge (RMS " + rms + " px, fx " + fx + ", fy " + fy + ")");
    }
    CameraIntrinsics intrinsics =
        new CameraIntrinsics(
            (int) size.width, (int) size.height, fx, fy, cx, cy, d[0], d[1], d[2], d[3], d[4]);
    double[] sd = new double[9];
    for (int i = 0; i < 9 && i < stdIntrinsics.total(); i++) {
      sd[i] = flat(stdIntrinsics, i);
    }
    IntrinsicsStdDev stdDev =
        new IntrinsicsStdDev(sd[0], sd[1], sd[2], sd[3], sd[4], sd[5], sd[6], sd[7], sd[8]);
    List<CalibrationView> views = new ArrayList<>();
    for (int i = 0; i < used.size(); i++) {
      Mat rot = new Mat();
      Calib3d.Rodrigues(rvecs.get(i), rot);
      double[] r = new double[9];
      for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
          r[3 * a + b] = rot.get(a, b)[0];
        }
      }
      Mat tv = tvecs.get(i);
      double[] t = {tv.get(0, 0)[0], tv.get(1, 0)[0], tv.get(2, 0)[0]};
      views.add(
          new CalibrationView(
              used.get(i), cornerCounts.get(i), perView.get(i, 0)[0], new Rigid(r, t).toPose()));
    }
    LOG.info(
        "calibrated from {} views ({} left out): fx {} fy {} cx {} cy {}, RMS {} px",
        views.size(),
        rejected.size(),
        fx,
        fy,
        cx,
        cy,
        rms);
    return new IntrinsicsResult(board, intrinsics, stdDev, rms, views, rejected);
  }

  private static double flat(Mat m, int i) {
    return m.rows() == 1 ? m.get(0, i)[0] : m.get(i, 0)[0];
  }

  /** Corners found in one image, or why not. */
  private record Detection(Mat objectPoints, Mat imagePoints, int corners, String reason) {
    static Detection rejected(String reason) {
      return new Detection(null, null, 0, reason);
    }
  }

  private interface Detector {
    Detection detect(Mat gray);
  }

  private static final class ChessboardDetector implements Detector {
    private final Size pattern;
    private final MatOfPoint3f object;

    ChessboardDetector(CalibrationBoard board) {
      pattern = new Size(board.cols(), board.rows());
      double s = board.squareMm() / 1000.0;
      Point3[] pts = new Point3[board.cols() * board.rows()];
      for (int r = 0; r < board.rows(); r++) {
        for (int c = 0; c < board.cols(); c++) {
          pts[r * board.cols() + c] = new Point3(c * s, r * s, 0);
        }
      }
      object = new MatOfPoint3f(pts);
    }

    @Override
    public Detection detect(Mat gray) {
      MatOfPoint2f corners = new MatOfPoint2f();
      boolean found =
          Calib3d.findChessboardCorners(
              gray,
              pattern,
              corners,
              Calib3d.CALIB_CB_ADAPTIVE_THRESH + Calib3d.CALIB_CB_NORMALIZE_IMAGE);
      if (!found) {
        return Detection.rejected("board not found");
      }
      Imgproc.cornerSubPix(
          gray,
          corners,
          new Size(11, 11),
          new Size(-1, -1),
          new TermCriteria(TermCriteria.EPS + TermCriteria.MAX_ITER, 30, 0.001));
      return new Detection(object, corners, (int) corners.total(), null);
    }
  }

  private static final class Charuco implements Detector {
    private final CharucoBoard board;
    private final CharucoDetector detector;
    private final Point3[] allCorners;

    Charuco(CalibrationBoard spec) {
      int dictionary;
      try {
        dictionary = Objdetect.class.getField(spec.dictionary()).getInt(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException(
            "OpenCV has no ArUco dictionary " + spec.dictionary(), e);
      }
      board =
          new CharucoBoard(
              new Size(spec.cols(), spec.rows()),
              (float) (spec.squareMm() / 1000.0),
              (float) (spec.markerMm() / 1000.0),
              Objdetect.getPredefinedDictionary(dictionary));
      detector = new CharucoDetector(board);
      allCorners = board.getChessboardCorners().toArray();
    }

    @Override
    public Detection detect(Mat gray) {
      Mat corners = new Mat();
      Mat ids = new Mat();
      detector.detectBoard(gray, corners, ids);
      int n = ids.empty() ? 0 : (int) ids.total();
      if (n == 0) {
        return Detection.rejected("board not found");
      }
      if (n < MIN_CHARUCO_CORNERS) {
        return Detection.rejected(
            "only " + n + " ChArUco corners found (at least " + MIN_CHARUCO_CORNERS + " needed)");
      }
      if (board.checkCharucoCornersCollinear(ids)) {
        return Detection.rejected("the ChArUco corners found lie on one line");
      }
      Point3[] obj = new Point3[n];
      org.opencv.core.Point[] img = new org.opencv.core.Point[n];
      for (int i = 0; i < n; i++) {
        int id = (int) ids.get(i, 0)[0];
        obj[i] = allCorners[id];
        double[] p = corners.get(i, 0);
        img[i] = new org.opencv.core.Point(p[0], p[1]);
      }
      return new Detection(new MatOfPoint3f(obj), new MatOfPoint2f(img), n, null);
    }
  }
}
