package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import mantis.core.MonotonicClock;
import mantis.server.config.MantisConfig;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: any client could fill the robot table and lock every later robot out until a restart.
 */
class RobotLockoutTest {
  private static MantisConfig.AdmissionConfig admission(int maxRobots) {
    // max_robots may not be below max_control_streams: as many stream slots as robot entries.
    return MantisConfig.AdmissionConfig.defaults().toBuilder()
        .optMaxRobots(maxRobots)
        .optControlStreams(maxRobots, maxRobots, maxRobots)
        .build();
  }

  @Test
  void elevenHundredRobotsDoNotLockOutTheNextOne() throws Exception {
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))) {
      var stub = s.blocking();
      for (int i = 0; i < 1100; i++) {
        stub.predict(Observations.valid().setRobotId("flood-" + i).build());
      }
      mantis.proto.v1.ActionChunk c =
          stub.predict(Observations.valid().setRobotId("latecomer").build());
      assertEquals("latecomer", c.getRobotId());
      assertFalse(c.getHeld());
      String metrics = s.server.scrapeMetrics();
      assertTrue(metrics.contains("mantis_robots_tracked 1024.0"), "bounded table");
      assertTrue(
          metrics.contains("mantis_robots_reused_total 77.0"),
          "1101 robots + warm-up in 1024 slots");
    }
  }

  @Test
  void anEstoppedRobotStaysEstoppedThroughAFloodAndAnHourOfIdleness() throws Exception {
    FakeClock clock = new FakeClock(1_000_000_000L);
    try (TestServer s =
        new TestServer(
            TestServer.builder(TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, clock))
                .optClock(clock)
                .optAdmission(admission(16)))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      s.server.estop("arm-1", "operator pressed the button");
      for (int i = 0; i < 100; i++) {
        s.blocking().predict(Observations.valid().setRobotId("flood-" + i).build());
      }
      clock.advanceMillis(3_600_000);
      mantis.proto.v1.ActionChunk c =
          s.blocking().predict(Observations.valid().setRobotId("arm-1").build());
      assertTrue(c.getHeld());
      assertEquals("ESTOP", c.getInterventions(0).getKind());
    }
  }

  @Test
  void aFullTableOfStreamingRobotsRefusesANewRobotWithResourceExhausted() throws Exception {
    try (TestServer s =
        new TestServer(
            TestServer.builder(
                    TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
                .optAdmission(admission(2)))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      StreamCollector a = new StreamCollector();
      StreamCollector b = new StreamCollector();
      var ia = s.async().control(a);
      var ib = s.async().control(b);
      ia.onNext(Observations.valid().setRobotId("s-a").build());
      ib.onNext(Observations.valid().setRobotId("s-b").build());
      a.next(5, TimeUnit.SECONDS);
      b.next(5, TimeUnit.SECONDS);
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> s.blocking().predict(Observations.valid().setRobotId("third").build()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(
          e.getStatus()
              .getDescription()
              .contains("robot table is full: all 2 entries (admission.max_robots)"),
          e.getStatus().getDescription());
      ia.onCompleted();
      assertEquals(Status.Code.OK, a.awaitEnd(5, TimeUnit.SECONDS).getCode());
      assertEquals(
          "third",
          s.blocking().predict(Observations.valid().setRobotId("third").build()).getRobotId(),
          "a slot frees when a stream ends");
      ib.onCompleted();
      b.awaitEnd(5, TimeUnit.SECONDS);
    }
  }
}
