package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.Trace;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a bundle whose weights give NaN passed warm-up, reported SERVING, and every chunk had
 * held=false.
 */
class NonFinitePolicyTest {
  private static Policy nanPolicy() {
    return TestServer.policy(
        obs ->
            new ActionChunk(
                TestServer.ROBOT.jointNames(),
                List.of(
                    new ActionPoint(
                        new double[] {Double.NaN, Double.NaN, Double.NaN}, 100_000_000L),
                    new ActionPoint(
                        new double[] {Double.NaN, Double.NaN, Double.NaN}, 200_000_000L)),
                System.nanoTime() + 500_000_000L,
                null,
                null,
                List.of(new Trace(1, List.of(new PixelPoint(Double.NaN, 3)))),
                "nan",
                null));
  }

  @Test
  void warmUpRefusesAPolicyWithNonFiniteOutputAndHealthStaysNotServing() throws Exception {
    try (TestServer s = new TestServer(TestServer.builder(nanPolicy()).optWarmupPredictions(3))) {
      assertFalse(s.server.awaitServing(10, TimeUnit.SECONDS), "never SERVING");
      String problem = s.server.awaitWarmUp().orElseThrow();
      assertTrue(
          problem.contains(
              "policy scripted (scripted-1) refused: its output is not finite at warm-up "
                  + "prediction 1 of 3 (6 of 6 joint targets, 1 of 2 trace coordinates)"),
          problem);
      var health = HealthGrpc.newBlockingStub(s.channel);
      assertEquals(
          ServingStatus.NOT_SERVING,
          health
              .check(HealthCheckRequest.newBuilder().setService(MantisServer.SERVICE_NAME).build())
              .getStatus());
      assertEquals(
          ServingStatus.NOT_SERVING,
          health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    }
  }

  @Test
  void aNonFiniteChunkIsHeldWithANonFiniteInterventionNotRepairedIntoAMotion() throws Exception {
    try (TestServer s = new TestServer(TestServer.builder(nanPolicy()).optWarmupPredictions(0))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      mantis.proto.v1.ActionChunk c = s.blocking().predict(Observations.valid().build());
      assertTrue(c.getHeld(), "a chunk the policy could not compute is a hold");
      assertEquals("NON_FINITE", c.getInterventions(0).getKind());
      assertTrue(
          c.getInterventions(0).getDetail().contains("6 of 6 joint targets"),
          c.getInterventions(0).getDetail());
      assertEquals(0, c.getTracesCount(), "no NaN leaves the server, traces included");
      assertEquals(1, c.getPointsCount());
      for (double q : c.getPoints(0).getPositionsRadList()) {
        assertTrue(Double.isFinite(q));
      }
    }
  }
}
