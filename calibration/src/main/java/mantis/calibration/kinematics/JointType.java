package mantis.calibration.kinematics;

import java.util.Locale;

/** The URDF joint types a serial chain supports. */
public enum JointType {
  /** Rotation about the axis within [lower, upper], radians. */
  REVOLUTE,
  /** Rotation about the axis without position limits, radians. */
  CONTINUOUS,
  /** Translation along the axis within [lower, upper], metres. */
  PRISMATIC,
  /** No motion. */
  FIXED;

  /** The URDF name: "revolute", "continuous", ... */
  public String urdfName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for every type but {@link #FIXED}. */
  public boolean moves() {
    return this != FIXED;
  }
}
