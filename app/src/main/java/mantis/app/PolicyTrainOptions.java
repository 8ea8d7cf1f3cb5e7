package mantis.app;

import java.util.Locale;
import mantis.learn.PolicyTraining;
import mantis.model.policy.PolicyLearner;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options shared by {@code mantis policy pretrain} and {@code finetune}. */
final class PolicyTrainOptions {
  @Option(
      names = "--steps",
      description = "optimiser steps (default: 3000 pretrain, 1500 finetune)")
  Integer steps;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "examples per step (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "1e-3",
      description =
          "Adam learning rate (default: ${DEFAULT-VALUE}; "
              + "x0.2 for the last fifth of the steps)")
  double lr;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "weight and shuffling seed (default: ${DEFAULT-VALUE})")
  int seed;

  @Option(
      names = "--eval-every",
      defaultValue = "250",
      description = "steps between held-out measurements (default: ${DEFAULT-VALUE})")
  int evalEvery;

  void check(CommandSpec spec, int defaultSteps) {
    if (steps == null) {
      steps = defaultSteps;
    }
    if (steps < 1 || batch < 1 || evalEvery < 1 || !(lr > 0)) {
      throw new ParameterException(
          spec.commandLine(), "--steps, --batch and --eval-every must be >= 1 and --lr > 0");
    }
  }

  /** A progress bar listener. */
  static PolicyTraining.Listener progress(StepProgress bar) {
    return new PolicyTraining.Listener() {
      @Override
      public void onStep(PolicyLearner.StepLosses l, long total) {
        bar.update(l.step(), String.format(Locale.ROOT, "loss %.4f", l.total()));
      }
    };
  }

  static String metrics(PolicyLearner.Metrics m) {
    if (m == null) {
      return "no held-out examples";
    }
    return String.format(
        Locale.ROOT,
        "held-out %d examples: tokens %.1f%%, object mark %.1f%%, goal mark %.1f%%, "
            + "effector mark %.1f%%, trace error %.2f px, effector trace error %.2f px, action error %.4f rad",
        m.examples(),
        100 * m.tokenAccuracy(),
        100 * m.objectAccuracy(),
        100 * m.goalAccuracy(),
        100 * m.effectorAccuracy(),
        m.traceErrorPx(),
        m.effectorTraceErrorPx(),
        m.actionErrorRad());
  }
}
