package mantis.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.learn.PolicyDataRecorder;
import mantis.learn.PolicyTraining;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyExample;
import mantis.model.policy.PolicyLearner;
import mantis.sim.Embodiment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mantis policy finetune}: the action decoder (and the trunk) on a few labelled arm
 * episodes.
 */
@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Finetune the policy on labelled arm episodes (scripted expert, and recorded episodes with "
            + "--recordings); with --init none it trains the "
            + "same network from scratch on the same episodes (the baseline).")
final class PolicyFinetuneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, description = "bundle directory to write")
  Path out;

  @Option(
      names = "--init",
      required = true,
      description = "pretrained bundle to start from, or 'none' for the from-scratch baseline")
  String init;

  @Option(
      names = "--episodes",
      defaultValue = "50",
      description =
          "labelled arm episodes of the scripted expert; 0 to learn from --recordings alone "
              + "(default: ${DEFAULT-VALUE})")
  int episodes;

  @Option(
      names = "--recordings",
      paramLabel = "DIR",
      description =
          "recorded arm episodes to learn from as well (repeatable): one episode directory, or a folder of "
              + "them such as recordings/teleop")
  List<Path> recordings = new ArrayList<>();

  @Option(
      names = "--first-seed",
      defaultValue = "500000",
      description = "seed of the first episode (default: ${DEFAULT-VALUE})")
  long firstSeed;

  @Option(
      names = "--held-out-episodes",
      defaultValue = "10",
      description =
          "arm episodes after the training seeds, measured only (default: ${DEFAULT-VALUE})")
  int heldOutEpisodes;

  @Option(
      names = "--capture-every",
      defaultValue = "2",
      description = "physics steps (50 Hz) between training frames (default: ${DEFAULT-VALUE})")
  int captureEvery;

  @Option(
      names = "--action-noise",
      defaultValue = "0",
      description =
          "noise injected into the executed targets while recording (DART), radians; labels stay the "
              + "expert's (default: ${DEFAULT-VALUE})")
  double actionNoise;

  @Option(
      names = "--train",
      defaultValue = "all",
      description =
          "which weights to train: all, trunk (trunk, heads and action decoder; the encoders and grounding "
              + "heads stay as pretrained) or decoder (the action decoder only); trunk and decoder need --init BUNDLE "
              + "(default: ${DEFAULT-VALUE})")
  String trainWhat;

  @Option(
      names = "--flow-steps",
      defaultValue = "0",
      description =
          "action head: 0 regresses the chunk; N >= 1 trains a flow-matching head (pi0-style rectified "
              + "flow) integrated in N Euler steps at inference (default: ${DEFAULT-VALUE})")
  int flowSteps;

  @Option(
      names = "--goal-relative",
      description =
          "the action decoder also reads the grounded object's position from the effector and the "
              + "goal's from the object (its weights start afresh)")
  boolean goalRelative;

  @Option(
      names = "--dagger-episodes",
      defaultValue = "0",
      description =
          "human-gated DAgger episodes after the expert ones (each counts as labelled): the "
              + "finetuned policy drives the arm, the scripted expert takes over where the policy's tip "
              + "target strays from its own, and the policy is trained again with the corrections "
              + "(default: ${DEFAULT-VALUE})")
  int daggerEpisodes;

  @Option(
      names = "--dagger-rounds",
      defaultValue = "1",
      description =
          "rounds the DAgger episodes are split into, each driven by the policy of the round "
              + "before (default: ${DEFAULT-VALUE})")
  int daggerRounds;

  @Option(
      names = "--dagger-first-seed",
      defaultValue = "600000",
      description = "seed of the first DAgger episode (default: ${DEFAULT-VALUE})")
  long daggerFirstSeed;

  @Option(
      names = "--dagger-gate-cm",
      defaultValue = "3",
      description =
          "the expert takes over when the policy's tip target is further than this from the "
              + "expert's, cm (default: ${DEFAULT-VALUE})")
  double daggerGateCm;

  @Option(
      names = "--dagger-takeover-s",
      defaultValue = "1.0",
      description = "how long each takeover lasts, s (default: ${DEFAULT-VALUE})")
  double daggerTakeoverS;

  @Option(
      names = "--dagger-cooldown-s",
      defaultValue = "0.3",
      description =
          "policy time after a takeover before the gate may fire again, s (default: ${DEFAULT-VALUE})")
  double daggerCooldownS;

  @Mixin PolicyTrainOptions train;
  @Mixin TorchThreadsOption torch;

  @Override
  public Integer call() throws IOException {
    torch.apply(spec);
    train.check(spec, 1500);
    if (episodes < 0 || heldOutEpisodes < 0 || captureEvery < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--capture-every must be >= 1, --episodes and --held-out-episodes >= 0");
    }
    if (flowSteps < 0 || flowSteps > 100) {
      throw new ParameterException(spec.commandLine(), "--flow-steps must be in [0, 100]");
    }
    if (daggerEpisodes < 0
        || daggerRounds < 1
        || (daggerEpisodes > 0 && daggerRounds > daggerEpisodes)
        || !(daggerGateCm > 0)
        || !(daggerTakeoverS > 0)
        || !(daggerCooldownS >= 0)) {
      throw new ParameterException(
          spec.commandLine(),
          "--dagger-episodes must be >= 0, --dagger-rounds between 1 and the DAgger episodes, "
              + "--dagger-gate-cm and --dagger-takeover-s > 0, --dagger-cooldown-s >= 0");
    }
    if (episodes == 0 && recordings.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--episodes 0 needs --recordings to learn from");
    }
    List<Path> recorded = new ArrayList<>();
    for (Path r : recordings) {
      try {
        recorded.addAll(RecordedEpisodes.find(r));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    RobotSpec robot = RobotSpecs.mantisPlanar3();
    boolean scratch = init.equals("none");
    PolicyLearner.Trainable trainable;
    switch (trainWhat) {
      case "all" -> trainable = PolicyLearner.Trainable.ALL;
      case "trunk" -> trainable = PolicyLearner.Trainable.TRUNK_AND_DECODER;
      case "decoder" -> trainable = PolicyLearner.Trainable.DECODER;
      default ->
          throw new ParameterException(
              spec.commandLine(), "--train must be all, trunk or decoder, got " + trainWhat);
    }
    if (scratch && trainable != PolicyLearner.Trainable.ALL) {
      throw new ParameterException(
          spec.commandLine(), "--train " + trainWhat + " needs a pretrained --init bundle");
    }
    PolicyConfig config = PolicyConfig.defaults().withSeed(train.seed);
    long t0 = System.nanoTime();
    PolicyDataRecorder rec = new PolicyDataRecorder(config, null).withActionNoise(actionNoise);
    PolicyDataRecorder clean = new PolicyDataRecorder(config, null);
    StepProgress recBar = new StepProgress(System.err, 0, episodes + heldOutEpisodes, "episodes");
    int[] done = {0};
    List<PolicyExample> data =
        rec.record(
            Embodiment.ARM,
            firstSeed,
            episodes,
            captureEvery,
            true,
            n -> recBar.update(++done[0], n + " examples"));
    List<PolicyExample> heldOut =
        clean.record(
            Embodiment.ARM,
            firstSeed + episodes,
            heldOutEpisodes,
            5,
            true,
            n -> recBar.update(++done[0], n + " held-out examples"));
    recBar.finish();
    int expertExamples = data.size();
    List<PolicyExample> fromRecordings = new ArrayList<>();
    StringBuilder recordedData = new StringBuilder();
    for (Path dir : recorded) {
      List<PolicyExample> ex;
      try {
        ex = clean.fromRecording(dir);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "cannot learn from " + dir + ": " + e.getMessage());
      }
      fromRecordings.addAll(ex);
      recordedData
          .append(recordedData.length() == 0 ? "" : ", ")
          .append(dir.getFileName())
          .append(" (")
          .append(ex.size())
          .append(" examples, steps sha256 ")
          .append(RecordedEpisodes.stepsDigest(dir))
          .append(')');
    }
    data = new ArrayList<>(data);
    data.addAll(fromRecordings);
    if (data.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "no training examples: the recordings have no frames to learn " + "from");
    }
    System.out.printf(
        Locale.ROOT,
        "recorded %d training and %d held-out examples in %.1f s%n",
        expertExamples,
        heldOut.size(),
        (System.nanoTime() - t0) / 1e9);
    if (!recorded.isEmpty()) {
      System.out.printf(
          Locale.ROOT,
          "%d examples from %d recorded episodes%n",
          fromRecordings.size(),
          recorded.size());
    }
    String recordedNote = recorded.isEmpty() ? "" : "; recorded episodes: " + recordedData;
    trainAndSave(config, robot, scratch, trainable, data, heldOut, recordedNote);
    int seedOffset = 0;
    StringBuilder daggerNote = new StringBuilder();
    for (int round = 0; round < daggerRounds && daggerEpisodes > 0; round++) {
      int n = daggerEpisodes / daggerRounds + (round < daggerEpisodes % daggerRounds ? 1 : 0);
      long first = daggerFirstSeed + seedOffset;
      seedOffset += n;
      PolicyDataRecorder.GatedRecording gated =
          clean.gatedRecording(captureEvery, daggerGateCm / 100, daggerTakeoverS, daggerCooldownS);
      long r0 = System.nanoTime();
      int ok = runGated(gated, first, n, round + 1);
      data.addAll(gated.examples());
      String line =
          String.format(
              Locale.ROOT,
              "DAgger round %d: seeds %d..%d, %d/%d episodes succeeded with help, %d takeovers, "
                  + "expert drove %.1f%% of the steps, %d examples (%d with actions) in %.1f s",
              round + 1,
              first,
              first + n - 1,
              ok,
              n,
              gated.interventions(),
              100 * gated.expertShare(),
              gated.examples().size(),
              gated.labelledExamples(),
              (System.nanoTime() - r0) / 1e9);
      System.out.println(line);
      daggerNote.append("; ").append(line);
      trainAndSave(config, robot, scratch, trainable, data, heldOut, recordedNote + daggerNote);
    }
    return 0;
  }

  /** Trains from {@code --init} (or from scratch) on {@code data} and writes the bundle. */
  private void trainAndSave(
      PolicyConfig config,
      RobotSpec robot,
      boolean scratch,
      PolicyLearner.Trainable trainable,
      List<PolicyExample> data,
      List<PolicyExample> heldOut,
      String extraNote)
      throws IOException {
    try (PolicyLearner learner =
        scratch
            ? PolicyLearner.create(config, PolicyTraining.vocabulary(data))
            : PolicyLearner.fromBundle(Path.of(init), robot)) {
      if (learner.config().flowSteps() != flowSteps
          || learner.config().goalRelativeDecoder() != goalRelative) {
        learner.setActionHead(flowSteps, goalRelative);
      }
      learner.setActionStats(PolicyTraining.stats(learner, data));
      learner.resetOptimizer();
      learner.setTrainable(trainable);
      StepProgress bar = new StepProgress(System.err, 0, train.steps, "steps");
      PolicyTraining.Result r =
          PolicyTraining.run(
              learner,
              PolicyLearner.Phase.FINETUNE,
              data,
              heldOut,
              train.steps,
              train.batch,
              train.lr,
              train.seed,
              train.evalEvery,
              out,
              robot,
              PolicyTrainOptions.progress(bar));
      bar.finish();
      String expert =
          episodes == 0
              ? "no arm expert episodes for training "
              : String.format(
                  Locale.ROOT,
                  "arm expert episodes, seeds %d..%d ",
                  firstSeed,
                  firstSeed + episodes - 1);
      String description =
          String.format(
              Locale.ROOT,
              "mantis policy finetune --init %s: %s(held out %d..%d), frames "
                  + "every %d physics steps, action noise %s rad, %s, %d examples, %d steps, batch %d, lr %s, seed %d",
              init,
              expert,
              firstSeed + episodes,
              firstSeed + episodes + heldOutEpisodes - 1,
              captureEvery,
              actionNoise,
              "trained: "
                  + trainWhat
                  + (flowSteps > 0 ? ", flow head " + flowSteps + " steps" : ""),
              data.size(),
              train.steps,
              train.batch,
              train.lr,
              train.seed);
      description += extraNote;
      PolicyTraining.save(
          learner, out, robot, description, PolicyTraining.evaluation("finetune", r.heldOut()));
      System.out.printf(
          Locale.ROOT,
          "finetuned in %.1f s; %s%nbundle: %s%n",
          r.seconds(),
          PolicyTrainOptions.metrics(r.heldOut()),
          out);
    }
  }

  /** Runs {@code n} gated episodes with the bundle in {@code out} served in-process. */
  private int runGated(PolicyDataRecorder.GatedRecording gated, long first, int n, int round)
      throws IOException {
    RobotSpec robot = RobotSpecs.mantisPlanar3();
    ClosedLoopEval.Settings settings =
        new ClosedLoopEval.Settings(
            List.of(mantis.sim.TaskFamily.values()), 1, first, 1, 128, 0.3, "planar3");
    mantis.core.Policy policy =
        mantis.server.policy.Policies.create(
            "bundle:" + out,
            robot,
            EvalCommand.POLICY_INPUT_PX,
            mantis.core.MonotonicClock.system());
    StepProgress bar = new StepProgress(System.err, 0, n, "DAgger round " + round + " episodes");
    mantis.sim.TaskFamily[] families = mantis.sim.TaskFamily.values();
    try {
      return ClosedLoopEval.withServer(
          "dagger",
          policy,
          settings,
          channel -> {
            mantis.sim.TabletopSim sim =
                mantis.sim.TabletopSim.create(mantis.sim.SimConfig.defaults());
            int ok = 0;
            for (int k = 0; k < n; k++) {
              var r =
                  ClosedLoopEval.client(channel, settings, "dagger", gated)
                      .runEpisode(sim, first + k, families[k % families.length]);
              if (r.success()) {
                ok++;
              }
              bar.update(k + 1, gated.interventions() + " takeovers");
            }
            bar.finish();
            return ok;
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during DAgger round " + round, e);
    }
  }
}
