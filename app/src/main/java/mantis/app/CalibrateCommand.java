package mantis.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import mantis.calibration.CameraIntrinsics;
import mantis.calibration.camera.BoardType;
import mantis.calibration.camera.CalibrationBoard;
import mantis.calibration.camera.CalibrationException;
import mantis.calibration.camera.CalibrationView;
import mantis.calibration.camera.HandEyeCalibrator;
import mantis.calibration.camera.HandEyeMethod;
import mantis.calibration.camera.HandEyeMode;
import mantis.calibration.camera.HandEyeResult;
import mantis.calibration.camera.HandEyeSolution;
import mantis.calibration.camera.IntrinsicsCalibrator;
import mantis.calibration.camera.IntrinsicsResult;
import mantis.calibration.camera.IntrinsicsStdDev;
import mantis.calibration.camera.RejectedImage;
import mantis.calibration.kinematics.Pose;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mantis calibrate}: camera intrinsics and hand-eye calibration (docs/CALIBRATION.md). */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description =
        "Camera calibration with OpenCV: intrinsics from chessboard or ChArUco images, hand-eye"
            + " (eye-in-hand, eye-to-hand). See docs/CALIBRATION.md.",
    subcommands = {CalibrateCommand.Intrinsics.class, CalibrateCommand.HandEye.class})
