package mantis.calibration.camera;

import java.util.Locale;

/** The kind of calibration target. */
public enum BoardType {
  /** A plain chessboard; found with {@code findChessboardCorners} and refined to subpixels. */
  CHESSBOARD,
  /** A ChArUco board (chessboard with ArUco markers in its white squares). */
  CHARUCO;

  /** Parses {@code chessboard} or {@code charuco} (any case). */
  public static BoardType parse(String name) {
    for (BoardType t : values()) {
      if (t.name().equalsIgnoreCase(name.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown board type '" + name + "': expected chessboard or charuco");
  }

  /** The lower-case name used on the command line and in files. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
