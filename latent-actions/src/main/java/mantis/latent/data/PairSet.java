package mantis.latent.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/** An immutable list of pairs of one dataset (e.g. its training or held-out part), with readers. */
public final class PairSet {
  private final VideoDataset dataset;
  private final List<PairRef> pairs;

  PairSet(VideoDataset dataset, List<PairRef> pairs) {
    this.dataset = dataset;
    this.pairs = List.copyOf(pairs);
  }

  public int size() {
    return pairs.size();
  }

  public PairRef get(int i) {
    return pairs.get(i);
  }

  /** The pairs in dataset order (episode, then t). */
  public List<PairRef> pairs() {
    return pairs;
  }

  /** The pairs in a seeded random order (Fisher-Yates; the same seed gives the same order). */
  public List<PairRef> shuffled(long seed) {
    List<PairRef> list = new ArrayList<>(pairs);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      PairRef tmp = list.get(i);
      list.set(i, list.get(j));
      list.set(j, tmp);
    }
    return list;
  }

  /** Reads one pair. */
  public FramePair read(PairRef ref) {
    return dataset.readPair(ref);
  }

  /** Streams every pair once, in the seeded shuffled order, reading frames lazily. */
  public Iterator<FramePair> iterator(long shuffleSeed) {
    List<PairRef> order = shuffled(shuffleSeed);
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < order.size();
      }

      @Override
      public FramePair next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return dataset.readPair(order.get(next++));
      }
    };
  }
}
