package mantis.latent.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mantis.latent.data.PairRef;
import mantis.latent.data.PairSet;

/**
 * Which pairs make up the batch of each training step. Sample position {@code p = s * batchSize +
 * i} (step s, element i) lies in epoch {@code e = p / pairs} at index {@code p % pairs} of {@code
 * pairs.shuffled(seed + e)}; a batch that crosses an epoch boundary wraps into the next epoch's
 * order. The batch of a step therefore depends only on (seed, step), whatever step a run starts
 * from. Not thread-safe.
 */
final class BatchSchedule {
  private final PairSet pairs;
  private final long shuffleSeed;
  private final int batchSize;
  private final Map<Long, List<PairRef>> orders =
      new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, List<PairRef>> eldest) {
          return size() > 2;
        }
      };

  BatchSchedule(PairSet pairs, long shuffleSeed, int batchSize) {
    if (pairs.size() == 0) {
      throw new IllegalArgumentException("no training pairs");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.pairs = pairs;
    this.shuffleSeed = shuffleSeed;
    this.batchSize = batchSize;
  }

  /**
   * The pairs of the step that takes the model from {@code step} to {@code step + 1} training
   * steps.
   */
  List<PairRef> batch(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    List<PairRef> out = new ArrayList<>(batchSize);
    long n = pairs.size();
    for (int i = 0; i < batchSize; i++) {
      long p = Math.multiplyExact(step, (long) batchSize) + i;
      out.add(order(p / n).get((int) (p % n)));
    }
    return out;
  }

  /** Epoch of the first sample of a step. */
  long epochOf(long step) {
    return step * batchSize / pairs.size();
  }

  private List<PairRef> order(long epoch) {
    return orders.computeIfAbsent(epoch, e -> pairs.shuffled(shuffleSeed + e));
  }
}
