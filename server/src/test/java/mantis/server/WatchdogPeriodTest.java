package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import mantis.core.Policy;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 13: a 10 Hz client met the 100 ms watchdog on a third of its periods, and each hold logged
 * a WARN. The watchdog now allows one control period plus the timeout; logging is rate-limited.
 */
class WatchdogPeriodTest {
  private final FakeClock clock = new FakeClock(1_000_000_000L);
  private final Policy policy = TestServer.movingTo(new double[] {0.3, 0.3, 0.3}, clock);

  private TestServer server() throws Exception {
    TestServer s =
        new TestServer(
            TestServer.builder(policy).optClock(clock).optWatchdogTimeoutNanos(100_000_000L));
    assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
    return s;
  }

  /**
   * Sends {@code n} observations at 10 Hz with +-10 ms jitter; fails at any chunk that is not a
   * reply.
   */
  private void tenHertz(
      TestServer s,
      io.grpc.stub.StreamObserver<mantis.proto.v1.Observation> in,
      StreamCollector out,
      int firstStep,
      int n,
      boolean declare,
      int jitterFromStep)
      throws Exception {
    Random random = new Random(7);
    for (int i = firstStep; i < firstStep + n; i++) {
      var obs = Observations.valid().setStep(i).setSendTimeNanos(clock.nanoTime());
      if (declare) {
        obs.setControlPeriodMs(100);
      }
      in.onNext(obs.build());
      mantis.proto.v1.ActionChunk c = out.next(5, TimeUnit.SECONDS);
      assertNotNull(c);
      assertEquals(
          mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY, c.getSource(), "step " + i + ": " + c);
      assertFalse(c.getHeld(), "step " + i);
      long gapMs = i >= jitterFromStep ? 90 + random.nextInt(21) : 95;
      clock.advanceMillis(gapMs);
      Thread.sleep(30); // real time for the watchdog's checks to look at the fake clock
    }
  }

  @Test
  void aTenHertzClientDeclaringItsPeriodGetsNoWatchdogHoldsDespiteJitter() throws Exception {
    try (TestServer s = server()) {
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      tenHertz(s, in, out, 0, 40, true, 0);
      assertNull(out.next(100, TimeUnit.MILLISECONDS), "no unsolicited chunk");
      assertTrue(s.server.scrapeMetrics().contains("mantis_watchdog_holds_total 0.0"));
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());
    }
  }

  @Test
  void aTenHertzClientIsMeasuredWhenItDeclaresNothing() throws Exception {
    try (TestServer s = server()) {
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      // The first gap measures the period; until then the timeout alone applies.
      tenHertz(s, in, out, 0, 40, false, 1);
      assertNull(out.next(100, TimeUnit.MILLISECONDS), "no unsolicited chunk");
      assertTrue(s.server.scrapeMetrics().contains("mantis_watchdog_holds_total 0.0"));
      in.onCompleted();
      out.awaitEnd(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aClientThatStopsIsHeldWithinOnePeriodPlusTheTimeout() throws Exception {
    try (TestServer s = server()) {
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(Observations.valid().setStep(0).setControlPeriodMs(100).build());
      assertFalse(out.next(5, TimeUnit.SECONDS).getHeld());
      clock.advanceMillis(199);
      assertNull(out.next(300, TimeUnit.MILLISECONDS), "no hold before period + timeout");
      clock.advanceMillis(2);
      mantis.proto.v1.ActionChunk hold = out.next(5, TimeUnit.SECONDS);
      assertNotNull(hold, "held after period + timeout");
      assertEquals(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_WATCHDOG, hold.getSource());
      assertTrue(
          hold.getInterventions(0)
              .getDetail()
              .contains(
                  "no fresh observation for 200 ms (control period "
                      + "100 ms + watchdog timeout 100 ms)"),
          hold.getInterventions(0).getDetail());
      in.onCompleted();
      out.awaitEnd(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeclaredPeriodAboveTheLimitIsInvalidArgument() throws Exception {
    try (TestServer s = server()) {
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(Observations.valid().setControlPeriodMs(60_000).build());
      Status st = out.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.INVALID_ARGUMENT, st.getCode());
      assertTrue(
          st.getDescription()
              .contains(
                  "control_period_ms is 60000; this server accepts at most 1000 "
                      + "(admission.max_control_period_ms)"),
          st.getDescription());
    }
  }

  @Test
  void aDeclaredPeriodOfTwoToThe31OrMoreIsReadUnsignedAndRefusedNamingTheLimit() throws Exception {
    try (TestServer s = server()) {
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(
          Observations.valid().setControlPeriodMs(-1).build()); // uint32 4294967295 on the wire
      Status st = out.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.INVALID_ARGUMENT, st.getCode());
      assertTrue(
          st.getDescription()
              .contains(
                  "control_period_ms is 4294967295; this server accepts at most 1000 "
                      + "(admission.max_control_period_ms)"),
          st.getDescription());
    }
  }

  @Test
  void aRobotIdWithALineBreakCannotForgeALogLine() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("mantis");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    Policy nan =
        TestServer.policy(
            obs ->
                TestServer.chunk(
                    obs.jointState().positionsRad(),
                    new double[] {Double.NaN, 0, 0},
                    clock.nanoTime() + 1_000_000_000L));
    try (TestServer s =
        new TestServer(TestServer.builder(nan).optClock(clock).optWarmupPredictions(0))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      assertTrue(
          s.blocking()
              .predict(Observations.valid().setRobotId("arm-1\nERROR forged line").build())
              .getHeld());
      java.util.List<String> lines =
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(m -> m.contains("non-finite"))
              .toList();
      assertEquals(1, lines.size(), lines.toString());
      assertFalse(lines.get(0).contains("\n"), lines.get(0));
      assertTrue(lines.get(0).contains("robot arm-1\\nERROR forged line"), lines.get(0));
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aThousandFailingRequestsLogABoundedNumberOfLines() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("mantis"); // every Mantis logger
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    Policy broken =
        TestServer.policy(
            obs -> {
              throw new IllegalStateException("model exploded");
            });
    try (TestServer s =
        new TestServer(TestServer.builder(broken).optClock(clock).optWarmupPredictions(0))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      for (int i = 0; i < 1000; i++) {
        assertTrue(s.blocking().predict(Observations.valid().build()).getHeld());
        if (i % 100 == 99) {
          clock.advanceMillis(5_000);
        }
      }
      long lines =
          appender.list.stream()
              .filter(e -> e.getFormattedMessage().contains("model exploded"))
              .count();
      // 50 s of fake time, one line per 10 s at most.
      assertTrue(lines >= 1 && lines <= 6, lines + " lines");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void watchdogHoldsOfManyStreamsShareOneLogLimit() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("mantis"); // every Mantis logger
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (TestServer s = server()) {
      StreamCollector[] outs = new StreamCollector[20];
      for (int k = 0; k < outs.length; k++) {
        outs[k] = new StreamCollector();
        s.async().control(outs[k]).onNext(Observations.valid().setRobotId("r" + k).build());
        assertNotNull(outs[k].next(5, TimeUnit.SECONDS));
      }
      clock.advanceMillis(150);
      for (StreamCollector o : outs) {
        assertNotNull(o.next(5, TimeUnit.SECONDS), "every stream held");
      }
      long lines =
          appender.list.stream()
              .filter(e -> e.getFormattedMessage().contains("No fresh command"))
              .count();
      assertEquals(1, lines, "20 holds, one line");
    } finally {
      logger.detachAppender(appender);
    }
  }
}
