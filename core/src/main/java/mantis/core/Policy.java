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
   * Predicts the next action chunk. The returned chunk is raw: the caller runs it through the safety
   * filter before anything executes it.
   */
  ActionChunk predict(Observation observation);

  @Override
  default void close() {}
}
