package mantis.calibration.camera;

import java.util.List;
import java.util.Objects;
import mantis.calibration.CameraIntrinsics;

/**
 * The outcome of an intrinsics calibration.
 *
 * @param board the board that was looked for
 * @param intrinsics the calibrated camera: image size, fx, fy, cx, cy (pixels) and OpenCV's five
 *     distortion coefficients k1, k2, p1, p2, k3
 * @param stdDev standard deviations of the intrinsics, estimated by OpenCV from the fit
 * @param rmsErrorPx RMS reprojection error over all corners of all used views, pixels (what {@code
 *     calibrateCamera} returns)
 * @param views the images used, in file-name order, with their own errors and board poses
 * @param rejected the images left out, with the reason
 */
public record IntrinsicsResult(
    CalibrationBoard board,
    CameraIntrinsics intrinsics,
    IntrinsicsStdDev stdDev,
    double rmsErrorPx,
    List<CalibrationView> views,
    List<RejectedImage> rejected) {
  public IntrinsicsResult {
    Objects.requireNonNull(board, "board");
    Objects.requireNonNull(intrinsics, "intrinsics");
    Objects.requireNonNull(stdDev, "stdDev");
    views = List.copyOf(views);
    rejected = List.copyOf(rejected);
  }

  /** The distortion coefficients in OpenCV's order: {k1, k2, p1, p2, k3}. */
  public double[] distortion() {
    CameraIntrinsics i = intrinsics;
    return new double[] {i.k1(), i.k2(), i.p1(), i.p2(), i.k3()};
  }

  /** The largest per-view RMS reprojection error, pixels. */
  public double worstViewErrorPx() {
    double worst = 0;
    for (CalibrationView v : views) {
      worst = Math.max(worst, v.rmsErrorPx());
    }
    return worst;
  }
}
