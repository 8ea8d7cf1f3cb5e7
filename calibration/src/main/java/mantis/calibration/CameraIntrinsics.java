package mantis.calibration;

/**
 * Pinhole intrinsics with OpenCV's distortion model (radial k1, k2, k3; tangential p1, p2).
 *
 * <p>A point (X, Y, Z) in camera coordinates (z along the optical axis) maps to normalised
 * coordinates x = X/Z, y = Y/Z, then with r² = x² + y²:
 *
 * <pre>
 *   x' = x (1 + k1 r² + k2 r⁴ + k3 r⁶) + 2 p1 x y + p2 (r² + 2 x²)
 *   y' = y (1 + k1 r² + k2 r⁴ + k3 r⁶) + p1 (r² + 2 y²) + 2 p2 x y
 *   u  = fx x' + cx,   v = fy y' + cy
 * </pre>
 *
 * Pixel centres are at integer coordinates (OpenCV's convention).
 *
 * @param widthPx image width
 * @param heightPx image height
 * @param fxPx focal length along x, pixels
 * @param fyPx focal length along y, pixels
 * @param cxPx principal point x, pixels
 * @param cyPx principal point y, pixels
 * @param k1 radial distortion, r² term
 * @param k2 radial distortion, r⁴ term
 * @param p1 tangential distortion
 * @param p2 tangential distortion
 * @param k3 radial distortion, r⁶ term
 */
public record CameraIntrinsics(
    int widthPx,
    int heightPx,
    double fxPx,
    double fyPx,
    double cxPx,
    double cyPx,
    double k1,
    double k2,
    double p1,
    double p2,
    double k3) {
  public CameraIntrinsics {
    if (widthPx <= 0 || heightPx <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + widthPx + "x" + heightPx);
    }
    if (!(fxPx > 0) || !(fyPx > 0) || !Double.isFinite(fxPx) || !Double.isFinite(fyPx)) {
      throw new IllegalArgumentException(
          "focal lengths must be finite and > 0, got " + fxPx + ", " + fyPx);
    }
    if (!Double.isFinite(cxPx) || !Double.isFinite(cyPx)) {
      throw new IllegalArgumentException(
          "principal point must be finite, got " + cxPx + ", " + cyPx);
    }
    if (!Double.isFinite(k1)
        || !Double.isFinite(k2)
        || !Double.isFinite(p1)
        || !Double.isFinite(p2)
        || !Double.isFinite(k3)) {
      throw new IllegalArgumentException("distortion coefficients must be finite");
    }
  }

  /**
   * Square pixels, principal point at the image centre, no distortion.
   *
   * @param horizontalFovRad full horizontal field of view, in (0, π)
   */
  public static CameraIntrinsics ofFieldOfView(int widthPx, int heightPx, double horizontalFovRad) {
    if (!(horizontalFovRad > 0) || !(horizontalFovRad < Math.PI)) {
      throw new IllegalArgumentException(
          "horizontal field of view must be in (0, pi), got " + horizontalFovRad);
    }
    double f = (widthPx / 2.0) / Math.tan(horizontalFovRad / 2.0);
    return new CameraIntrinsics(
        widthPx, heightPx, f, f, (widthPx - 1) / 2.0, (heightPx - 1) / 2.0, 0, 0, 0, 0, 0);
  }

  /**
   * The same camera seen at another resolution: x and y scale independently (so a 4:3 camera scaled
   * to a square image is stretched, not cropped); distortion is unchanged because it acts on
   * normalised coordinates.
   */
  public CameraIntrinsics scaledTo(int newWidthPx, int newHeightPx) {
    if (newWidthPx <= 0 || newHeightPx <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + newWidthPx + "x" + newHeightPx);
    }
    double sx = (double) newWidthPx / widthPx;
    double sy = (double) newHeightPx / heightPx;
    return new CameraIntrinsics(
        newWidthPx,
        newHeightPx,
        fxPx * sx,
        fyPx * sy,
        (cxPx + 0.5) * sx - 0.5,
        (cyPx + 0.5) * sy - 0.5,
        k1,
        k2,
        p1,
        p2,
        k3);
  }

  /** A copy with other distortion coefficients. */
  public CameraIntrinsics withDistortion(double k1, double k2, double p1, double p2, double k3) {
    return new CameraIntrinsics(widthPx, heightPx, fxPx, fyPx, cxPx, cyPx, k1, k2, p1, p2, k3);
  }

  /** True when every distortion coefficient is zero. */
  public boolean isDistortionFree() {
    return k1 == 0 && k2 == 0 && p1 == 0 && p2 == 0 && k3 == 0;
  }

  /** Full horizontal field of view (ignoring distortion), radians. */
  public double horizontalFovRad() {
    return 2 * Math.atan((widthPx / 2.0) / fxPx);
  }

  /** Applies the distortion model to normalised coordinates; returns {x', y'}. */
  double[] distortNormalized(double x, double y) {
    double r2 = x * x + y * y;
    double radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
    double xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x);
    double yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y;
    return new double[] {xd, yd};
  }

  /**
   * Inverts the distortion model by Newton's method (seeded by OpenCV's fixed-point step); returns
   * undistorted normalised {x, y}, or null when it does not converge.
   */
  double[] undistortNormalized(double xd, double yd) {
    if (isDistortionFree()) {
      return new double[] {xd, yd};
    }
    double x = xd;
    double y = yd;
    for (int i = 0; i < 100; i++) {
      double r2 = x * x + y * y;
      double radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
      double fx = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x) - xd;
      double fy = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y - yd;
      if (Math.abs(fx) < 1e-15 && Math.abs(fy) < 1e-15) {
        return new double[] {x, y};
      }
      // d(radial)/dx = 2x (k1 + 2 k2 r2 + 3 k3 r4); same for y.
      double dRadial = 2 * (k1 + r2 * (2 * k2 + 3 * k3 * r2));
      double j11 = radial + x * dRadial * x + 2 * p1 * y + 6 * p2 * x;
      double j12 = x * dRadial * y + 2 * p1 * x + 2 * p2 * y;
      double j21 = y * dRadial * x + 2 * p1 * x + 2 * p2 * y;
      double j22 = radial + y * dRadial * y + 6 * p1 * y + 2 * p2 * x;
      double det = j11 * j22 - j12 * j21;
      if (!(Math.abs(det) > 1e-12)) {
        return null;
      }
      double dx = (j22 * fx - j12 * fy) / det;
      double dy = (-j21 * fx + j11 * fy) / det;
      x -= dx;
      y -= dy;
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        return null;
      }
      if (Math.abs(dx) < 1e-15 && Math.abs(dy) < 1e-15) {
        return new double[] {x, y};
      }
    }
    double[] check = distortNormalized(x, y);
    return Math.abs(check[0] - xd) < 1e-10 && Math.abs(check[1] - yd) < 1e-10
        ? new double[] {x, y}
        : null;
  }
}
