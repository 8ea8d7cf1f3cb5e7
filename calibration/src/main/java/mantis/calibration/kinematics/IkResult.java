package mantis.calibration.kinematics;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of an IK solve: the joint values when solved, the remaining error of the best
 * attempt, and a reason when not solved.
 */
public final class IkResult {
  private final double[] joints;
  private final boolean solved;
  private final double positionErrorM;
  private final double orientationErrorRad;
  private final int attempts;
  private final int iterations;
  private final String failure;

  private IkResult(
      double[] joints,
      boolean solved,
      double positionErrorM,
      double orientationErrorRad,
      int attempts,
      int iterations,
      String failure) {
    this.joints = joints == null ? null : joints.clone();
    this.solved = solved;
    this.positionErrorM = positionErrorM;
    this.orientationErrorRad = orientationErrorRad;
    this.attempts = attempts;
    this.iterations = iterations;
    this.failure = failure;
  }

  /** A solution of a solver that does not iterate (0 iterations). */
  public static IkResult solved(
      double[] joints, double positionErrorM, double orientationErrorRad, int attempts) {
    return solved(joints, positionErrorM, orientationErrorRad, attempts, 0);
  }

  /** A solution found after {@code iterations} solver iterations over all attempts. */
  public static IkResult solved(
      double[] joints,
      double positionErrorM,
      double orientationErrorRad,
      int attempts,
      int iterations) {
    Objects.requireNonNull(joints, "joints");
    return new IkResult(
        joints, true, positionErrorM, orientationErrorRad, attempts, iterations, "");
  }

  /**
   * A failure of a solver that does not iterate, with the best attempt's errors (NaN when there was
   * no attempt) and a reason.
   */
  public static IkResult failed(
      String reason, double positionErrorM, double orientationErrorRad, int attempts) {
    return failed(reason, positionErrorM, orientationErrorRad, attempts, 0);
  }

  /** A failure after {@code iterations} solver iterations over all attempts. */
  public static IkResult failed(
      String reason,
      double positionErrorM,
      double orientationErrorRad,
      int attempts,
      int iterations) {
    Objects.requireNonNull(reason, "reason");
    return new IkResult(
        null, false, positionErrorM, orientationErrorRad, attempts, iterations, reason);
  }

  /** True when a solution within the tolerances and the limits was found. */
  public boolean solved() {
    return solved;
  }

  /** The solution (a copy), when solved. */
  public Optional<double[]> joints() {
    return joints == null ? Optional.empty() : Optional.of(joints.clone());
  }

  /** Position error of the solution (or of the best attempt), metres. */
  public double positionErrorM() {
    return positionErrorM;
  }

  /** Orientation error of the solution (or of the best attempt), radians. */
  public double orientationErrorRad() {
    return orientationErrorRad;
  }

  /** Attempts made: 1 from the seed plus the random restarts used. */
  public int attempts() {
    return attempts;
  }

  /** Solver iterations over all attempts (0 for a closed-form solver). */
  public int iterations() {
    return iterations;
  }

  /** Why the solve failed; empty when solved. */
  public String failure() {
    return failure;
  }

  @Override
  public String toString() {
    return solved
        ? "IkResult{solved, joints="
            + Arrays.toString(joints)
            + ", positionErrorM="
            + positionErrorM
            + ", orientationErrorRad="
            + orientationErrorRad
            + ", attempts="
            + attempts
            + ", iterations="
            + iterations
            + "}"
        : "IkResult{failed: " + failure + "}";
  }
}
