package mantis.calibration;

import java.util.Objects;
import java.util.Optional;
import mantis.core.PixelPoint;

/** A calibrated camera: intrinsics (with distortion) and extrinsics. Immutable and thread-safe. */
public final class CameraModel {
  /** Where the Mantis simulator's nominal camera sits, metres. */
  public static final Vec3 MANTIS_CAMERA_POSITION_M = new Vec3(0.0, 0.36, 1.0);

  /**
   * Focal length of the nominal camera at 640x480, pixels: the largest square-pixel focal length
   * for which the table region x ∈ [-0.38, 0.38], y ∈ [0.07, 0.65] is entirely in view (the y
   * extent, 0.29 m either side of the optical axis at 1 m, is the binding one).
   */
  static final double MANTIS_FOCAL_PX_640 = 240.0 / 0.29;

  private final CameraIntrinsics intrinsics;
  private final CameraExtrinsics extrinsics;

  public CameraModel(CameraIntrinsics intrinsics, CameraExtrinsics extrinsics) {
    this.intrinsics = Objects.requireNonNull(intrinsics, "intrinsics");
    this.extrinsics = Objects.requireNonNull(extrinsics, "extrinsics");
  }

  /**
   * The simulator's nominal camera at the given size: at (0, 0.36, 1.0) m looking straight down,
   * yaw 0, no distortion. Defined at 640x480 and scaled to other sizes with x and y scaling
   * independently, so the same table region fills every image.
   */
  public static CameraModel mantisDefault(int widthPx, int heightPx) {
    CameraIntrinsics base =
        new CameraIntrinsics(
            640, 480, MANTIS_FOCAL_PX_640, MANTIS_FOCAL_PX_640, 319.5, 239.5, 0, 0, 0, 0, 0);
    CameraIntrinsics k =
        (widthPx == 640 && heightPx == 480) ? base : base.scaledTo(widthPx, heightPx);
    return new CameraModel(k, CameraExtrinsics.lookingDown(MANTIS_CAMERA_POSITION_M, 0.0));
  }

  public CameraIntrinsics intrinsics() {
    return intrinsics;
  }

  public CameraExtrinsics extrinsics() {
    return extrinsics;
  }

  public int widthPx() {
    return intrinsics.widthPx();
  }

  public int heightPx() {
    return intrinsics.heightPx();
  }

  /**
   * Projects a world point to pixels, distortion included. Empty when the point is not in front of
   * the camera. The pixel may lie outside the image.
   */
  public Optional<PixelPoint> project(Vec3 worldM) {
    Vec3 pc = extrinsics.toCamera(worldM);
    if (!(pc.zM() > 1e-9) || !pc.isFinite()) {
      return Optional.empty();
    }
    double x = pc.xM() / pc.zM();
    double y = pc.yM() / pc.zM();
    double[] d = intrinsics.distortNormalized(x, y);
    double u = intrinsics.fxPx() * d[0] + intrinsics.cxPx();
    double v = intrinsics.fyPx() * d[1] + intrinsics.cyPx();
    if (!Double.isFinite(u) || !Double.isFinite(v)) {
      return Optional.empty();
    }
    return Optional.of(new PixelPoint(u, v));
  }

  /**
   * Maps a pixel to the horizontal plane z = {@code planeZM}: undistorts the pixel, casts the ray
   * through the camera centre and intersects it with the plane. Empty when the ray misses the plane
   * (parallel, or the plane is behind the camera) or undistortion fails.
   */
  public Optional<TablePoint> pixelToTable(PixelPoint px, double planeZM) {
    return pixelToPlane(px, planeZM).map(p -> new TablePoint(p.xM(), p.yM()));
  }

  /** Like {@link #pixelToTable} but returns the 3-D intersection point. */
  public Optional<Vec3> pixelToPlane(PixelPoint px, double planeZM) {
    Objects.requireNonNull(px, "px");
    if (!Double.isFinite(px.xPx()) || !Double.isFinite(px.yPx()) || !Double.isFinite(planeZM)) {
      return Optional.empty();
    }
    double xd = (px.xPx() - intrinsics.cxPx()) / intrinsics.fxPx();
    double yd = (px.yPx() - intrinsics.cyPx()) / intrinsics.fyPx();
    double[] n = intrinsics.undistortNormalized(xd, yd);
    if (n == null) {
      return Optional.empty();
    }
    Vec3 dir = extrinsics.directionToWorld(new Vec3(n[0], n[1], 1.0));
    Vec3 c = extrinsics.cameraPositionM();
    if (Math.abs(dir.zM()) < 1e-12) {
      return Optional.empty();
    }
    double s = (planeZM - c.zM()) / dir.zM();
    if (!(s > 0)) {
      return Optional.empty();
    }
    return Optional.of(new Vec3(c.xM() + s * dir.xM(), c.yM() + s * dir.yM(), planeZM));
  }

  /** True when the pixel lies inside the image (centres at integers: [-0.5, w - 0.5)). */
  public boolean inImage(PixelPoint px) {
    return px.xPx() >= -0.5
        && px.xPx() < widthPx() - 0.5
        && px.yPx() >= -0.5
        && px.yPx() < heightPx() - 0.5;
  }

  /** The same camera at another resolution (see {@link CameraIntrinsics#scaledTo}). */
  public CameraModel scaledTo(int widthPx, int heightPx) {
    if (widthPx == intrinsics.widthPx() && heightPx == intrinsics.heightPx()) {
      return this;
    }
    return new CameraModel(intrinsics.scaledTo(widthPx, heightPx), extrinsics);
  }

  /** The same camera with other extrinsics. */
  public CameraModel withExtrinsics(CameraExtrinsics newExtrinsics) {
    return new CameraModel(intrinsics, newExtrinsics);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CameraModel other
        && intrinsics.equals(other.intrinsics)
        && extrinsics.equals(other.extrinsics);
  }

  @Override
  public int hashCode() {
    return 31 * intrinsics.hashCode() + extrinsics.hashCode();
  }

  @Override
  public String toString() {
    return "CameraModel[" + intrinsics + ", " + extrinsics + "]";
  }
}
