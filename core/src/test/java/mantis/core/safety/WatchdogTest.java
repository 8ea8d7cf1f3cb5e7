package mantis.core.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mantis.core.FakeClock;
import mantis.core.MonotonicClock;
import org.junit.jupiter.api.Test;

class WatchdogTest {
  private final FakeClock clock = new FakeClock(1_000_000_000L);
  private final AtomicInteger holds = new AtomicInteger();

  private Watchdog dog(long timeoutNanos) {
    return Watchdog.builder()
        .setTimeoutNanos(timeoutNanos)
        .setClock(clock)
        .setOnHold(holds::incrementAndGet)
        .build();
  }

  @Test
  void holdsOnceTheDefaultHundredMillisecondsPassWithoutAFeed() {
    Watchdog w = Watchdog.builder().setClock(clock).setOnHold(holds::incrementAndGet).build();
    assertEquals(100_000_000L, w.timeoutNanos());
    w.feed();
    clock.advanceMillis(99);
    assertFalse(w.poll());
    clock.advanceNanos(999_999);
    assertFalse(w.poll(), "not before the timeout");
    clock.advanceNanos(1);
    assertTrue(w.poll(), "hold exactly at the timeout");
    assertEquals(1, holds.get());
    assertTrue(w.isHolding());
  }

  @Test
  void firesOnlyOncePerSilence() {
    Watchdog w = dog(100_000_000L);
    w.feed();
    clock.advanceMillis(150);
    assertTrue(w.poll());
    for (int i = 0; i < 20; i++) {
      clock.advanceMillis(100);
      assertFalse(w.poll());
    }
    assertEquals(1, holds.get());
    assertEquals(1, w.holdCount());
  }

  @Test
  void reArmsAfterAFeed() {
    Watchdog w = dog(100_000_000L);
    w.feed();
    clock.advanceMillis(100);
    assertTrue(w.poll());
    w.feed();
    assertFalse(w.isHolding());
    clock.advanceMillis(60);
    assertFalse(w.poll());
    w.feed();
    clock.advanceMillis(60);
    assertFalse(w.poll(), "the second feed restarted the silence");
    clock.advanceMillis(40);
    assertTrue(w.poll());
    assertEquals(2, holds.get());
  }

  @Test
  void theTimeoutIsConfigurable() {
    Watchdog w = dog(30_000_000L);
    w.feed();
    clock.advanceMillis(29);
    assertFalse(w.poll());
    clock.advanceMillis(1);
    assertTrue(w.poll());
  }

  @Test
  void anUnarmedWatchdogNeverFiresButStartArmsIt() {
    ScheduledExecutorService never = Executors.newSingleThreadScheduledExecutor();
    try {
      Watchdog w =
          Watchdog.builder()
              .setClock(clock)
              .setOnHold(holds::incrementAndGet)
              .optScheduler(never)
              .build();
      clock.advanceMillis(500);
      assertFalse(w.poll(), "never fed nor started");
      w.start();
      clock.advanceMillis(99);
      assertFalse(w.poll());
      clock.advanceMillis(1);
      assertTrue(w.poll(), "start() counts as the beginning of the silence");
      w.close();
      assertFalse(never.isShutdown(), "a given scheduler belongs to the caller");
    } finally {
      never.shutdownNow();
    }
  }

  @Test
  void aThrowingCallbackStillCountsAsTheHoldAndDoesNotPropagate() {
    Watchdog w =
        Watchdog.builder()
            .setClock(clock)
            .setOnHold(
                () -> {
                  throw new IllegalStateException("arm unreachable");
                })
            .build();
    w.feed();
    clock.advanceMillis(100);
    assertTrue(w.poll());
    assertEquals(1, w.holdCount());
  }

