package mantis.calibration.camera;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every method's hand-eye solution, and the best.
 *
 * @param mode eye-in-hand or eye-to-hand
 * @param stations robot stations used
 * @param pairs pairs of stations the residuals are taken over: stations x (stations - 1) / 2
 * @param solutions the methods that gave a finite solution, in {@link HandEyeMethod} order
 * @param failures the methods that did not, with the reason
 * @param best the method whose solution has the lowest RMS translation residual (ties: the lowest
 *     rotation residual)
 */
public record HandEyeResult(
    HandEyeMode mode,
    int stations,
    int pairs,
    List<HandEyeSolution> solutions,
    Map<HandEyeMethod, String> failures,
    HandEyeMethod best) {
  public HandEyeResult {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(best, "best");
    solutions = List.copyOf(solutions);
    failures = Map.copyOf(failures);
  }

  /** The best method's solution. */
  public HandEyeSolution bestSolution() {
    return solution(best);
  }

  /** The given method's solution; throws when that method failed. */
  public HandEyeSolution solution(HandEyeMethod method) {
    for (HandEyeSolution s : solutions) {
      if (s.method() == method) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        method.configName() + " gave no solution: " + failures.get(method));
  }
}