final class CalibrateCommand implements Runnable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code mantis calibrate intrinsics}. */
  @Command(
      name = "intrinsics",
      mixinStandardHelpOptions = true,
      description =
          "Calibrate fx, fy, cx, cy and the distortion (k1, k2, p1, p2, k3) from a folder of"
              + " images of a chessboard or a ChArUco board; prints a JSON summary (used and"
              + " rejected images, per-view errors) on standard output, progress on standard"
              + " error.")
  static final class Intrinsics implements Callable<Integer> {
    @Option(
        names = "--images",
        required = true,
        paramLabel = "DIR",
        description = "Folder of images (.jpg, .png, .bmp, .tif, .pgm, .ppm, .webp), one camera.")
    Path images;

    @Option(
        names = "--board",
        defaultValue = "chessboard",
        description = "chessboard or charuco (default ${DEFAULT-VALUE}).")
    String board;

    @Option(
        names = "--cols",
        required = true,
        description =
            "Chessboard: inner corners along a row (OpenCV's left01.jpg: 9). ChArUco: squares.")
    int cols;

    @Option(
        names = "--rows",
        required = true,
        description =
            "Chessboard: inner corners along a column (OpenCV's left01.jpg: 6). ChArUco: squares.")
    int rows;

    @Option(names = "--square-mm", required = true, description = "Side of a square, mm.")
    double squareMm;

    @Option(names = "--marker-mm", description = "ChArUco: side of a marker, mm.")
    double markerMm;

    @Option(
        names = "--dictionary",
        defaultValue = "DICT_5X5_100",
        description = "ChArUco: OpenCV's ArUco dictionary (default ${DEFAULT-VALUE}).")
    String dictionary;

    @Option(
        names = "--min-views",
        defaultValue = "3",
        description = "Fewest images that must show the board (default ${DEFAULT-VALUE}).")
    int minViews;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description =
            "Also write the result: FILE.yaml as a ROS camera_info YAML (camera_calibration_parsers"
                + " format), FILE.json as the full JSON summary.")
    Path out;

    @Option(
        names = "--format",
        defaultValue = "json",
        description = "Standard output: json or text (default ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
      PrintStream err = System.err;
      CalibrationBoard spec;
      try {
        checkFormat(format);
        checkOut(out);
        BoardType type = BoardType.parse(board);
        spec =
            type == BoardType.CHESSBOARD
                ? CalibrationBoard.chessboard(cols, rows, squareMm)
                : CalibrationBoard.charuco(cols, rows, squareMm, markerMm, dictionary);
        if (type == BoardType.CHESSBOARD && markerMm != 0) {
          throw new IllegalArgumentException("--marker-mm is for --board charuco only");
        }
      } catch (IllegalArgumentException e) {
        err.println("mantis calibrate intrinsics: " + e.getMessage());
        return 2;
      }
      IntrinsicsResult result;
      StepProgress[] bar = new StepProgress[1];
      int[] found = new int[1];
      try {
        List<Path> files = IntrinsicsCalibrator.imagesIn(images);
        bar[0] = new StepProgress(err, 0, files.size(), "images");
        result =
            IntrinsicsCalibrator.builder()
                .setBoard(spec)
                .optMinViews(minViews)
                .optProgress(
                    (done, total, image, accepted) -> {
                      found[0] += accepted ? 1 : 0;
                      bar[0].update(done, "board found in " + found[0]);
                    })
                .build()
                .calibrate(files);
      } catch (CalibrationException | IllegalArgumentException e) {
        if (bar[0] != null) {
          bar[0].finish();
        }
        err.println("mantis calibrate intrinsics: " + e.getMessage());
        return 2;
      }
      bar[0].finish();
      ObjectNode json = intrinsicsJson(result);
      try {
        if (out != null) {
          String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
          String text =
              name.endsWith(".json")
                  ? JSON.writeValueAsString(json) + "\n"
                  : cameraInfoYaml(result, spec);
          Files.writeString(out, text, StandardCharsets.UTF_8);
          err.println("mantis calibrate intrinsics: wrote " + out);
        }
        if (format.equals("json")) {
          System.out.println(JSON.writeValueAsString(json));
        } else {
          System.out.print(intrinsicsText(result));
        }
      } catch (IOException e) {
        err.println("mantis calibrate intrinsics: cannot write " + out + ": " + e.getMessage());
        return 1;
      }
      return 0;
    }
  }

  /** {@code mantis calibrate hand-eye}. */
  @Command(
      name = "hand-eye",
      mixinStandardHelpOptions = true,
      description =
          "Hand-eye calibration with all five OpenCV methods (tsai, park, horaud, andreff,"
              + " daniilidis) from a CSV of robot stations; prints each method's camera pose and"
              + " its AX = XB residuals over all pairs of stations, and the method with the lowest"
              + " (JSON on standard output).")
  static final class HandEye implements Callable<Integer> {
    @Option(
        names = "--poses",
        required = true,
        paramLabel = "FILE",
        description =
            "CSV, one station a line, with the header "
                + HandEyeCsv.HEADER
                + " (metres; quaternions x, y, z, w): the gripper's pose in the robot base and the"
                + " target's pose in the camera. Lines starting with # are comments.")
    Path poses;

    @Option(
        names = "--mode",
        required = true,
        description =
            "eye-in-hand (camera on the gripper: solves camera -> gripper) or eye-to-hand (camera"
                + " fixed: solves camera -> base).")
    String mode;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the JSON here.")
    Path out;

    @Option(
        names = "--format",
        defaultValue = "json",
        description = "Standard output: json or text (default ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
      PrintStream err = System.err;
      HandEyeResult result;
      try {
        checkFormat(format);
        HandEyeMode m = HandEyeMode.parse(mode);
        HandEyeCsv csv = HandEyeCsv.read(poses);
        err.println(
            "mantis calibrate hand-eye: "
                + csv.gripperInBase().size()
                + " stations, running 5 methods");
        result = HandEyeCalibrator.calibrate(m, csv.gripperInBase(), csv.targetInCamera());
      } catch (CalibrationException | IllegalArgumentException e) {
        err.println("mantis calibrate hand-eye: " + e.getMessage());
        return 2;
      }
      ObjectNode json = handEyeJson(result);
      try {
        if (out != null) {
          Files.writeString(out, JSON.writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
          err.println("mantis calibrate hand-eye: wrote " + out);
        }
        if (format.equals("json")) {
          System.out.println(JSON.writeValueAsString(json));
        } else {
          System.out.print(handEyeText(result));
        }
      } catch (IOException e) {
        err.println("mantis calibrate hand-eye: cannot write " + out + ": " + e.getMessage());
        return 1;
      }
      return 0;
    }
  }

  private static void checkFormat(String format) {
    if (!format.equals("json") && !format.equals("text")) {
      throw new IllegalArgumentException("--format must be json or text, got '" + format + "'");
    }
  }

  private static void checkOut(Path out) {
    if (out == null) {
      return;
    }
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".yaml") && !name.endsWith(".yml") && !name.endsWith(".json")) {
      throw new IllegalArgumentException(
          "--out must end in .yaml, .yml or .json, got '" + out + "'");
    }
  }

  static ObjectNode intrinsicsJson(IntrinsicsResult r) {
    CameraIntrinsics k = r.intrinsics();
    ObjectNode root = JSON.createObjectNode();
    ObjectNode board = root.putObject("board");
    board.put("type", r.board().type().configName());
    board.put("cols", r.board().cols());
    board.put("rows", r.board().rows());
    board.put("square_mm", r.board().squareMm());
    if (r.board().type() == BoardType.CHARUCO) {
      board.put("marker_mm", r.board().markerMm());
      board.put("dictionary", r.board().dictionary());
    }
    root.put("image_width", k.widthPx());
    root.put("image_height", k.heightPx());
    root.put("fx", k.fxPx());
    root.put("fy", k.fyPx());
    root.put("cx", k.cxPx());
    root.put("cy", k.cyPx());
    ArrayNode dist = root.putArray("distortion_k1_k2_p1_p2_k3");
    for (double d : r.distortion()) {
      dist.add(d);
    }
    IntrinsicsStdDev sd = r.stdDev();
    ObjectNode std = root.putObject("std_dev");
    std.put("fx", sd.fxPx());
    std.put("fy", sd.fyPx());
    std.put("cx", sd.cxPx());
    std.put("cy", sd.cyPx());
    root.put("rms_px", r.rmsErrorPx());
    root.put("images_used", r.views().size());
    root.put("images_rejected", r.rejected().size());
    ArrayNode views = root.putArray("views");
    for (CalibrationView v : r.views()) {
      ObjectNode n = views.addObject();
      n.put("image", v.image().toString());
      n.put("corners", v.corners());
      n.put("rms_px", v.rmsErrorPx());
      n.set("board_in_camera", poseJson(v.boardInCamera()));
    }
    ArrayNode rejected = root.putArray("rejected");
    for (RejectedImage x : r.rejected()) {
      rejected.addObject().put("image", x.image().toString()).put("reason", x.reason());
    }
    return root;
  }

  static String intrinsicsText(IntrinsicsResult r) {
    CameraIntrinsics k = r.intrinsics();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "board      %s%n", r.board().describe()));
    b.append(
        String.format(
            Locale.ROOT,
            "image      %d x %d px, %d images used, %d rejected%n",
            k.widthPx(),
            k.heightPx(),
            r.views().size(),
            r.rejected().size()));
    b.append(
        String.format(
            Locale.ROOT,
            "fx fy      %.3f %.3f px (std dev %.3f %.3f)%n",
            k.fxPx(),
            k.fyPx(),
            r.stdDev().fxPx(),
            r.stdDev().fyPx()));
    b.append(
        String.format(
            Locale.ROOT,
            "cx cy      %.3f %.3f px (std dev %.3f %.3f)%n",
            k.cxPx(),
            k.cyPx(),
            r.stdDev().cxPx(),
            r.stdDev().cyPx()));
    b.append(
        String.format(
            Locale.ROOT,
            "distortion k1 %.6f k2 %.6f p1 %.6f p2 %.6f k3 %.6f%n",
            k.k1(),
            k.k2(),
            k.p1(),
            k.p2(),
            k.k3()));
    b.append(String.format(Locale.ROOT, "RMS        %.4f px%n", r.rmsErrorPx()));
    for (CalibrationView v : r.views()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  used     %s  %d corners, %.4f px%n",
              v.image(),
              v.corners(),
              v.rmsErrorPx()));
    }
    for (RejectedImage x : r.rejected()) {
      b.append(String.format(Locale.ROOT, "  rejected %s  %s%n", x.image(), x.reason()));
    }
    return b.toString();
  }

  /** ROS camera_info YAML (the camera_calibration_parsers format), P = [K | 0]. */
  static String cameraInfoYaml(IntrinsicsResult r, CalibrationBoard board) {
    CameraIntrinsics k = r.intrinsics();
    double[] d = r.distortion();
    return String.format(
        Locale.ROOT,
        "# mantis calibrate intrinsics: %s, %d images used, RMS reprojection error %s px%n"
            + "image_width: %d%n"
            + "image_height: %d%n"
            + "camera_name: camera%n"
            + "camera_matrix:%n  rows: 3%n  cols: 3%n  data: [%s, 0, %s, 0, %s, %s, 0, 0, 1]%n"
            + "distortion_model: plumb_bob%n"
            + "distortion_coefficients:%n  rows: 1%n  cols: 5%n  data: [%s, %s, %s, %s, %s]%n"
            + "rectification_matrix:%n  rows: 3%n  cols: 3%n  data: [1, 0, 0, 0, 1, 0, 0, 0, 1]%n"
            + "projection_matrix:%n  rows: 3%n  cols: 4%n"
            + "  data: [%s, 0, %s, 0, 0, %s, %s, 0, 0, 0, 1, 0]%n",
        board.describe(),
        r.views().size(),
        r.rmsErrorPx(),
        k.widthPx(),
        k.heightPx(),
        k.fxPx(),
        k.cxPx(),
        k.fyPx(),
        k.cyPx(),
        d[0],
        d[1],
        d[2],
        d[3],
        d[4],
        k.fxPx(),
        k.cxPx(),
        k.fyPx(),
        k.cyPx());
  }

  static ObjectNode handEyeJson(HandEyeResult r) {
    ObjectNode root = JSON.createObjectNode();
    root.put("mode", r.mode().configName());
    root.put("solves", "camera pose in the " + r.mode().cameraParentFrame() + " frame");
    root.put("stations", r.stations());
    root.put("pairs", r.pairs());
    root.put("best", r.best().configName());
    ArrayNode methods = root.putArray("methods");
    for (HandEyeSolution s : r.solutions()) {
      ObjectNode n = methods.addObject();
      n.put("method", s.method().configName());
      n.set("camera", poseJson(s.camera()));
      ObjectNode res = n.putObject("residual");
      res.put("rotation_rms_deg", s.rotationRmsDeg());
      res.put("rotation_max_deg", s.rotationMaxDeg());
      res.put("translation_rms_mm", s.translationRmsMm());
      res.put("translation_max_mm", s.translationMaxMm());
    }
    ObjectNode failed = root.putObject("failed");
    for (Map.Entry<HandEyeMethod, String> e : r.failures().entrySet()) {
      failed.put(e.getKey().configName(), e.getValue());
    }
    return root;
  }

  static String handEyeText(HandEyeResult r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s: camera pose in the %s frame, %d stations, residuals over %d pairs%n",
            r.mode().configName(),
            r.mode().cameraParentFrame(),
            r.stations(),
            r.pairs()));
    b.append(
        String.format(
            Locale.ROOT,
            "%-11s %10s %10s %10s %9s %9s %9s %9s %12s %12s%n",
            "method",
            "x m",
            "y m",
            "z m",
            "qx",
            "qy",
            "qz",
            "qw",
            "rot rms deg",
            "trans rms mm"));
    for (HandEyeSolution s : r.solutions()) {
      Pose p = s.camera();
      b.append(
          String.format(
              Locale.ROOT,
              "%-11s %10.5f %10.5f %10.5f %9.5f %9.5f %9.5f %9.5f %12.4f %12.3f%s%n",
              s.method().configName(),
              p.xM(),
              p.yM(),
              p.zM(),
              p.qx(),
              p.qy(),
              p.qz(),
              p.qw(),
              s.rotationRmsDeg(),
              s.translationRmsMm(),
              s.method() == r.best() ? "  <- best" : ""));
    }
    for (Map.Entry<HandEyeMethod, String> e : r.failures().entrySet()) {
      b.append(
          String.format(Locale.ROOT, "%-11s failed: %s%n", e.getKey().configName(), e.getValue()));
    }
    return b.toString();
  }

  private static ObjectNode poseJson(Pose p) {
    ObjectNode n = JSON.createObjectNode();
    n.putArray("xyz_m").add(p.xM()).add(p.yM()).add(p.zM());
    n.putArray("quaternion_xyzw").add(p.qx()).add(p.qy()).add(p.qz()).add(p.qw());
    return n;
  }

  /** The stations of a hand-eye CSV file. */
  record HandEyeCsv(List<Pose> gripperInBase, List<Pose> targetInCamera) {
    static final String HEADER =
        "gripper_x,gripper_y,gripper_z,gripper_qx,gripper_qy,gripper_qz,gripper_qw,"
            + "target_x,target_y,target_z,target_qx,target_qy,target_qz,target_qw";

    static HandEyeCsv read(Path file) throws CalibrationException {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CalibrationException("cannot read " + file + ": " + e.getMessage());
      }
      String[] columns = HEADER.split(",");
      List<Pose> gripper = new ArrayList<>();
      List<Pose> target = new ArrayList<>();
      boolean header = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).trim();
        String where = file + " line " + (i + 1);
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (!header) {
          if (!line.replace(" ", "").equals(HEADER)) {
            throw new CalibrationException(
                where + ": expected the header " + HEADER + ", got '" + line + "'");
          }
          header = true;
          continue;
        }
        if (cells.length != columns.length) {
          throw new CalibrationException(
              where + ": expected " + columns.length + " values, got " + cells.length);
        }
        double[] v = new double[cells.length];
        for (int c = 0; c < cells.length; c++) {
          try {
            v[c] = Double.parseDouble(cells[c].trim());
          } catch (NumberFormatException e) {
            throw new CalibrationException(
                where + ": " + columns[c] + " is not a number: '" + cells[c].trim() + "'");
          }
        }
        try {
          gripper.add(new Pose(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
          target.add(new Pose(v[7], v[8], v[9], v[10], v[11], v[12], v[13]));
        } catch (IllegalArgumentException e) {
          throw new CalibrationException(where + ": " + e.getMessage());
        }
      }
      if (!header) {
        throw new CalibrationException(file + " is empty: expected the header " + HEADER);
      }
      return new HandEyeCsv(gripper, target);
    }
  }
}
