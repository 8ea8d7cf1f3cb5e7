package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ChunkSource;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.RosBool;
import org.junit.jupiter.api.Test;

/** Invariants 1 and 2 at the bridge's output, over random (often hostile) chunks and events. */
class BridgeSafetyPropertyTest {
  private static final double LIMIT = 2.6 - SafetyFilter.DEFAULT_POSITION_MARGIN_RAD;

  @Test
  void nothingNonFiniteOrOutsideTheLimitsIsEverPublished() throws Exception {
    Random rnd = new Random(6);
    try (Harness h = new Harness().started()) {
      h.policy.reply = o -> randomChunk(rnd, o.getStep());
      for (int i = 0; i < 600; i++) {
        h.clock.advanceMillis(100 + rnd.nextInt(60));
        double[] q = {uniform(rnd, 2.7), uniform(rnd, 2.7), uniform(rnd, 2.7)};
        h.step(q);
        int event = rnd.nextInt(100);
        if (event == 0) {
          h.core.onEstop(new RosBool(true));
        } else if (event < 3) {
          h.core.onReset();
        } else if (event == 3) {
          h.policy.failNewest();
        }
      }
      assertTrue(
          h.core.counts().chunksPublished() > 50, "many chunks got through: " + h.core.counts());
      assertTrue(h.core.counts().holds() > 10, "and many holds: " + h.core.counts());
      for (JointTrajectory t : h.port.trajectories) {
        assertEquals(Harness.ROS_NAMES, t.jointNames());
        long previous = 0;
        for (JointTrajectoryPoint p : t.points()) {
          assertTrue(
              p.timeFromStart().toNanos() > previous, "time_from_start strictly increases: " + t);
          previous = p.timeFromStart().toNanos();
          assertEquals(3, p.positions().size());
          for (double x : p.positions()) {
            assertTrue(
                Double.isFinite(x) && Math.abs(x) <= LIMIT + 1e-9, "position " + x + " in " + t);
          }
        }
      }
    }
  }

  private static double uniform(Random rnd, double half) {
    return (rnd.nextDouble() * 2 - 1) * half;
  }

  private static ActionChunk randomChunk(Random rnd, long step) {
    ActionChunk.Builder b =
        ActionChunk.newBuilder()
            .setStep(step)
            .setSource(ChunkSource.CHUNK_SOURCE_REPLY)
            .setValidForNanos(
                rnd.nextInt(10) == 0 ? -rnd.nextInt(100_000_000) : rnd.nextInt(1_000_000_000));
    b.addAllJointNames(
        rnd.nextInt(20) == 0 ? List.of("shoulder", "wrist", "elbow") : Harness.SPEC_NAMES);
    int n = rnd.nextInt(7);
    for (int i = 0; i < n; i++) {
      ActionPoint.Builder p =
          ActionPoint.newBuilder()
              .setTimeFromStartNanos(
                  rnd.nextInt(10) == 0 ? -rnd.nextInt(1_000_000) : rnd.nextInt(1_000_000_000));
      int joints = rnd.nextInt(25) == 0 ? 2 : 3;
      for (int j = 0; j < joints; j++) {
        double x =
            switch (rnd.nextInt(12)) {
              case 0 -> Double.NaN;
              case 1 -> Double.POSITIVE_INFINITY;
              case 2 -> Double.NEGATIVE_INFINITY;
              case 3 -> uniform(rnd, 1e6);
              default -> uniform(rnd, 3.0);
            };
        p.addPositionsRad(x);
      }
      b.addPoints(p);
    }
    return b.build();
  }
}
