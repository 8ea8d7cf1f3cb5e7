package mantis.calibration.kinematics;

/**
 * Settings of the damped-least-squares IK.
 *
 * @param positionToleranceM largest position error of a solution, metres (> 0)
 * @param orientationToleranceRad largest orientation error of a solution, radians (> 0)
 * @param maxIterations iterations per attempt (>= 1)
 * @param maxRestarts restarts after the attempt from the seed (>= 0): the first 16 from the
 *     precomputed sample poses nearest the target, the rest from random joint values
 * @param initialDamping initial damping factor lambda (> 0); adapted Levenberg-Marquardt style
 * @param randomSeed seed of the restarts' random joint values (each solve starts from it, so a
 *     solve is deterministic)
 */
public record IkOptions(
    double positionToleranceM,
    double orientationToleranceRad,
    int maxIterations,
    int maxRestarts,
    double initialDamping,
    long randomSeed) {
  public IkOptions {
    if (!(positionToleranceM > 0) || !Double.isFinite(positionToleranceM)) {
      throw new IllegalArgumentException(
          "positionToleranceM must be finite and > 0, got " + positionToleranceM);
    }
    if (!(orientationToleranceRad > 0) || !Double.isFinite(orientationToleranceRad)) {
      throw new IllegalArgumentException(
          "orientationToleranceRad must be finite and > 0, got " + orientationToleranceRad);
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
    }
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("maxRestarts must be >= 0, got " + maxRestarts);
    }
    if (!(initialDamping > 0) || !Double.isFinite(initialDamping)) {
      throw new IllegalArgumentException(
          "initialDamping must be finite and > 0, got " + initialDamping);
    }
  }

  /** 1e-9 m, 1e-9 rad, 100 iterations, 50 restarts, damping 1e-3, seed 42. */
  public static IkOptions defaults() {
    return new IkOptions(1e-9, 1e-9, 100, 50, 1e-3, 42L);
  }
}
