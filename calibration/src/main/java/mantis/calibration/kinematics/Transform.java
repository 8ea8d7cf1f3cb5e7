package mantis.calibration.kinematics;

import java.util.Objects;
import org.ejml.data.DMatrix3;
import org.ejml.data.DMatrix3x3;
import org.ejml.dense.fixed.CommonOps_DDF3;

/**
 * An immutable rigid transform: a rotation followed by a translation (metres). Applied to a point p
 * it gives R p + t.
 */
public final class Transform {
  /** The identity transform. */
  public static final Transform IDENTITY =
      new Transform(new DMatrix3x3(1, 0, 0, 0, 1, 0, 0, 0, 1), new DMatrix3(0, 0, 0));

  private final DMatrix3x3 rotation;
  private final DMatrix3 translationM;

  private Transform(DMatrix3x3 rotation, DMatrix3 translationM) {
    this.rotation = rotation;
    this.translationM = translationM;
  }

  /**
   * The URDF origin transform: translation {@code xyz} and fixed-axis roll, pitch, yaw (R = Rz(yaw)
   * Ry(pitch) Rx(roll)).
   */
  public static Transform fromXyzRpy(
      double xM, double yM, double zM, double rollRad, double pitchRad, double yawRad) {
    double cr = Math.cos(rollRad);
    double sr = Math.sin(rollRad);
    double cp = Math.cos(pitchRad);
    double sp = Math.sin(pitchRad);
    double cy = Math.cos(yawRad);
    double sy = Math.sin(yawRad);
    DMatrix3x3 r =
        new DMatrix3x3(
            cy * cp,
            cy * sp * sr - sy * cr,
            cy * sp * cr + sy * sr,
            sy * cp,
            sy * sp * sr + cy * cr,
            sy * sp * cr - cy * sr,
            -sp,
            cp * sr,
            cp * cr);
    return new Transform(r, new DMatrix3(xM, yM, zM));
  }

  /** A rotation of {@code angleRad} about the unit vector {@code axis} (Rodrigues). */
  static Transform rotation(DMatrix3 axis, double angleRad) {
    double c = Math.cos(angleRad);
    double s = Math.sin(angleRad);
    double v = 1 - c;
    double x = axis.a1;
    double y = axis.a2;
    double z = axis.a3;
    DMatrix3x3 r =
        new DMatrix3x3(
            c + x * x * v,
            x * y * v - z * s,
            x * z * v + y * s,
            y * x * v + z * s,
            c + y * y * v,
            y * z * v - x * s,
            z * x * v - y * s,
            z * y * v + x * s,
            c + z * z * v);
    return new Transform(r, new DMatrix3(0, 0, 0));
  }

  /** A pure translation of {@code distanceM} along the unit vector {@code axis}. */
  static Transform translation(DMatrix3 axis, double distanceM) {
    return new Transform(
        new DMatrix3x3(1, 0, 0, 0, 1, 0, 0, 0, 1),
        new DMatrix3(axis.a1 * distanceM, axis.a2 * distanceM, axis.a3 * distanceM));
  }

  /** This transform followed (in the child frame) by {@code child}: this * child. */
  public Transform then(Transform child) {
    Objects.requireNonNull(child, "child");
    DMatrix3x3 r = new DMatrix3x3();
    CommonOps_DDF3.mult(rotation, child.rotation, r);
    DMatrix3 t = new DMatrix3();
    CommonOps_DDF3.mult(rotation, child.translationM, t);
    CommonOps_DDF3.addEquals(t, translationM);
    return new Transform(r, t);
  }

  /** The translation, metres: {x, y, z} (a copy). */
  public double[] translationM() {
    return new double[] {translationM.a1, translationM.a2, translationM.a3};
  }

  /** The rotation matrix, row-major (a copy). */
  public double[] rotationRowMajor() {
    return new double[] {
      rotation.a11, rotation.a12, rotation.a13,
      rotation.a21, rotation.a22, rotation.a23,
      rotation.a31, rotation.a32, rotation.a33
    };
  }

  /** The rotated direction R v. */
  DMatrix3 rotate(DMatrix3 v) {
    DMatrix3 out = new DMatrix3();
    CommonOps_DDF3.mult(rotation, v, out);
    return out;
  }

  DMatrix3 translation() {
    return translationM;
  }

  DMatrix3x3 rotationMatrix() {
    return rotation;
  }

  /** This transform as a pose (position and unit quaternion). */
  public Pose toPose() {
    return Pose.fromRotation(
        translationM.a1,
        translationM.a2,
        translationM.a3,
        rotation.a11,
        rotation.a12,
        rotation.a13,
        rotation.a21,
        rotation.a22,
        rotation.a23,
        rotation.a31,
        rotation.a32,
        rotation.a33);
  }

  /** Exact equality of the rotation and translation entries. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Transform t
        && java.util.Arrays.equals(rotationRowMajor(), t.rotationRowMajor())
        && java.util.Arrays.equals(translationM(), t.translationM());
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(rotationRowMajor())
        + java.util.Arrays.hashCode(translationM());
  }

  @Override
  public String toString() {
    return "Transform{t="
        + java.util.Arrays.toString(translationM())
        + ", R="
        + java.util.Arrays.toString(rotationRowMajor())
        + "}";
  }
}
