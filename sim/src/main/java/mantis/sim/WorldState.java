package mantis.sim;

import java.util.List;
import java.util.Optional;

/**
 * Privileged ground truth of the scene at one instant: what a scripted expert, a recorder or an
 * evaluator may read, never a policy.
 *
 * @param timeS simulated time since reset, seconds
 * @param embodiment arm or hand
 * @param task the current task
 * @param objects every pushable object
 * @param targets every target zone
 * @param effectorXM x of the pushing effector's centre (arm pusher tip or hand palm), table frame
 * @param effectorYM y of the effector's centre
 * @param effectorHeadingRad heading of the arm's last link (CCW from +x); 0 for the hand
 * @param effectorRadiusM radius of the round pusher (arm) or of the palm (hand)
 * @param jointPositionsRad arm joint positions (empty for the hand)
 */
public record WorldState(
    double timeS,
    Embodiment embodiment,
    Task task,
    List<ObjectState> objects,
    List<TargetZone> targets,
    double effectorXM,
    double effectorYM,
    double effectorHeadingRad,
    double effectorRadiusM,
    double[] jointPositionsRad) {
  public WorldState {
    objects = List.copyOf(objects);
    targets = List.copyOf(targets);
    jointPositionsRad = jointPositionsRad.clone();
  }

  @Override
  public double[] jointPositionsRad() {
    return jointPositionsRad.clone();
  }

  /** The object with this name. */
  public Optional<ObjectState> object(String name) {
    for (ObjectState o : objects) {
      if (o.name().equals(name)) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }

  /** The target zone with this name. */
  public Optional<TargetZone> target(String name) {
    for (TargetZone t : targets) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The object the task is about. */
  public ObjectState taskObject() {
    return object(task.objectName()).orElseThrow();
  }
}
