package mantis.sim;

import java.util.Objects;
import java.util.Optional;

/**
 * What the current episode asks for.
 *
 * @param family the task family
 * @param objectName the object to reach or push ("red block")
 * @param direction the push direction, for {@link TaskFamily#PUSH_DIRECTION} only
 * @param targetName the target zone ("green target"), for {@link TaskFamily#PUSH_TO_TARGET} only
 * @param startXM the object's centre x at the start of the episode
 * @param startYM the object's centre y at the start of the episode
 * @param instruction the natural-language instruction
 */
public record Task(
    TaskFamily family,
    String objectName,
    Optional<PushDirection> direction,
    Optional<String> targetName,
    double startXM,
    double startYM,
    String instruction) {
  public Task {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(objectName, "objectName");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(targetName, "targetName");
    Objects.requireNonNull(instruction, "instruction");
  }
}
