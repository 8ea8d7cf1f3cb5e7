package mantis.core;

import java.util.List;
import java.util.Objects;

/**
 * Measured joint positions (and optionally velocities) of one arm at one instant.
 *
 * @param names joint names, in the robot description's order
 * @param positionsRad joint positions in radians (or metres for prismatic joints)
 * @param velocitiesRadPerS joint velocities; empty when unknown
 * @param stampNanos monotonic time of the measurement, in nanoseconds
 */
public record JointState(
    List<String> names, double[] positionsRad, double[] velocitiesRadPerS, long stampNanos) {
  public JointState {
    names = List.copyOf(Objects.requireNonNull(names, "names"));
    positionsRad = Objects.requireNonNull(positionsRad, "positionsRad").clone();
    velocitiesRadPerS = velocitiesRadPerS == null ? new double[0] : velocitiesRadPerS.clone();
    if (names.size() != positionsRad.length) {
      throw new IllegalArgumentException(
          names.size() + " joint names but " + positionsRad.length + " positions");
    }
    if (velocitiesRadPerS.length != 0 && velocitiesRadPerS.length != positionsRad.length) {
      throw new IllegalArgumentException(
          positionsRad.length + " positions but " + velocitiesRadPerS.length + " velocities");
    }
  }

  /** A state with positions only. */
  public static JointState ofPositions(List<String> names, double[] positionsRad, long stampNanos) {
    return new JointState(names, positionsRad, new double[0], stampNanos);
  }

  @Override
  public double[] positionsRad() {
    return positionsRad.clone();
  }

  @Override
  public double[] velocitiesRadPerS() {
    return velocitiesRadPerS.clone();
  }

  public int size() {
    return positionsRad.length;
  }

  public double positionRad(int joint) {
    return positionsRad[joint];
  }

  /** True when every position and velocity is finite. */
  public boolean isFinite() {
    for (double p : positionsRad) {
      if (!Double.isFinite(p)) {
        return false;
      }
    }
    for (double v : velocitiesRadPerS) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
