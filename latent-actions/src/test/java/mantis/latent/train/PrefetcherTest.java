package mantis.latent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PrefetcherTest {
  @Test
  void itemsArriveInIndexOrderFromTheBackgroundThreadAtMostDepthAhead() throws Exception {
    List<Long> started = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (Prefetcher<String> p =
        new Prefetcher<>(
            i -> {
              started.add(i);
              threads.add(Thread.currentThread().getName());
              return "item" + i;
            },
            5,
            9,
            2,
            "test-prefetch")) {
      assertEquals("item5", p.next());
      assertTrue(started.size() <= 3, "at most depth items beyond the one taken: " + started);
      assertEquals("item6", p.next());
      assertEquals("item7", p.next());
      assertEquals("item8", p.next());
      assertThrows(IllegalStateException.class, p::next);
    }
    assertEquals(List.of(5L, 6L, 7L, 8L), started);
    assertTrue(threads.stream().allMatch("test-prefetch"::equals), threads.toString());
  }

  @Test
  void aReaderFailureIsRethrownByNext() {
    try (Prefetcher<String> p =
        new Prefetcher<>(
            i -> {
              throw new IllegalArgumentException("bad pair " + i);
            },
            0,
            3,
            2,
            "test-prefetch")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::next);
      assertEquals("bad pair 0", e.getMessage());
    }
  }

  @Test
  void closingWithReadsInFlightDoesNotInterruptThem() throws Exception {
    // An interrupt inside FileChannel.read would close the dataset's shard for every reader.
    AtomicBoolean interrupted = new AtomicBoolean();
    List<Long> finished = new CopyOnWriteArrayList<>();
    Prefetcher<Long> p =
        new Prefetcher<>(
            i -> {
              long end = System.nanoTime() + 30_000_000L;
              while (System.nanoTime() < end) {
                if (Thread.currentThread().isInterrupted()) {
                  interrupted.set(true);
                }
              }
              finished.add(i);
              return i;
            },
            0,
            100,
            3,
            "test-prefetch");
    assertEquals(0L, p.next());
    p.close();
    assertFalse(interrupted.get(), "a running read was interrupted");
    assertTrue(finished.size() < 10, "queued reads were dropped: " + finished);
  }
}
