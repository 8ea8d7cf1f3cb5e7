package mantis.core;

import java.util.Objects;

/**
 * Limits of one joint.
 *
 * @param name joint name
 * @param minPositionRad lower position limit
 * @param maxPositionRad upper position limit
 * @param maxVelocityRadPerS largest speed
 * @param maxAccelerationRadPerS2 largest acceleration
 */
public record JointLimits(
    String name,
    double minPositionRad,
    double maxPositionRad,
    double maxVelocityRadPerS,
    double maxAccelerationRadPerS2) {
  public JointLimits {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("joint name is blank");
    }
    if (!Double.isFinite(minPositionRad)
        || !Double.isFinite(maxPositionRad)
        || minPositionRad >= maxPositionRad) {
      throw new IllegalArgumentException(
          "joint "
              + name
              + ": position limits must be finite with min < max, got ["
              + minPositionRad
              + ", "
              + maxPositionRad
              + "]");
    }
    if (!(maxVelocityRadPerS > 0) || !Double.isFinite(maxVelocityRadPerS)) {
      throw new IllegalArgumentException("joint " + name + ": max velocity must be finite and > 0");
    }
    if (!(maxAccelerationRadPerS2 > 0) || !Double.isFinite(maxAccelerationRadPerS2)) {
      throw new IllegalArgumentException(
          "joint " + name + ": max acceleration must be finite and > 0");
    }
  }
}
