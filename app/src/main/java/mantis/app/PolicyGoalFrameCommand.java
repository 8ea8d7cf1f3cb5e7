package mantis.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.calibration.CameraModel;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.learn.PolicyDataRecorder;
import mantis.model.policy.GoalFramePlan;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.model.policy.PolicyLearner;
import mantis.sim.Embodiment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mantis policy goal-frame}: learns the effector's goal-relative plan ({@link
 * GoalFramePlan}) from action-free arm video and writes a copy of a policy bundle that carries it.
 */
@Command(
    name = "goal-frame",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Learn the effector's goal-relative plan from action-free arm video (no actions) and write "
            + "a copy of a policy bundle that carries it; serve the copy through the "
            + "embodiment-neutral path.")
final class PolicyGoalFrameCommand implements Callable<Integer> {
  /** Episodes recorded at a time (a multiple of the 3 task families). */
  private static final int BATCH = 30;

  private static final byte[] NO_FRAME = new byte[0];

  @Spec CommandSpec spec;

  @Option(names = "--init", required = true, description = "policy bundle to copy")
  Path init;

  @Option(names = "--out", required = true, description = "bundle directory to write")
  Path out;

  @Option(
      names = "--video-episodes",
      defaultValue = "2000",
      description = "action-free arm video episodes to learn from (default: ${DEFAULT-VALUE})")
  int episodes;

  @Option(
      names = "--first-seed",
      defaultValue = "0",
      description = "seed of the first video episode (default: ${DEFAULT-VALUE})")
  long firstSeed;

  @Option(
      names = "--neighbours",
      defaultValue = "2",
      description = "remembered states averaged per plan (default: ${DEFAULT-VALUE})")
  int neighbours;

  @Option(
      names = "--goal-weight",
      defaultValue = "1.0",
      description =
          "weight of the goal's offset from the object against the effector's in the state distance"
              + " (default: ${DEFAULT-VALUE})")
  double goalWeight;

  @Option(
      names = "--fill-weight",
      defaultValue = "0.1",
      description =
          "weight of the object mark's fill ratio (block or disc), metres per unit"
              + " (default: ${DEFAULT-VALUE})")
  double fillWeight;

  @Option(
      names = "--velocity-weight",
      defaultValue = "0.1",
      description =
          "weight of the effector's velocity in the state distance, seconds (0.1: 0.4 m/s counts"
              + " as 4 cm; default: ${DEFAULT-VALUE})")
  double velocityWeight;

  @Option(
      names = "--frame",
      defaultValue = "GOAL",
      description =
          "axes the memory is kept in: GOAL (turned to the goal's direction and mirrored, so each"
              + " video push counts for every direction) or TABLE (default: ${DEFAULT-VALUE})")
  GoalFramePlan.Frame frame;

  @Override
  public Integer call() throws Exception {
    if (episodes < 1) {
      throw new ParameterException(spec.commandLine(), "--video-episodes must be >= 1");
    }
    if (neighbours < 1) {
      throw new ParameterException(spec.commandLine(), "--neighbours must be >= 1");
    }
    RobotSpec robot = RobotSpecs.mantisPlanar3();
    PolicyConfig config;
    try (PolicyLearner learner = PolicyLearner.fromBundle(init, robot)) {
      config = learner.config();
    }
    PolicyDataRecorder rec = new PolicyDataRecorder(config, null);
    // One frame per chunk period: the plan's futures are the effector's next frames.
    int captureEvery =
        (int)
            Math.round(
                config.chunkPeriodMs() * mantis.sim.SimConfig.defaults().physicsHz() / 1000.0);
    StepProgress bar = new StepProgress(System.err, 0, episodes, "video episodes");
    long t0 = System.nanoTime();
    // Recorded a batch at a time (a multiple of the 3 task families, so episode k keeps seed
    // firstSeed + k and family k % 3) and kept without their frames: the plan reads marks, labels
    // and instructions only, and 2,000 episodes of frames would not fit in a small heap.
    List<List<PolicyExample>> byEpisode = new ArrayList<>();
    long frames = 0;
    for (int done = 0; done < episodes; done += BATCH) {
      int n = Math.min(BATCH, episodes - done);
      List<Integer> ends = new ArrayList<>();
      int before = done;
      List<PolicyExample> batch =
          rec.record(
              Embodiment.ARM,
              firstSeed + done,
              n,
              captureEvery,
              false,
              k -> {
                ends.add(k);
                bar.update(before + ends.size(), "");
              });
      int from = 0;
      for (int end : ends) {
        List<PolicyExample> ep = new ArrayList<>(end - from);
        for (PolicyExample e : batch.subList(from, end)) {
          ep.add(
              new PolicyExample(
                  NO_FRAME, e.instruction(), e.marks(), null, null, e.labels(), e.markMotionPx()));
        }
        byEpisode.add(ep);
        frames += ep.size();
        from = end;
      }
    }
    bar.finish();
    CameraModel camera = CameraModel.mantisDefault(config.inputSizePx(), config.inputSizePx());
    GoalFramePlan plan =
        GoalFramePlan.fit(
                byEpisode, camera, config.traceLength(), config.chunkPeriodMs() / 1000.0, frame)
            .withNeighbours(neighbours)
            .withWeights(goalWeight, fillWeight, velocityWeight);
    plan.writeInto(init, out, robot);
    System.out.printf(
        Locale.ROOT,
        "goal-frame plan (%s axes) from %d video episodes (%d frames, %.0f s): remembered states reach %d,"
            + " direction %d, target %d; wrote %s%n",
        frame,
        episodes,
        frames,
        (System.nanoTime() - t0) / 1e9,
        plan.size(GoalFramePlan.GoalKind.REACH),
        plan.size(GoalFramePlan.GoalKind.DIRECTION),
        plan.size(GoalFramePlan.GoalKind.TARGET),
        out);
    return 0;
  }
}
