package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mantis.core.FakeClock;
import mantis.core.safety.SafetyFilter;
import org.junit.jupiter.api.Test;

class RobotTableTest {
  private static final long MINUTE = 60_000_000_000L;
  private final FakeClock clock = new FakeClock(1_000_000_000L);
  private final ServerMetrics metrics = new ServerMetrics();

  private RobotTable table(int capacity) {
    return new RobotTable(
        capacity,
        5 * MINUTE,
        id -> SafetyFilter.builder().setRobot(TestServer.ROBOT).optClock(clock).build(),
        clock,
        metrics);
  }

  @Test
  void anIdleEntryExpiresAfterTheIdleTimeAndComesBackFresh() throws Exception {
    RobotTable t = table(8);
    SafetyFilter first = t.use("a");
    clock.advanceNanos(5 * MINUTE - 1);
    assertEquals(1, t.size(), "not yet expired");
    assertSame(first, t.use("a"), "a use restarts the idle time");
    clock.advanceNanos(5 * MINUTE);
    assertEquals(0, t.size());
    assertNotSame(first, t.use("a"));
    assertTrue(
        metrics.scrapeText().contains("mantis_robots_expired_total 1.0"), metrics.scrapeText());
  }

  @Test
  void aFullTableGivesTheLeastRecentlyUsedFreeSlotToANewRobot() throws Exception {
    RobotTable t = table(3);
    t.use("a");
    clock.advanceMillis(1);
    t.use("b");
    clock.advanceMillis(1);
    t.use("c");
    clock.advanceMillis(1);
    t.use("a"); // now b is the least recently used
    t.use("d");
    assertEquals(java.util.List.of("c", "a", "d"), t.ids());
    assertTrue(metrics.scrapeText().contains("mantis_robots_reused_total 1.0"));
  }

  @Test
  void aStreamingOrEstoppedRobotIsNeverExpiredNorReused() throws Exception {
    RobotTable t = table(3);
    SafetyFilter streaming = t.pin("streaming");
    SafetyFilter stopped = t.use("stopped");
    stopped.estop("operator");
    t.use("idle");
    clock.advanceNanos(60 * MINUTE);
    for (int i = 0; i < 100; i++) {
      t.use("new-" + i);
    }
    assertSame(streaming, t.use("streaming"), "the streaming robot kept its entry");
    assertSame(stopped, t.existing("stopped"));
    assertTrue(
        t.existing("stopped").isEstopped(),
        "an e-stopped robot stays e-stopped however long it is idle");
    t.unpin("streaming");
    clock.advanceNanos(6 * MINUTE);
    t.use("late");
    assertEquals(
        null, t.existing("streaming"), "once its stream ended the entry expires like any other");
    assertTrue(t.existing("stopped").isEstopped());
  }

  @Test
  void whenEveryEntryIsPinnedANewRobotIsRefusedWithTheLimitNamed() throws Exception {
    RobotTable t = table(2);
    t.pin("s1");
    t.use("e1").estop("operator");
    OverloadedException e = assertThrows(OverloadedException.class, () -> t.use("third"));
    assertEquals("robot_table", e.reason());
    assertTrue(
        e.getMessage()
            .contains(
                "robot_id third is new but this server's robot table is full: all 2 entries "
                    + "(admission.max_robots)"),
        e.getMessage());
    assertTrue(
        metrics
            .scrapeText()
            .contains("mantis_admission_refusals_total{reason=\"robot_table\"} 1.0"));
    t.unpin("s1");
    t.use("third");
    assertFalse(t.ids().contains("s1"));
  }
}
