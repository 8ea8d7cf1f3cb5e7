package mantis.baseline;

import java.util.ArrayList;
import java.util.List;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Observation;
import mantis.core.safety.SafetyFilter;
import mantis.core.safety.SafetyResult;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;

/**
 * Runs the visual-servo policy in closed loop on the simulator, in process: every {@code period} of
 * sim time the policy sees a fresh frame and joint state; its chunk goes through the safety filter
 * and is executed by linear interpolation at the physics rate via {@code sim.step}.
 */
final class ClosedLoopEval {
  /** Outcome of one episode. */
  record Episode(long seed, String instruction, boolean success, double timeS, int interventions) {}

  /** Outcome of a batch. */
  record Result(TaskFamily family, List<Episode> episodes) {
    int successes() {
      return (int) episodes.stream().filter(Episode::success).count();
    }

    double rate() {
      return episodes.isEmpty() ? 0 : successes() / (double) episodes.size();
    }

    /** Wilson 95% interval of the success rate. */
    double[] wilson95() {
      int n = episodes.size();
      if (n == 0) {
        return new double[] {0, 1};
      }
      double p = rate();
      double z = 1.96;
      double denom = 1 + z * z / n;
      double centre = (p + z * z / (2 * n)) / denom;
      double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
      return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    int interventions() {
      return episodes.stream().mapToInt(Episode::interventions).sum();
    }
  }

  private final int frameSizePx;
  private final int stepsPerCall;

  ClosedLoopEval(int frameSizePx, double callPeriodS, int physicsHz) {
    this.frameSizePx = frameSizePx;
    this.stepsPerCall = (int) Math.round(callPeriodS * physicsHz);
  }

  static ClosedLoopEval defaults() {
    return new ClosedLoopEval(128, 0.3, 50);
  }

  Result run(TaskFamily family, int episodes, long firstSeed) {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optPhysicsHz(50).build());
    FakeClock clock = new FakeClock(1_000_000_000L);
    SafetyFilter filter = SafetyFilter.builder().setRobot(sim.robot()).optClock(clock).build();
    List<Episode> out = new ArrayList<>();
    try (VisualServoPolicy policy =
        VisualServoPolicy.builder()
            .setRobot(sim.robot())
            .setCamera(sim.camera(640, 480))
            .optClock(clock)
            .build()) {
      for (long seed = firstSeed; seed < firstSeed + episodes; seed++) {
        out.add(episode(sim, policy, filter, clock, seed, family));
      }
    }
    return new Result(family, out);
  }

  private Episode episode(
      TabletopSim sim,
      VisualServoPolicy policy,
      SafetyFilter filter,
      FakeClock clock,
      long seed,
      TaskFamily family) {
    sim.reset(seed, family);
    long dtNanos = Math.round(1e9 / sim.config().physicsHz());
    int interventions = 0;
    long call = 0;
    double[] start = null;
    ActionChunk chunk = null;
    long chunkStartNanos = 0;
    long stepInEpisode = 0;
    while (!sim.done()) {
      if (stepInEpisode % stepsPerCall == 0) {
        Frame frame = sim.render(frameSizePx, frameSizePx);
        JointState state = sim.jointState();
        long now = clock.nanoTime();
        Observation obs =
            new Observation(
                "eval",
                family + "-" + seed,
                call++,
                List.of(frame),
                sim.instruction(),
                state,
                now,
                now);
        ActionChunk raw = policy.predict(obs);
        SafetyResult safe = filter.filter(raw, state);
        interventions += safe.interventions().size();
        chunk = safe.chunk();
        start = state.positionsRad();
        chunkStartNanos = now;
      }
      clock.advanceNanos(dtNanos);
      sim.step(interpolate(start, chunk, clock.nanoTime() - chunkStartNanos));
      stepInEpisode++;
    }
    return new Episode(seed, sim.instruction(), sim.success(), sim.timeS(), interventions);
  }

  /**
   * Linear interpolation of the chunk at time t from its start; holds the last point afterwards.
   */
  static double[] interpolate(double[] start, ActionChunk chunk, long tNanos) {
    double[] previous = start;
    long previousT = 0;
    for (ActionPoint p : chunk.points()) {
      if (tNanos <= p.timeFromStartNanos()) {
        double a = (tNanos - previousT) / (double) (p.timeFromStartNanos() - previousT);
        double[] out = new double[previous.length];
        double[] next = p.positionsRad();
        for (int j = 0; j < out.length; j++) {
          out[j] = previous[j] + (next[j] - previous[j]) * a;
        }
        return out;
      }
      previous = p.positionsRad();
      previousT = p.timeFromStartNanos();
    }
    return previous;
  }
}
