package mantis.app;

import picocli.CommandLine.Command;

/** {@code mantis policy}: pretrain and finetune the Mantis policy. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description =
        "Train the Mantis policy: pretrain on action-free video, then finetune the action decoder.",
    subcommands = {
      PolicyPretrainCommand.class,
      PolicyFinetuneCommand.class,
      PolicyGoalFrameCommand.class
    })
final class PolicyCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a subcommand: pretrain or finetune");
  }
}
