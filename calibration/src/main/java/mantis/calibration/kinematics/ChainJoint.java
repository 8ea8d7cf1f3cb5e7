package mantis.calibration.kinematics;

import java.util.Objects;
import java.util.Optional;
import mantis.core.JointLimits;
import org.ejml.data.DMatrix3;

/**
 * One moving joint of a {@link SerialChain}.
 *
 * @param name joint name
 * @param type {@link JointType#REVOLUTE}, {@link JointType#CONTINUOUS} or {@link
 *     JointType#PRISMATIC}
 * @param origin the joint frame in the previous moving joint's frame (or the base frame), with any
 *     fixed joints in between folded in
 * @param axisX unit axis x in the joint frame
 * @param axisY unit axis y
 * @param axisZ unit axis z
 * @param lower lower position limit (rad or m); -infinity for continuous joints
 * @param upper upper position limit; +infinity for continuous joints
 * @param maxVelocity velocity limit (rad/s or m/s); +infinity when the URDF gives none
 * @param maxEffort effort limit (N m or N); +infinity when the URDF gives none
 */
public record ChainJoint(
    String name,
    JointType type,
    Transform origin,
    double axisX,
    double axisY,
    double axisZ,
    double lower,
    double upper,
    double maxVelocity,
    double maxEffort) {
  public ChainJoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(origin, "origin");
    if (!type.moves()) {
      throw new IllegalArgumentException("joint " + name + ": a chain joint must move");
    }
  }

  /** True when the joint has finite position limits. */
  public boolean bounded() {
    return Double.isFinite(lower) && Double.isFinite(upper);
  }

  /**
   * The limits as core {@link JointLimits}, when the joint is bounded and has a finite velocity
   * limit (URDF has no acceleration limit, so the caller gives one); empty otherwise.
   */
  public Optional<JointLimits> limits(double maxAccelerationPerS2) {
    if (!bounded() || !Double.isFinite(maxVelocity) || !(maxVelocity > 0)) {
      return Optional.empty();
    }
    return Optional.of(new JointLimits(name, lower, upper, maxVelocity, maxAccelerationPerS2));
  }

  DMatrix3 axis() {
    return new DMatrix3(axisX, axisY, axisZ);
  }
}
