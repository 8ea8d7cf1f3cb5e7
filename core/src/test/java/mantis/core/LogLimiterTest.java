package mantis.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogLimiterTest {
  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final CapturingLogger log = new CapturingLogger();
  private final LogLimiter limiter = LogLimiter.create(log, clock, 10_000_000_000L);

  @Test
  void theFirstOccurrenceIsLoggedAtOnceAndRepeatsInsideTheIntervalOnlyCounted() {
    assertTrue(limiter.warn("k", "policy {} failed", "p"));
    for (int i = 0; i < 999; i++) {
      clock.advanceMillis(1);
      assertFalse(limiter.warn("k", "policy {} failed", "p"));
    }
    assertEquals(java.util.List.of("WARN policy p failed"), log.lines());
    assertEquals(999, limiter.suppressed("k"));
  }

  @Test
  void afterTheIntervalOneLineCarriesTheCountHeldBack() {
    limiter.error("k", "decode failed: {}", "x");
    clock.advanceMillis(2000);
    limiter.error("k", "decode failed: {}", "x");
    limiter.error("k", "decode failed: {}", "x");
    clock.advanceMillis(8000);
    assertTrue(limiter.error("k", "decode failed: {}", "y"));
    assertEquals(2, log.lines().size());
    assertEquals(
        "ERROR decode failed: y (2 more like this in the last 10.0 s)", log.lines().get(1));
  }

  @Test
  void aThousandOccurrencesOverAHundredSecondsLogAtMostElevenLines() {
    for (int i = 0; i < 1000; i++) {
      limiter.warn("watchdog-hold", "hold");
      clock.advanceMillis(100);
    }
    assertTrue(log.lines().size() <= 11, log.lines().size() + " lines");
    long counted = log.lines().size();
    for (String line : log.lines()) {
      int at = line.indexOf('(');
      if (at > 0) {
        counted += Long.parseLong(line.substring(at + 1, line.indexOf(' ', at)));
      }
    }
    counted += limiter.suppressed("watchdog-hold");
    assertEquals(1000, counted, "every occurrence is either logged or counted");
  }

  @Test
  void keysAreLimitedSoClientInputCannotGrowTheMap() {
    for (int i = 0; i < 10_000; i++) {
      limiter.warn("robot-" + i, "robot {}", i);
    }
    assertEquals(
        LogLimiter.MAX_KEYS + 1, log.lines().size(), "tracked keys plus one overflow line");
  }

  @Test
  void aTrailingThrowableStaysTheThrowable() {
    limiter.warn("t", "failed {}", "once", new IllegalStateException("boom"));
    clock.advanceMillis(1);
    limiter.warn("t", "failed {}", "twice", new IllegalStateException("boom"));
    clock.advanceMillis(20_000);
    limiter.warn("t", "failed {}", "thrice", new IllegalStateException("boom"));
    assertEquals("WARN failed once !java.lang.IllegalStateException: boom", log.lines().get(0));
    assertEquals(
        "WARN failed thrice (1 more like this in the last 20.0 s) !java.lang.IllegalStateException: boom",
        log.lines().get(1));
  }

  @Test
  void theIntervalMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> LogLimiter.create(log, clock, 0));
  }
}
