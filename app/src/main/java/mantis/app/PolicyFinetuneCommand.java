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
    try (PolicyLearner learner =
        scratch
            ? PolicyLearner.create(config, PolicyTraining.vocabulary(data))
            : PolicyLearner.fromBundle(Path.of(init), robot)) {
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
              "trained: " + trainWhat,
              data.size(),
              train.steps,
              train.batch,
              train.lr,
              train.seed);
      if (!recorded.isEmpty()) {
        description += "; recorded episodes: " + recordedData;
      }
      PolicyTraining.save(
          learner, out, robot, description, PolicyTraining.evaluation("finetune", r.heldOut()));
      System.out.printf(
          Locale.ROOT,
          "finetuned in %.1f s; %s%nbundle: %s%n",
          r.seconds(),
          PolicyTrainOptions.metrics(r.heldOut()),
          out);
    }
    return 0;
  }
}
