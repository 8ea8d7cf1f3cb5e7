package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import org.junit.jupiter.api.Test;

/**
 * Annotate (a viewer's call) has a decode budget per second of its own: a viewer flooding Annotate
 * cannot spend the pixels the robots' Predict and Control need, nor robots a viewer's.
 */
class AnnotateDecodeBudgetTest {
  private final FakeClock clock = new FakeClock(1_000_000_000L);

  /**
   * 1 Mpx per second for the robots and for Annotate; a 640x480 frame is 307,200 px, so three fit a
   * second.
   */
  private TestServer server() throws Exception {
    TestServer s =
        new TestServer(
            TestServer.builder(TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, clock))
                .optClock(clock)
                .optWatchdogTimeoutNanos(60_000_000_000L)
                .optAdmission(
                    Admissions.defaults()
                        .optDecodePixels(1_000_000, 1_000_000, 1_000_000)
                        .build()));
    assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
    clock.advanceMillis(1000); // refill after warm-up
    return s;
  }

  private static mantis.proto.v1.Observation vga() {
    return Observations.valid().clearFrames().addFrames(Observations.rawFrame(640, 480)).build();
  }

  @Test
  void anAnnotateFloodIsRefusedFromItsOwnBudgetWhilePredictAndControlStillDecode()
      throws Exception {
    try (TestServer s = server()) {
      for (int i = 0; i < 3; i++) {
        s.blocking().annotate(vga());
      }
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> s.blocking().annotate(vga()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(
          e.getStatus()
              .getDescription()
              .contains(
                  "Annotate decode budget per second exhausted: 1 frame of "
                      + "640x480 px = 307,200 px to decode, 78,400 px left now; this server decodes at most 1,000,000 px per "
                      + "second for Annotate, across all clients (admission.annotate_decode_pixels_per_second)"),
          e.getStatus().getDescription());

      for (int i = 0; i < 3; i++) {
        assertEquals(
            "arm-1", s.blocking().predict(vga()).getRobotId(), "Predict " + i + " decodes");
      }
      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      clock.advanceMillis(400); // the robots' bucket: 78,400 + 400,000 px; Annotate's: the same
      in.onNext(vga().toBuilder().setStep(0).build());
      assertFalse(out.next(5, TimeUnit.SECONDS).getHeld(), "a Control step decodes too");
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());

      String metrics = s.server.scrapeMetrics();
      assertTrue(
          metrics.contains(
              "mantis_admission_refusals_total{reason=\"annotate_decode_per_second\"} 1.0"),
          metrics);
      assertTrue(
          metrics.contains("mantis_admission_refusals_total{reason=\"decode_per_second\"} 0.0"),
          metrics);
      assertTrue(
          metrics.contains(
              "mantis_decode_budget_refusals_total{budget=\"annotate_per_second\"} 1.0"),
          metrics);
    }
  }

  @Test
  void robotsThatSpendTheirBudgetLeaveAnnotatesBudgetAlone() throws Exception {
    try (TestServer s = server()) {
      for (int i = 0; i < 3; i++) {
        s.blocking().predict(vga());
      }
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> s.blocking().predict(vga()));
      assertTrue(
          e.getStatus().getDescription().contains("(admission.decode_pixels_per_second)"),
          e.getStatus().getDescription());
      for (int i = 0; i < 3; i++) {
        s.blocking().annotate(vga());
      }
    }
  }
}
