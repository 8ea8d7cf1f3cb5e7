package mantis.sim.record;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import mantis.calibration.CameraModel;
import mantis.core.RobotSpec;
import mantis.sim.Embodiment;
import mantis.sim.ObjectState;
import mantis.sim.TargetZone;
import mantis.sim.Task;

/**
 * The contents of {@code episode.json}.
 *
 * @param formatVersion the episode format version ({@link EpisodeRecorder#FORMAT_VERSION})
 * @param seed the simulator seed
 * @param embodiment arm or hand
 * @param task family, object, direction or target, start position, instruction
 * @param physicsHz physics steps per simulated second
 * @param maxEpisodeSeconds the episode time-out
 * @param domainRandomization whether rendering was randomised
 * @param stepEvery one line of steps.jsonl every this many physics steps
 * @param frameEvery one frame every this many recorded lines (0: no frames)
 * @param frameWidthPx frame width (0 when no frames)
 * @param frameHeightPx frame height (0 when no frames)
 * @param robot the arm description (limits), also given for the hand for reference
 * @param camera the nominal camera at the frame size (what calibration would give)
 * @param renderCamera the camera that actually rendered the frames (nominal plus jitter;
 *     privileged)
 * @param objects objects at the start of the episode (colours, shapes, sizes, poses)
 * @param targets target zones
 * @param complete true once the recorder was closed
 * @param recordedSteps lines in steps.jsonl (when complete)
 * @param success the final success (when complete)
 */
public record EpisodeMetadata(
    int formatVersion,
    long seed,
    Embodiment embodiment,
    Task task,
    int physicsHz,
    double maxEpisodeSeconds,
    boolean domainRandomization,
    int stepEvery,
    int frameEvery,
    int frameWidthPx,
    int frameHeightPx,
    RobotSpec robot,
    Optional<CameraModel> camera,
    Optional<CameraModel> renderCamera,
    List<ObjectState> objects,
    List<TargetZone> targets,
    boolean complete,
    Optional<Long> recordedSteps,
    Optional<Boolean> success) {
  public EpisodeMetadata {
    Objects.requireNonNull(embodiment, "embodiment");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(robot, "robot");
    objects = List.copyOf(objects);
    targets = List.copyOf(targets);
  }

  /** The instruction. */
  public String instruction() {
    return task.instruction();
  }
}
