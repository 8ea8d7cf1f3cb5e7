package mantis.model.serve;

import mantis.core.PolicyInfo;

/**
 * A loaded policy model that hands out one {@link BatchPredictor} per worker; the weights are
 * shared, the scratch state is not. Thread-safe.
 */
public interface PolicyModel extends AutoCloseable {
  /** What the model is and expects. */
  PolicyInfo info();

  /** A new predictor for one worker thread; the caller closes it. */
  BatchPredictor newPredictor();

  @Override
  void close();
}
