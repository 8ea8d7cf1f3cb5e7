package mantis.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import mantis.core.Policy;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Holds a Control stream gets because the server is overloaded stop where the robot last said it
 * was (the newest joint state the stream sent, valid from when it arrived), and queued observations
 * cannot take the server's memory.
 */
class OverloadHoldTest {
  private static final double[] A = {0.1, 0.2, 0.3};
  private static final double[] B = {0.4, -0.2, 0.1};
  private static final double[] C = {-0.3, 0.5, 0.2};

  private final FakeClock clock = new FakeClock(1_000_000_000L);
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  /**
   * Chunks valid 1 s from when the prediction started; step 0 of robot "slow" waits for {@link
   * #release}.
   */
  private final Policy policy =
      TestServer.policy(
          obs -> {
            long start = clock.nanoTime();
            if (obs.robotId().equals("slow") && obs.step() == 0) {
              entered.countDown();
              try {
                release.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return TestServer.chunk(
                obs.jointState().positionsRad(),
                new double[] {0.2, 0.2, 0.2},
                start + 1_000_000_000L);
          });

  @AfterEach
  void releasePolicy() {
    release.countDown();
  }

  private static Observation obs(long step, double[] joints, long sendNanos) {
    return Observations.valid()
        .setRobotId("slow")
        .setStep(step)
        .setJointState(Observations.joints(joints))
        .setSendTimeNanos(sendNanos)
        .build();
  }

  private static double[] positions(ActionChunk c) {
    return c.getPoints(0).getPositionsRadList().stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void aStaleHoldStopsAtTheNewestStateTheStreamSentValidFromWhenItArrived() throws Exception {
    try (TestServer s =
        new TestServer(
            TestServer.builder(policy).optClock(clock).optWatchdogTimeoutNanos(60_000_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      StreamObserver<Observation> in = s.async().control(out);
      long receiveA = clock.nanoTime();
      in.onNext(obs(0, A, receiveA));
      assertTrue(entered.await(5, TimeUnit.SECONDS));
      // Step 0's chunk (valid 1 s from when its prediction started) will have 5 ms left when the
      // policy returns:
      // still valid (not the safety filter's EXPIRED), but less than the 10 ms send margin.
      clock.advanceMillis(800);
      long receiveB = clock.nanoTime();
      in.onNext(obs(1, B, receiveB)); // the robot has moved on to B meanwhile
      Thread.sleep(300); // real time for the server to read step 1
      clock.advanceMillis(195);
      release.countDown();

      ActionChunk stale = out.next(5, TimeUnit.SECONDS);
      assertEquals(0, stale.getStep());
      assertTrue(stale.getHeld());
      assertEquals("STALE", stale.getInterventions(0).getKind());
      assertArrayEquals(
          B, positions(stale), 1e-12, "held where the robot last said it was, not at step 0's A");
      assertEquals(
          receiveB + SafetyFilter.DEFAULT_HOLD_VALIDITY_NANOS,
          stale.getValidUntilNanos(),
          "valid for the hold validity from B's arrival, not from when the hold was made");
      assertEquals(
          receiveB - receiveA + SafetyFilter.DEFAULT_HOLD_VALIDITY_NANOS,
          stale.getValidForNanos(),
          "counted from step 0's send time");
      assertEquals(1, out.next(5, TimeUnit.SECONDS).getStep(), "step 1 answered after it");
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());
    }
  }

  @Test
  void anObservationOverTheServersQueuedBytesIsAnsweredInOrderWithAnOverloadedHoldAtItsState()
      throws Exception {
    try (TestServer s =
        new TestServer(
            TestServer.builder(policy)
                .optClock(clock)
                .optWatchdogTimeoutNanos(60_000_000_000L)
                .optMaxInboundMessageBytes(1 << 20)
                .optAdmission(Admissions.defaults().optMaxQueuedBytes(1 << 20).build()))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector out = new StreamCollector();
      StreamObserver<Observation> in = s.async().control(out);
      // 320x400 RGB: 384,000 bytes of frame; two such observations fit in 1 MiB, three do not.
      mantis.proto.v1.Frame frame = Observations.rawFrame(320, 400);
      in.onNext(obs(0, A, clock.nanoTime()).toBuilder().clearFrames().addFrames(frame).build());
      assertTrue(entered.await(5, TimeUnit.SECONDS));
      Observation one =
          obs(1, A, clock.nanoTime()).toBuilder().clearFrames().addFrames(frame).build();
      in.onNext(one);
      in.onNext(obs(2, B, clock.nanoTime()).toBuilder().clearFrames().addFrames(frame).build());
      in.onNext(obs(3, C, clock.nanoTime()).toBuilder().clearFrames().addFrames(frame).build());
      String gauge = "mantis_control_queued_bytes " + (double) (2 * one.getSerializedSize());
      for (long end = System.nanoTime() + 5_000_000_000L;
          !s.server.scrapeMetrics().contains(gauge) && System.nanoTime() < end; ) {
        Thread.sleep(10);
      }
      assertTrue(s.server.scrapeMetrics().contains(gauge), s.server.scrapeMetrics());
      release.countDown();

      for (int step = 0; step < 3; step++) {
        ActionChunk c = out.next(5, TimeUnit.SECONDS);
        assertEquals(step, c.getStep());
        assertFalse(c.getHeld(), "step " + step + " was queued with its frames and is answered");
      }
      ActionChunk refused = out.next(5, TimeUnit.SECONDS);
      assertEquals(3, refused.getStep(), "answered in order");
      assertTrue(refused.getHeld());
      assertEquals("OVERLOADED", refused.getInterventions(0).getKind());
      assertTrue(
          refused
              .getInterventions(0)
              .getDetail()
              .contains(
                  "would pass its limit of 1,048,576 bytes " + "(admission.max_queued_bytes)"),
          refused.getInterventions(0).getDetail());
      assertArrayEquals(C, positions(refused), 1e-12);
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());
      String metrics = s.server.scrapeMetrics();
      assertTrue(metrics.contains("mantis_control_queued_bytes 0.0"), metrics);
      assertTrue(
          metrics.contains("mantis_admission_refusals_total{reason=\"queued_bytes\"} 1.0"),
          metrics);
    }
  }
}