  @Test
  void startedOnARealSchedulerItHoldsSoonAfterTheTimeout() throws InterruptedException {
    CountDownLatch fired = new CountDownLatch(1);
    AtomicLong firedAt = new AtomicLong();
    MonotonicClock real = MonotonicClock.system();
    try (Watchdog w =
        Watchdog.builder()
            .setTimeoutNanos(50_000_000L)
            .setClock(real)
            .setOnHold(
                () -> {
                  firedAt.set(real.nanoTime());
                  fired.countDown();
                })
            .build()) {
      long t0 = real.nanoTime();
      w.start();
      w.feed();
      long fedAt = real.nanoTime();
      assertTrue(fired.await(2, TimeUnit.SECONDS), "the scheduler fired the hold");
      long afterFeedMs = (firedAt.get() - fedAt) / 1_000_000L;
      assertTrue(
          firedAt.get() - fedAt >= 50_000_000L, "not before the timeout: " + afterFeedMs + " ms");
      // Generous bound for a loaded 2-core CI machine; the scheduler aims at the deadline itself.
      assertTrue(
          afterFeedMs < 50 + 400, "fired " + afterFeedMs + " ms after the feed (t0 " + t0 + ")");
      Thread.sleep(120);
      assertEquals(1, w.holdCount(), "once per silence with the real scheduler too");
    }
  }

  @Test
  void startTwiceOrAfterCloseIsRefused() {
    Watchdog w = dog(100_000_000L);
    w.start();
    assertThrows(IllegalStateException.class, w::start);
    w.close();
    w.close();
    assertThrows(IllegalStateException.class, w::start);
    clock.advanceMillis(500);
    assertFalse(w.poll(), "a closed watchdog does nothing");
  }

  @Test
  void theBuilderRequiresAClockACallbackAndAPositiveTimeout() {
    assertThrows(IllegalStateException.class, () -> Watchdog.builder().setOnHold(() -> {}).build());
    assertThrows(IllegalStateException.class, () -> Watchdog.builder().setClock(clock).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> Watchdog.builder().setClock(clock).setOnHold(() -> {}).setTimeoutNanos(0).build());
  }

  @Test
  void aThousandHoldsLogABoundedNumberOfLines() {
    mantis.core.CapturingLogger log = new mantis.core.CapturingLogger();
    mantis.core.LogLimiter limiter = mantis.core.LogLimiter.create(log, clock, 10_000_000_000L);
    Watchdog w =
        Watchdog.builder()
            .setClock(clock)
            .setOnHold(holds::incrementAndGet)
            .optLogLimiter(limiter)
            .build();
    for (int i = 0; i < 1000; i++) {
      w.feed();
      clock.advanceMillis(101);
      assertTrue(w.poll());
    }
    assertEquals(1000, holds.get());
    // 101 s of holds, one line per 10 s at most.
    assertTrue(log.lines().size() <= 11, log.lines().size() + " lines: " + log.lines());
    assertTrue(
        log.lines().get(0).startsWith("WARN No fresh command for 101.0 ms"), log.lines().get(0));
  }

  @Test
  void aDefaultWatchdogAlsoLimitsItsOwnLogLines() {
    // Without a limiter given, each watchdog has its own: the same bound per watchdog.
    Watchdog w = dog(100_000_000L);
    for (int i = 0; i < 200; i++) {
      w.feed();
      clock.advanceMillis(101);
      assertTrue(w.poll());
    }
    assertEquals(200, w.holdCount());
  }

  @Test
  void aChangedTimeoutAppliesToTheCurrentSilence() {
    Watchdog w = dog(100_000_000L);
    w.feed();
    w.setTimeoutNanos(200_000_000L);
    assertEquals(200_000_000L, w.timeoutNanos());
    clock.advanceMillis(150);
    assertFalse(w.poll(), "period + timeout not yet passed");
    clock.advanceMillis(50);
    assertTrue(w.poll());
    assertThrows(IllegalArgumentException.class, () -> w.setTimeoutNanos(0));
  }

  @Test
  void aShorterTimeoutReschedulesTheRealScheduler() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch fired = new CountDownLatch(1);
    try (Watchdog w =
        Watchdog.builder()
            .setClock(MonotonicClock.system())
            .setTimeoutNanos(60_000_000_000L)
            .setOnHold(fired::countDown)
            .optScheduler(scheduler)
            .build()) {
      w.start();
      w.setTimeoutNanos(50_000_000L);
      assertTrue(
          fired.await(5, TimeUnit.SECONDS), "fired at the new, shorter timeout, not after 60 s");
    } finally {
      scheduler.shutdownNow();
    }
  }
}
