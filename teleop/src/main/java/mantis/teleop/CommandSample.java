package mantis.teleop;

import java.util.List;

/**
 * One control tick for the side-by-side plots.
 *
 * @param tMillis milliseconds since the episode started
 * @param teleopRad the person's next joint targets (the current position when not jogging)
 * @param policyRad the policy's next joint targets (first point of its chunk)
 * @param executedRad what was commanded after the safety filter
 * @param mode who was driving
 */
public record CommandSample(
    long tMillis,
    List<Double> teleopRad,
    List<Double> policyRad,
    List<Double> executedRad,
    ControlMode mode) {
  public CommandSample {
    teleopRad = List.copyOf(teleopRad);
    policyRad = List.copyOf(policyRad);
    executedRad = List.copyOf(executedRad);
  }
}
