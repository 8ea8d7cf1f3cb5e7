package mantis.core.safety;

import java.util.List;
import java.util.Objects;
import mantis.core.ActionChunk;

/**
 * What the {@link SafetyFilter} made of a chunk.
 *
 * @param chunk the safe chunk to execute; always obeys the invariants, never null
 * @param interventions every correction made, in the order found; empty when the chunk passed
 *     unchanged
 * @param held true when {@code chunk} is a hold that replaced the policy's motion (e-stop, expired,
 *     malformed chunk or unusable joint state) rather than the policy's (possibly corrected) motion
 */
public record SafetyResult(ActionChunk chunk, List<Intervention> interventions, boolean held) {
  public SafetyResult {
    Objects.requireNonNull(chunk, "chunk");
    interventions = List.copyOf(Objects.requireNonNull(interventions, "interventions"));
  }

  /** A result that is not a hold. */
  public SafetyResult(ActionChunk chunk, List<Intervention> interventions) {
    this(chunk, interventions, false);
  }

  /** True when the filter changed nothing. */
  public boolean passedUnchanged() {
    return interventions.isEmpty();
  }

  /** True when at least one intervention of {@code kind} was recorded. */
  public boolean has(InterventionKind kind) {
    for (Intervention i : interventions) {
      if (i.kind() == kind) {
        return true;
      }
    }
    return false;
  }
}
