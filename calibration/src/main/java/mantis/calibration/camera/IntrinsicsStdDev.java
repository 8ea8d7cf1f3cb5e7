package mantis.calibration.camera;

/**
 * Standard deviations of the calibrated intrinsics, as OpenCV's {@code calibrateCamera} estimates
 * them from the fit (same units as the values: pixels for fx, fy, cx, cy).
 */
public record IntrinsicsStdDev(
    double fxPx,
    double fyPx,
    double cxPx,
    double cyPx,
    double k1,
    double k2,
    double p1,
    double p2,
    double k3) {}
