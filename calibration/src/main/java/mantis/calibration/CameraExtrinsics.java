package mantis.calibration;

import java.util.Arrays;
import java.util.Objects;

/**
 * The camera's pose: {@code p_camera = R * p_world + t}. Camera axes follow OpenCV: x right in the
 * image, y down in the image, z along the optical axis. Immutable.
 */
public final class CameraExtrinsics {
  private final double[] r; // row-major 3x3, rows = camera axes expressed in world coordinates
  private final double[] t;

  private CameraExtrinsics(double[] r, double[] t) {
    this.r = r;
    this.t = t;
  }

  /**
   * Builds extrinsics from a rotation matrix (row-major, 9 values) and a translation.
   *
   * @throws IllegalArgumentException if the matrix is not a proper rotation (orthonormal, det 1)
   */
  public static CameraExtrinsics of(double[] rotationRowMajor, Vec3 translationM) {
    Objects.requireNonNull(rotationRowMajor, "rotationRowMajor");
    Objects.requireNonNull(translationM, "translationM");
    if (rotationRowMajor.length != 9) {
      throw new IllegalArgumentException("rotation needs 9 values, got " + rotationRowMajor.length);
    }
    double[] r = rotationRowMajor.clone();
    for (double v : r) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("rotation has a non-finite entry");
      }
    }
    if (!translationM.isFinite()) {
      throw new IllegalArgumentException("translation is not finite: " + translationM);
    }
    double[] rrt = multiply(r, transpose(r));
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (Math.abs(rrt[i * 3 + j] - (i == j ? 1 : 0)) > 1e-6) {
          throw new IllegalArgumentException("rotation is not orthonormal: " + Arrays.toString(r));
        }
      }
    }
    if (determinant(r) < 0) {
      throw new IllegalArgumentException("rotation is a reflection (det < 0)");
    }
    return new CameraExtrinsics(
        r, new double[] {translationM.xM(), translationM.yM(), translationM.zM()});
  }

  /**
   * A camera at {@code cameraPositionM} whose optical axis points straight down (world -z). With
   * {@code yawRad} = 0, image x is world +x and image y is world -y; a positive yaw turns the
   * camera CCW about world +z (so the image's x axis points along (cos yaw, sin yaw)).
   */
  public static CameraExtrinsics lookingDown(Vec3 cameraPositionM, double yawRad) {
    Objects.requireNonNull(cameraPositionM, "cameraPositionM");
    if (!cameraPositionM.isFinite() || !Double.isFinite(yawRad)) {
      throw new IllegalArgumentException("camera pose must be finite");
    }
    double c = Math.cos(yawRad);
    double s = Math.sin(yawRad);
    double[] r = {c, s, 0, s, -c, 0, 0, 0, -1};
    return new CameraExtrinsics(r, translationFor(r, cameraPositionM));
  }

  private static double[] translationFor(double[] r, Vec3 centre) {
    double[] c = {centre.xM(), centre.yM(), centre.zM()};
    double[] t = new double[3];
    for (int i = 0; i < 3; i++) {
      t[i] = -(r[i * 3] * c[0] + r[i * 3 + 1] * c[1] + r[i * 3 + 2] * c[2]);
    }
    return t;
  }

  /**
   * A copy moved by (dx, dy, dz) metres in the world frame and turned by small angles about the
   * camera's own axes: roll about its x axis, pitch about its y axis, yaw about its optical (z)
   * axis, applied in that order. Used for camera jitter and calibration-error studies.
   */
  public CameraExtrinsics perturbed(
      double dxM, double dyM, double dzM, double rollRad, double pitchRad, double yawRad) {
    double[] angles = {dxM, dyM, dzM, rollRad, pitchRad, yawRad};
    for (double a : angles) {
      if (!Double.isFinite(a)) {
        throw new IllegalArgumentException("perturbation must be finite");
      }
    }
    // The camera body turns by D = Rz(yaw) Ry(pitch) Rx(roll) in its own frame: new
    // camera-to-world = R^T D, so world-to-camera = D^T R.
    double[] d = multiply(rotZ(yawRad), multiply(rotY(pitchRad), rotX(rollRad)));
    double[] newR = multiply(transpose(d), r);
    Vec3 centre = cameraPositionM();
    Vec3 moved = new Vec3(centre.xM() + dxM, centre.yM() + dyM, centre.zM() + dzM);
    return new CameraExtrinsics(newR, translationFor(newR, moved));
  }

  /** The camera centre in world coordinates: {@code -R^T t}. */
  public Vec3 cameraPositionM() {
    double[] c = new double[3];
    for (int j = 0; j < 3; j++) {
      c[j] = -(r[j] * t[0] + r[3 + j] * t[1] + r[6 + j] * t[2]);
    }
    return new Vec3(c[0], c[1], c[2]);
  }

  /** The rotation R, row-major (a copy). */
  public double[] rotationRowMajor() {
    return r.clone();
  }

  /** The translation t, metres. */
  public Vec3 translationM() {
    return new Vec3(t[0], t[1], t[2]);
  }

  /** A world point in camera coordinates. */
  public Vec3 toCamera(Vec3 worldM) {
    double x = worldM.xM();
    double y = worldM.yM();
    double z = worldM.zM();
    return new Vec3(
        r[0] * x + r[1] * y + r[2] * z + t[0],
        r[3] * x + r[4] * y + r[5] * z + t[1],
        r[6] * x + r[7] * y + r[8] * z + t[2]);
  }

  /** A camera-frame direction in world coordinates ({@code R^T d}). */
  public Vec3 directionToWorld(Vec3 cameraDirection) {
    double x = cameraDirection.xM();
    double y = cameraDirection.yM();
    double z = cameraDirection.zM();
    return new Vec3(
        r[0] * x + r[3] * y + r[6] * z,
        r[1] * x + r[4] * y + r[7] * z,
        r[2] * x + r[5] * y + r[8] * z);
  }

  private static double[] rotX(double a) {
    double c = Math.cos(a);
    double s = Math.sin(a);
    return new double[] {1, 0, 0, 0, c, -s, 0, s, c};
  }

  private static double[] rotY(double a) {
    double c = Math.cos(a);
    double s = Math.sin(a);
    return new double[] {c, 0, s, 0, 1, 0, -s, 0, c};
  }

  private static double[] rotZ(double a) {
    double c = Math.cos(a);
    double s = Math.sin(a);
    return new double[] {c, -s, 0, s, c, 0, 0, 0, 1};
  }

  private static double[] multiply(double[] a, double[] b) {
    double[] out = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double sum = 0;
        for (int k = 0; k < 3; k++) {
          sum += a[i * 3 + k] * b[k * 3 + j];
        }
        out[i * 3 + j] = sum;
      }
    }
    return out;
  }

  private static double[] transpose(double[] a) {
    return new double[] {a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]};
  }

  private static double determinant(double[] a) {
    return a[0] * (a[4] * a[8] - a[5] * a[7])
        - a[1] * (a[3] * a[8] - a[5] * a[6])
        + a[2] * (a[3] * a[7] - a[4] * a[6]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CameraExtrinsics other
        && Arrays.equals(r, other.r)
        && Arrays.equals(t, other.t);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(r) + Arrays.hashCode(t);
  }

  @Override
  public String toString() {
    return "CameraExtrinsics[R=" + Arrays.toString(r) + ", t=" + Arrays.toString(t) + "]";
  }
}
