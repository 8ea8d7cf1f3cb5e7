package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.core.FakeClock;
import mantis.core.Policy;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: under overload, chunks reached clients already past their validity and were not marked
 * held. The client's deadline is its send time plus valid_for_nanos (the wire contract); here the
 * client shares the server's fake clock, so "arrived" is the clock when the chunk is read.
 */
class StaleChunkTest {
  private static final long VALIDITY_NANOS = 800_000_000L;

  /**
   * A Control stream whose first observation the policy takes 900 ms on (fake time) while a second
   * waits.
   */
  @Test
  void aChunkThatWouldArriveAfterItsValidityIsAnsweredAsAHoldNeverDeliveredStale()
      throws Exception {
    FakeClock clock = new FakeClock(10_000_000_000L);
    CountDownLatch inPolicy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Policy slow =
        TestServer.policy(
            obs -> {
              if (obs.robotId().equals("arm-1") && calls.incrementAndGet() == 1) {
                inPolicy.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                clock.advanceMillis(900);
              }
              return TestServer.chunk(
                  obs.jointState().positionsRad(),
                  new double[] {0.3, 0.3, 0.3},
                  clock.nanoTime() + VALIDITY_NANOS);
            });
    try (TestServer s =
        new TestServer(
            TestServer.builder(slow).optClock(clock).optWatchdogTimeoutNanos(10_000_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      long sent0 = clock.nanoTime();
      in.onNext(Observations.valid().setStep(0).setSendTimeNanos(sent0).build());
      assertTrue(inPolicy.await(5, TimeUnit.SECONDS));
      long sent1 = clock.nanoTime();
      in.onNext(Observations.valid().setStep(1).setSendTimeNanos(sent1).build());
      Thread.sleep(200); // let the server take step 1 while the policy is still on step 0
      release.countDown();
      long[] sent = {sent0, sent1};
      for (int i = 0; i < 2; i++) {
        mantis.proto.v1.ActionChunk c = out.next(5, TimeUnit.SECONDS);
        assertNotNull(c, "chunk " + i);
        assertEquals(i, c.getStep());
        long arrived = clock.nanoTime();
        boolean stale = arrived > sent[i] + c.getValidForNanos();
        assertTrue(
            c.getHeld() || !stale,
            "step "
                + i
                + " delivered stale: arrived "
                + (arrived - sent[i]) / 1e6
                + " ms after it was sent, valid for "
                + c.getValidForNanos() / 1e6
                + " ms");
        if (i == 1) {
          assertTrue(c.getHeld(), "step 1 waited 900 ms for a chunk that lasts 800 ms");
          assertEquals("STALE", c.getInterventions(0).getKind());
          assertEquals(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY, c.getSource());
        }
      }
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());
      assertTrue(
          s.server
              .scrapeMetrics()
              .contains("mantis_stale_holds_total{stage=\"before_decode\"} 1.0"),
          s.server.scrapeMetrics());
    }
  }

  /**
   * The client's own queue held the observation back: its send time says so, and the chunk would be
   * stale.
   */
  @Test
  void anObservationDelayedOnItsWayInIsHeldWhenItsChunkCouldNotArriveInTime() throws Exception {
    FakeClock clock = new FakeClock(10_000_000_000L);
    Policy policy =
        TestServer.policy(
            obs ->
                TestServer.chunk(
                    obs.jointState().positionsRad(),
                    new double[] {0.3, 0.3, 0.3},
                    clock.nanoTime() + VALIDITY_NANOS));
    try (TestServer s =
        new TestServer(
            TestServer.builder(policy).optClock(clock).optWatchdogTimeoutNanos(10_000_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(Observations.valid().setStep(0).setSendTimeNanos(clock.nanoTime()).build());
      assertEquals(false, out.next(5, TimeUnit.SECONDS).getHeld());
      clock.advanceMillis(100);
      long sent = clock.nanoTime() - 805_000_000L; // sat 805 ms in the client's send queue
      in.onNext(Observations.valid().setStep(1).setSendTimeNanos(sent).build());
      mantis.proto.v1.ActionChunk c = out.next(5, TimeUnit.SECONDS);
      boolean stale = clock.nanoTime() > sent + c.getValidForNanos();
      assertTrue(c.getHeld() || !stale, "delivered stale");
      assertTrue(c.getHeld());
      assertEquals("STALE", c.getInterventions(0).getKind());
      in.onCompleted();
      out.awaitEnd(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void whenAStreamQueuesMoreThanSixteenObservationsTheOldestAreAnsweredStaleInOrder()
      throws Exception {
    FakeClock clock = new FakeClock(10_000_000_000L);
    CountDownLatch inPolicy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Policy blocking =
        TestServer.policy(
            obs -> {
              if (obs.robotId().equals("arm-1") && obs.step() == 0) {
                inPolicy.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return TestServer.chunk(
                  obs.jointState().positionsRad(),
                  new double[] {0.3, 0.3, 0.3},
                  clock.nanoTime() + VALIDITY_NANOS);
            });
    try (TestServer s =
        new TestServer(
            TestServer.builder(blocking)
                .optClock(clock)
                .optWatchdogTimeoutNanos(10_000_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(Observations.valid().setStep(0).build());
      assertTrue(inPolicy.await(5, TimeUnit.SECONDS));
      for (int i = 1; i <= 20; i++) {
        in.onNext(Observations.valid().setStep(i).build());
      }
      Thread.sleep(500); // all 20 reach the server's queue while step 0 is in the policy
      release.countDown();
      for (int i = 0; i <= 20; i++) {
        mantis.proto.v1.ActionChunk c = out.next(5, TimeUnit.SECONDS);
        assertNotNull(c, "chunk " + i);
        assertEquals(i, c.getStep(), "in order");
        boolean shed = i >= 1 && i <= 4;
        assertEquals(shed, c.getHeld(), "step " + i);
        if (shed) {
          assertEquals("STALE", c.getInterventions(0).getKind());
          assertTrue(c.getInterventions(0).getDetail().contains("more than 16 newer observations"));
        }
      }
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());
      assertTrue(
          s.server.scrapeMetrics().contains("mantis_stale_holds_total{stage=\"queue_full\"} 4.0"));
    }
  }
}
