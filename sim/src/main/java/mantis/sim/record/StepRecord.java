package mantis.sim.record;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of {@code steps.jsonl}: the state at one instant and the action commanded from it.
 *
 * @param step physics step index since reset
 * @param timeS simulated time, seconds
 * @param jointPositionsRad arm joint positions (empty for the hand)
 * @param jointVelocitiesRadPerS arm joint velocities (empty for the hand)
 * @param action the command issued at this step: joint position targets in rad (arm) or the hand's
 *     table-plane target {x, y} in metres; empty on the final line, which records the end state
 * @param effectorXM pusher tip (arm) or palm (hand) centre x
 * @param effectorYM effector centre y
 * @param effectorHeadingRad heading of the arm's last link (0 for the hand)
 * @param objects every object's pose
 * @param success whether the task's success predicate holds in this state
 * @param frame the frame's path relative to the episode directory, when one was saved at this step
 */
public record StepRecord(
    long step,
    double timeS,
    double[] jointPositionsRad,
    double[] jointVelocitiesRadPerS,
    double[] action,
    double effectorXM,
    double effectorYM,
    double effectorHeadingRad,
    List<ObjectPose> objects,
    boolean success,
    Optional<String> frame) {
  public StepRecord {
    jointPositionsRad = jointPositionsRad.clone();
    jointVelocitiesRadPerS = jointVelocitiesRadPerS.clone();
    action = action.clone();
    objects = List.copyOf(objects);
    Objects.requireNonNull(frame, "frame");
  }

  @Override
  public double[] jointPositionsRad() {
    return jointPositionsRad.clone();
  }

  @Override
  public double[] jointVelocitiesRadPerS() {
    return jointVelocitiesRadPerS.clone();
  }

  @Override
  public double[] action() {
    return action.clone();
  }

  /** True on the final line (the end state, no action). */
  public boolean isFinal() {
    return action.length == 0;
  }
}
