package mantis.latent.train;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Reads the items of consecutive indices {@code [from, to)} on one background thread, at most
 * {@code depth} ahead of the consumer. {@link #close()} drops the reads not started yet and waits
 * for the thread to end, without interrupting it.
 */
final class Prefetcher<T> implements AutoCloseable {
  private final ExecutorService executor;
  private final LongFunction<T> reader;
  private final long to;
  private final int depth;
  private final Deque<Future<T>> queued = new ArrayDeque<>();
  private long nextToSubmit;
  private long nextToTake;

  Prefetcher(LongFunction<T> reader, long from, long to, int depth, String threadName) {
    if (depth < 1) {
      throw new IllegalArgumentException("prefetch depth must be >= 1, got " + depth);
    }
    this.reader = reader;
    this.to = to;
    this.depth = depth;
    this.nextToSubmit = from;
    this.nextToTake = from;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    fill();
  }

  /** The item of the next index; blocks until it has been read. */
  T next() throws InterruptedException {
    if (nextToTake >= to) {
      throw new IllegalStateException("no item left: all of [.., " + to + ") taken");
    }
    Future<T> f = queued.removeFirst();
    nextToTake++;
    fill();
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("prefetch failed: " + c, c);
    }
  }

  private void fill() {
    while (queued.size() < depth && nextToSubmit < to) {
      long index = nextToSubmit++;
      queued.addLast(executor.submit(() -> reader.apply(index)));
    }
  }

  @Override
  public void close() {
    // No interrupts: a thread interrupted inside FileChannel.read closes the channel, i.e. the
    // dataset's shard
    // for every other reader. Queued reads are dropped; one already running finishes
    // (milliseconds).
    for (Future<T> f : queued) {
      f.cancel(false);
    }
    queued.clear();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("prefetch thread did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
