package mantis.model.serve;

import java.util.List;
import mantis.core.ActionChunk;
import mantis.core.Mark;
import mantis.core.Observation;

/**
 * Runs a policy on a batch of observations from different streams in one forward pass. One instance
 * belongs to one worker thread: implementations need not be thread-safe. Native resources are
 * released by {@link #close()}.
 */
public interface BatchPredictor extends AutoCloseable {
  /**
   * One raw (unfiltered) chunk per observation, in the same order.
   *
   * @param observations the observations, at least one
   * @param marks {@code marks.get(i)} are the Set-of-Mark marks on the newest frame of observation
   *     i
   */
  List<ActionChunk> predict(List<Observation> observations, List<List<Mark>> marks);

  @Override
  void close();
}
