package mantis.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.core.RobotSpecs;
import mantis.latent.LatentActionModel;
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
 * {@code mantis policy pretrain}: latent tokens, grounding and traces from action-free video of
 * both embodiments.
 */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Pretrain the policy on action-free video (arm and hand) labelled by the latent action model "
            + "(tokens), mark tracking (traces) and the scene annotation (grounding). No actions are read.")
final class PolicyPretrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, description = "bundle directory to write")
  Path out;

  @Option(
      names = "--latent",
      defaultValue = "models/latent/play-both",
      description = "latent action model that labels the video (default: ${DEFAULT-VALUE})")
  Path latent;

  @Option(
      names = "--episodes",
      defaultValue = "300",
      description = "training episodes per embodiment (default: ${DEFAULT-VALUE})")
  int episodes;

  @Option(
      names = "--first-seed",
      defaultValue = "0",
      description = "seed of the first episode (default: ${DEFAULT-VALUE})")
  long firstSeed;

  @Option(
      names = "--held-out-episodes",
      defaultValue = "20",
      description =
          "episodes per embodiment after the training seeds, measured only (default: ${DEFAULT-VALUE})")
  int heldOutEpisodes;

  @Mixin PolicyTrainOptions train;
  @Mixin TorchThreadsOption torch;

  @Override
  public Integer call() throws IOException {
    torch.apply(spec);
    train.check(spec, 3000);
    if (episodes < 1 || heldOutEpisodes < 0) {
      throw new ParameterException(
          spec.commandLine(), "--episodes must be >= 1 and --held-out-episodes >= 0");
    }
    PolicyConfig config = PolicyConfig.defaults().withSeed(train.seed);
    List<PolicyExample> data = new ArrayList<>();
    List<PolicyExample> heldOut = new ArrayList<>();
    long t0 = System.nanoTime();
    try (LatentActionModel lam = LatentCheckpoints.load(spec, latent)) {
      PolicyDataRecorder rec = new PolicyDataRecorder(config, lam);
      for (Embodiment e : Embodiment.values()) {
        StepProgress bar =
            new StepProgress(System.err, 0, episodes + heldOutEpisodes, "episodes (" + e + ")");
        int[] done = {0};
        data.addAll(
            rec.record(
                e,
                firstSeed,
                episodes,
                PolicyDataRecorder.LATENT_EVERY_STEPS,
                false,
                n -> bar.update(++done[0], n + " examples")));
        heldOut.addAll(
            rec.record(
                e,
                firstSeed + episodes,
                heldOutEpisodes,
                PolicyDataRecorder.LATENT_EVERY_STEPS,
                false,
                n -> bar.update(++done[0], n + " held-out examples")));
        bar.finish();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "recorded %d training and %d held-out examples in %.1f s%n",
        data.size(),
        heldOut.size(),
        (System.nanoTime() - t0) / 1e9);
    try (PolicyLearner learner = PolicyLearner.create(config, PolicyTraining.vocabulary(data))) {
      StepProgress bar = new StepProgress(System.err, 0, train.steps, "steps");
      PolicyTraining.Result r =
          PolicyTraining.run(
              learner,
              PolicyLearner.Phase.PRETRAIN,
              data,
              heldOut,
              train.steps,
              train.batch,
              train.lr,
              train.seed,
              train.evalEvery,
              out,
              RobotSpecs.mantisPlanar3(),
              PolicyTrainOptions.progress(bar));
      bar.finish();
      String description =
          String.format(
              Locale.ROOT,
              "mantis policy pretrain: arm+hand expert video, seeds %d..%d "
                  + "(held out %d..%d), frames every %d physics steps, latent model %s, %d examples, %d steps, batch %d, "
                  + "lr %s, seed %d",
              firstSeed,
              firstSeed + episodes - 1,
              firstSeed + episodes,
              firstSeed + episodes + heldOutEpisodes - 1,
              PolicyDataRecorder.LATENT_EVERY_STEPS,
              latent,
              data.size(),
              train.steps,
              train.batch,
              train.lr,
              train.seed);
      PolicyTraining.save(
          learner,
          out,
          RobotSpecs.mantisPlanar3(),
          description,
          PolicyTraining.evaluation("pretrain", r.heldOut()));
      System.out.printf(
          Locale.ROOT,
          "pretrained %d parameters in %.1f s; %s%nbundle: %s%n",
          learner.parameterCount(),
          r.seconds(),
          PolicyTrainOptions.metrics(r.heldOut()),
          out);
    }
    return 0;
  }
}
