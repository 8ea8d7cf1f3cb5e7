package mantis.teleop;

import java.util.List;

/**
 * How well the shadow policy agrees with the person, over some window of control ticks where the
 * person was driving.
 *
 * @param samples control ticks compared
 * @param perJointMaeRad mean absolute difference between the person's and the policy's next joint
 *     target, per joint, radians (empty when {@code samples} is 0)
 * @param directionAgreementPct share of (tick, joint) pairs where both moved the joint the same way
 *     (both still within a dead band counts as agreeing), percent
 * @param groundedMarkAgreementPct share of ticks where the mark the policy grounded is the mark the
 *     person's motion heads for, percent (NaN when no tick had both)
 */
public record Agreement(
    long samples,
    List<Double> perJointMaeRad,
    double directionAgreementPct,
    double groundedMarkAgreementPct) {
  public Agreement {
    if (samples < 0) {
      throw new IllegalArgumentException("samples must be >= 0");
    }
    perJointMaeRad = List.copyOf(perJointMaeRad);
  }

  /** No samples yet. */
  public static Agreement empty() {
    return new Agreement(0, List.of(), Double.NaN, Double.NaN);
  }
}
