package mantis.core;

/**
 * Turns an observation into an action chunk. Implementations may hold native resources and are
 * closed by their owner. {@link #predict} may be called from several threads at once unless the
 * implementation says otherwise.
 */
public interface Policy extends AutoCloseable {
  /** Describes the policy: name, version, joint names, input size and chunk length. */
  PolicyInfo info();

  /**
   * Predicts the next action chunk. The returned chunk is raw: the caller runs it through the
   * safety filter before anything executes it.
   */
  ActionChunk predict(Observation observation);

  /**
   * Predicts with the Set-of-Mark marks the server proposed on the newest frame (ids stable across
   * a Control stream). Policies that ground their actions on marks override this, and should key
   * their traces by these ids; the default ignores the marks and calls {@link
   * #predict(Observation)}.
   *
   * @param marks the marks on the newest frame, in its pixel coordinates; may be empty
   */
  default ActionChunk predict(Observation observation, java.util.List<Mark> marks) {
    return predict(observation);
  }

  @Override
  default void close() {}
}
