package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.security.ServerSecurity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server given the caller's scheduler (which outlives it) leaves no task of its own there once it
 * is closed or its start failed: neither the idle-stream sweep nor the --insecure reminder, which
 * would otherwise warn every 10 minutes about a server that is gone.
 */
class ScheduledTasksTest {
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

  {
    scheduler.setRemoveOnCancelPolicy(true);
  }

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private MantisServer.Builder insecure() {
    return TestServer.builder(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
        .optWatchdogScheduler(scheduler)
        .optSecurity(ServerSecurity.builder().optInsecure(true).build())
        .optHost("0.0.0.0")
        .optPort(0);
  }

  @Test
  void closingTheServerCancelsItsSweepAndReminderOnTheCallersScheduler() throws Exception {
    MantisServer server = insecure().build().start();
    assertTrue(server.awaitServing(10, TimeUnit.SECONDS));
    assertEquals(
        2,
        scheduler.getQueue().size(),
        "the idle sweep and the insecure reminder: " + scheduler.getQueue());
    server.close();
    assertEquals(0, scheduler.getQueue().size(), scheduler.getQueue().toString());
  }

  @Test
  void aStartThatFailsOnTheMetricsPortCancelsTheReminder() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      MantisServer server =
          insecure().optMetricsHost("127.0.0.1").optMetricsPort(taken.getLocalPort()).build();
      assertThrows(BindFailedException.class, server::start);
      assertEquals(0, scheduler.getQueue().size(), scheduler.getQueue().toString());
      server.close();
    }
  }
}
