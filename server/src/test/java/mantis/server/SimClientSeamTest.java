package mantis.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mantis.core.MonotonicClock;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.client.EpisodeListener;
import mantis.sim.client.EpisodeResult;
import mantis.sim.client.SimClient;
import org.junit.jupiter.api.Test;

/**
 * The sim client's seam blending against the real in-process PolicyService (pipeline + safety
 * filter).
 */
class SimClientSeamTest {
  private static final double[] A = {0.9, -0.7, 0.6};
  private static final double[] B = {-0.5, 0.8, -0.6};

  /** Every command sent to the sim with its hold flag. */
  private static final class Commands implements EpisodeListener {
    final List<double[]> q = new ArrayList<>();
    final List<Boolean> holding = new ArrayList<>();

    @Override
    public void onStep(TabletopSim sim, double[] jointTargetsRad, boolean hold) {
      q.add(jointTargetsRad.clone());
      holding.add(hold);
    }

    double worstAccelerationRatio(TabletopSim sim) {
      double dt = 1.0 / sim.config().physicsHz();
      double worst = 0;
      for (int i = 2; i < q.size(); i++) {
        if (holding.get(i) || holding.get(i - 1) || holding.get(i - 2)) {
          continue;
        }
        for (int j = 0; j < q.get(i).length; j++) {
          double acc = (q.get(i)[j] - 2 * q.get(i - 1)[j] + q.get(i - 2)[j]) / (dt * dt);
          worst = Math.max(worst, Math.abs(acc) / sim.robot().joint(j).maxAccelerationRadPerS2());
        }
      }
      return worst;
    }
  }

  /** A policy heading for A and B in turn, each chunk valid for {@code validForNanos}. */
  private static TestServer serverAlternating(long validForNanos) throws Exception {
    AtomicLong calls = new AtomicLong();
    MonotonicClock clock = MonotonicClock.system();
    return TestServer.started(
        TestServer.policy(
            obs ->
                TestServer.chunk(
                    obs.jointState().positionsRad(),
                    calls.getAndIncrement() % 2 == 0 ? A : B,
                    clock.nanoTime() + validForNanos)));
  }

  @Test
  void executedCommandsRespectTheAccelerationLimitAtSeams() throws Exception {
    try (TestServer server = serverAlternating(1_000_000_000L)) {
      Commands blended = new Commands();
      TabletopSim sim = TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(3.0).build());
      EpisodeResult r =
          SimClient.builder()
              .setChannel(server.channel)
              .optImageSize(32, 32)
              .optListener(blended)
              .build()
              .runEpisode(sim, 5, TaskFamily.REACH);
      assertEquals(10, r.calls());
      assertEquals(0, r.holdSteps());
      assertTrue(
          blended.worstAccelerationRatio(sim) <= 1 + 1e-9,
          "acceleration / limit " + blended.worstAccelerationRatio(sim));

      Commands raw = new Commands();
      TabletopSim sim2 = TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(3.0).build());
      SimClient.builder()
          .setChannel(server.channel)
          .optImageSize(32, 32)
          .optListener(raw)
          .optSeamBlending(false)
          .build()
          .runEpisode(sim2, 5, TaskFamily.REACH);
      assertTrue(
          raw.worstAccelerationRatio(sim2) > 1.5,
          "without blending the seams jump, so the check above can fail: "
              + raw.worstAccelerationRatio(sim2));
    }
  }

  @Test
  void expiredChunksAreNeverExecuted() throws Exception {
    // 50 ms of validity on the server clock: part of each 0.3 s round at most, then the arm holds.
    try (TestServer server = serverAlternating(50_000_000L)) {
      Commands c = new Commands();
      List<Integer> stepInRound = new ArrayList<>();
      int[] k = new int[1];
      EpisodeListener listener =
          new EpisodeListener() {
            @Override
            public void onReply(
                TabletopSim sim,
                long step,
                mantis.core.Frame frame,
                mantis.core.ActionChunk chunk) {
              k[0] = 0;
            }

            @Override
            public void onStep(TabletopSim sim, double[] q, boolean hold) {
              c.onStep(sim, q, hold);
              stepInRound.add(++k[0]);
            }
          };
      TabletopSim sim = TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(1.8).build());
      EpisodeResult r =
          SimClient.builder()
              .setChannel(server.channel)
              .optImageSize(32, 32)
              .optListener(listener)
              .build()
              .runEpisode(sim, 5, TaskFamily.REACH);
      assertEquals(6, r.calls());
      assertEquals(6, r.expiredChunks());
      for (int i = 0; i < c.q.size(); i++) {
        if (stepInRound.get(i) >= 3) {
          // Step k of a round is 20k ms after the reply; validity was 50 ms from the server's
          // answer.
          assertTrue(c.holding.get(i), "step " + stepInRound.get(i) + " of a round must hold");
        }
        if (i > 0 && c.holding.get(i) && c.holding.get(i - 1) && stepInRound.get(i) > 1) {
          assertArrayEquals(c.q.get(i - 1), c.q.get(i), 0.0, "a hold keeps one target");
        }
      }
      assertTrue(c.worstAccelerationRatio(sim) <= 1 + 1e-9);
    }
  }
}
