package mantis.calibration.camera;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A calibration target.
 *
 * <p>For a {@link BoardType#CHESSBOARD}, {@code cols} x {@code rows} counts the <em>inner</em>
 * corners (where four squares meet), as OpenCV's {@code findChessboardCorners} does: OpenCV's
 * sample board {@code left01.jpg} is 9 x 6. For a {@link BoardType#CHARUCO} board they count the
 * <em>squares</em>, as {@code cv::aruco::CharucoBoard} does (a 5 x 7 ChArUco board has 4 x 6 inner
 * corners). The board is laid out as OpenCV 4.6 and later draw it ({@code
 * CharucoBoard.generateImage}, not the legacy pattern).
 *
 * @param type chessboard or ChArUco
 * @param cols inner corners (chessboard) or squares (ChArUco) along the board's x axis
 * @param rows inner corners (chessboard) or squares (ChArUco) along the board's y axis
 * @param squareMm side of one square, millimetres
 * @param markerMm side of one ArUco marker, millimetres (ChArUco; 0 for a chessboard)
 * @param dictionary OpenCV's name of the ArUco dictionary, e.g. {@code DICT_5X5_100} (ChArUco;
 *     empty for a chessboard)
 */
public record CalibrationBoard(
    BoardType type, int cols, int rows, double squareMm, double markerMm, String dictionary) {
  /** The ArUco dictionaries OpenCV predefines, by the names OpenCV gives them. */
  public static final List<String> DICTIONARIES =
      List.of(
          "DICT_4X4_50",
          "DICT_4X4_100",
          "DICT_4X4_250",
          "DICT_4X4_1000",
          "DICT_5X5_50",
          "DICT_5X5_100",
          "DICT_5X5_250",
          "DICT_5X5_1000",
          "DICT_6X6_50",
          "DICT_6X6_100",
          "DICT_6X6_250",
          "DICT_6X6_1000",
          "DICT_7X7_50",
          "DICT_7X7_100",
          "DICT_7X7_250",
          "DICT_7X7_1000",
          "DICT_ARUCO_ORIGINAL",
          "DICT_APRILTAG_16h5",
          "DICT_APRILTAG_25h9",
          "DICT_APRILTAG_36h10",
          "DICT_APRILTAG_36h11",
          "DICT_ARUCO_MIP_36h12");

  public CalibrationBoard {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(dictionary, "dictionary");
    int min = type == BoardType.CHESSBOARD ? 2 : 3;
    if (cols < min || rows < min) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "a %s needs at least %d x %d %s, got %d x %d",
              type.configName(),
              min,
              min,
              type == BoardType.CHESSBOARD ? "inner corners" : "squares",
              cols,
              rows));
    }
    if (cols == rows && type == BoardType.CHESSBOARD) {
      throw new IllegalArgumentException(
          "a chessboard's inner corner counts must differ (got "
              + cols
              + " x "
              + rows
              + "): a square board's orientation is ambiguous");
    }
    if (!(squareMm > 0) || !Double.isFinite(squareMm)) {
      throw new IllegalArgumentException("square size must be finite and > 0 mm, got " + squareMm);
    }
    if (type == BoardType.CHARUCO) {
      if (!(markerMm > 0) || !(markerMm < squareMm)) {
        throw new IllegalArgumentException(
            "a ChArUco marker must be > 0 mm and smaller than the square ("
                + squareMm
                + " mm), got "
                + markerMm
                + " mm");
      }
      if (!DICTIONARIES.contains(dictionary)) {
        throw new IllegalArgumentException(
            "unknown ArUco dictionary '" + dictionary + "': expected one of " + DICTIONARIES);
      }
    } else {
      if (markerMm != 0 || !dictionary.isEmpty()) {
        throw new IllegalArgumentException("a chessboard has no markers and no dictionary");
      }
    }
  }

  /** A chessboard of {@code cols} x {@code rows} inner corners. */
  public static CalibrationBoard chessboard(int cols, int rows, double squareMm) {
    return new CalibrationBoard(BoardType.CHESSBOARD, cols, rows, squareMm, 0, "");
  }

  /** A ChArUco board of {@code cols} x {@code rows} squares. */
  public static CalibrationBoard charuco(
      int cols, int rows, double squareMm, double markerMm, String dictionary) {
    return new CalibrationBoard(BoardType.CHARUCO, cols, rows, squareMm, markerMm, dictionary);
  }

  /** Corners the board has: inner corners of the chessboard, or ChArUco corners. */
  public int cornerCount() {
    return type == BoardType.CHESSBOARD ? cols * rows : (cols - 1) * (rows - 1);
  }

  /**
   * E.g. {@code chessboard 9x6, 25 mm} or {@code charuco 5x7, 40 mm, markers 30 mm, DICT_5X5_100}.
   */
  public String describe() {
    return type == BoardType.CHESSBOARD
        ? String.format(Locale.ROOT, "chessboard %dx%d inner corners, %s mm", cols, rows, squareMm)
        : String.format(
            Locale.ROOT,
            "charuco %dx%d squares, %s mm, markers %s mm, %s",
            cols,
            rows,
            squareMm,
            markerMm,
            dictionary);
  }
}
