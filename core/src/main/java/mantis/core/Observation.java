package mantis.core;

import java.util.List;
import java.util.Objects;

/**
 * Everything the policy sees for one step of one robot: frame(s), instruction, joint state and
 * times.
 *
 * @param robotId which robot (one closed loop per robot)
 * @param episodeId which episode of that robot
 * @param step step index inside the episode
 * @param frames decoded frames, newest last; at least one
 * @param instruction natural-language instruction, non-blank
 * @param jointState the measured joint state
 * @param captureTimeNanos monotonic time the newest frame was captured (client clock)
 * @param sendTimeNanos monotonic time the observation was sent (client clock)
 */
public record Observation(
    String robotId,
    String episodeId,
    long step,
    List<Frame> frames,
    String instruction,
    JointState jointState,
    long captureTimeNanos,
    long sendTimeNanos) {
  public Observation {
    robotId = Objects.requireNonNullElse(robotId, "");
    episodeId = Objects.requireNonNullElse(episodeId, "");
    frames = List.copyOf(Objects.requireNonNull(frames, "frames"));
    Objects.requireNonNull(instruction, "instruction");
    Objects.requireNonNull(jointState, "jointState");
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("an observation needs at least one frame");
    }
    if (instruction.isBlank()) {
      throw new IllegalArgumentException("instruction is empty");
    }
  }

  /**
   * The key of this observation's episode for per-episode memories: the robot id and the episode id
   * joined by a NUL character, so that ("a", "bc") and ("ab", "c") stay apart.
   */
  public String episodeKey() {
    return robotId + '\u0000' + episodeId;
  }

  /** The newest frame. */
  public Frame frame() {
    return frames.get(frames.size() - 1);
  }
}
