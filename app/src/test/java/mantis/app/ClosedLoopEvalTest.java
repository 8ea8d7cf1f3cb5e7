package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpecs;
import mantis.core.Trace;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.Test;

/**
 * The grounding and Trace-of-Mark metrics of {@link ClosedLoopEval}, against policies that know the
 * truth.
 */
class ClosedLoopEvalTest {
  /**
   * Holds the arm still (so nothing moves) and grounds on the mark nearest to (or farthest from)
   * the instruction's object, read from its own copy of the sim; its trace keeps that mark where it
   * is.
   */
  private static final class OraclePolicy implements Policy {
    private final boolean farthest;
    private final Map<String, PixelPoint> truth = new ConcurrentHashMap<>();
    private final PolicyInfo info =
        new PolicyInfo(
            "oracle",
            "oracle-1",
            RobotSpecs.mantisPlanar3().jointNames(),
            EvalCommand.POLICY_INPUT_PX,
            EvalCommand.POLICY_INPUT_PX,
            8,
            "{}");

    OraclePolicy(boolean farthest) {
      this.farthest = farthest;
    }

    @Override
    public PolicyInfo info() {
      return info;
    }

    @Override
    public ActionChunk predict(Observation observation) {
      return predict(observation, List.of());
    }

    @Override
    public ActionChunk predict(Observation observation, List<Mark> marks) {
      double[] q = observation.jointState().positionsRad();
      List<ActionPoint> points = new ArrayList<>();
      for (int k = 1; k <= 8; k++) {
        points.add(new ActionPoint(q, k * 100_000_000L));
      }
      List<Trace> traces = new ArrayList<>();
      PixelPoint centre = truthOf(observation.episodeId());
      if (centre != null && !marks.isEmpty()) {
        Comparator<Mark> byDistance =
            Comparator.comparingDouble(m -> ClosedLoopEval.distance(m.centroid(), centre));
        Mark chosen =
            farthest ? marks.stream().max(byDistance).get() : marks.stream().min(byDistance).get();
        traces.add(
            new Trace(
                chosen.id(),
                List.of(
                    chosen.centroid(),
                    chosen.centroid(),
                    chosen.centroid(),
                    chosen.centroid(),
                    chosen.centroid())));
      }
      return new ActionChunk(
          info.jointNames(),
          points,
          MonotonicClock.system().nanoTime() + 1_000_000_000L,
          new int[0],
          List.of(),
          traces,
          info.version(),
          Map.of());
    }

    /**
     * The instruction's object's true centre for an episode id "family-seed"; null for other ids.
     */
    private PixelPoint truthOf(String episodeId) {
      int dash = episodeId.lastIndexOf('-');
      if (dash < 1) {
        return null;
      }
      return truth.computeIfAbsent(
          episodeId,
          id -> {
            TabletopSim sim = TabletopSim.create(SimConfig.defaults());
            sim.reset(
                Long.parseLong(id.substring(dash + 1)),
                TaskFamily.valueOf(id.substring(0, dash).toUpperCase(Locale.ROOT)));
            return ClosedLoopEval.trueCentre(
                    sim, sim.groundTruth().taskObject(), EvalCommand.POLICY_INPUT_PX)
                .orElseThrow();
          });
    }
  }

  private static EvalCommand.Row run(boolean farthest) throws Exception {
    ClosedLoopEval.Settings s =
        new ClosedLoopEval.Settings(List.of(TaskFamily.PUSH_DIRECTION), 2, 1_000_000L, 2, 128, 0.3);
    PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    ClosedLoopEval.PolicyRun run =
        ClosedLoopEval.served("oracle", new OraclePolicy(farthest), s, err);
    assertEquals(2, run.byFamily().get(TaskFamily.PUSH_DIRECTION).size());
    return EvalCommand.Row.of("push_direction", run.byFamily().get(TaskFamily.PUSH_DIRECTION));
  }

  @Test
  void groundingOnTheMarkNearestTheTrueObjectIsAlwaysRightAndItsStillTraceHasNoError()
      throws Exception {
    EvalCommand.Row r = run(false);
    // A held arm never finishes a push: 12 s of 0.3 s chunks, 40 calls per episode.
    assertEquals(0, r.successes());
    assertEquals(80, r.groundedChunks());
    assertEquals(1.0, r.grounding(), 0.0);
    // Points 1..3 (0.1..0.3 s) of every chunk fall inside the executed window.
    assertEquals(80 * 3, r.tracePoints());
    assertTrue(
        r.traceMedianPx() <= ClosedLoopEval.MIN_GROUNDING_TOLERANCE_PX,
        "median " + r.traceMedianPx());
  }

  @Test
  void groundingOnTheFarthestMarkIsAlwaysWrongAndItsTraceIsFarOff() throws Exception {
    EvalCommand.Row r = run(true);
    assertEquals(80, r.groundedChunks());
    assertEquals(0.0, r.grounding(), 0.0);
    assertTrue(r.traceMeanPx() > 10, "mean " + r.traceMeanPx());
  }
}
