package mantis.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A background thread that runs the garbage collector over and over and allocates small direct
 * buffers filled with a marker, so native memory freed by a collection is soon reused with other
 * bytes. Closing it stops the thread. For tests of code that hands Java memory to native libraries.
 */
public final class CollectorStorm implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong collections = new AtomicLong();
  private final Thread thread;

  private CollectorStorm() {
    thread = new Thread(this::run, "collector-storm");
    thread.setDaemon(true);
  }

  public static CollectorStorm start() {
    CollectorStorm s = new CollectorStorm();
    s.thread.start();
    return s;
  }

  /** Collections run so far. */
  public long collections() {
    return collections.get();
  }

  private void run() {
    List<ByteBuffer> kept = new ArrayList<>();
    while (!stop.get()) {
      System.gc();
      collections.incrementAndGet();
      for (int i = 0; i < 64; i++) {
        kept.add(ByteBuffer.allocateDirect(4).putFloat(0, 12345f));
      }
      if (kept.size() > 4096) {
        kept.clear();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
