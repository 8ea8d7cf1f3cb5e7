package mantis.calibration.camera;

import java.nio.file.Path;
import java.util.Objects;
import mantis.calibration.kinematics.Pose;

/**
 * One image used in an intrinsics calibration.
 *
 * @param image the image file
 * @param corners board corners found in it (all of a chessboard's; a ChArUco board may be seen in
 *     part)
 * @param rmsErrorPx RMS reprojection error of its corners with the calibrated camera, pixels
 * @param boardInCamera the board's pose in the camera frame (metres; x right, y down, z forward):
 *     the board's origin is its first corner, x along its columns, y along its rows, z into the
 *     board
 */
public record CalibrationView(Path image, int corners, double rmsErrorPx, Pose boardInCamera) {
  public CalibrationView {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(boardInCamera, "boardInCamera");
  }
}
