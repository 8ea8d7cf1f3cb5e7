package mantis.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code mantis} command. */
@Command(
    name = "mantis",
    mixinStandardHelpOptions = true,
    version = "mantis 0.1.0",
    description = "Mantis: a vision-language-action robot control server.%n",
    subcommands = {
      ServeCommand.class,
      SimCommand.class,
      DemoCommand.class,
      ExpertCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      BenchOverloadCommand.class,
      PolicyCommand.class,
      MarksCommand.class,
      LatentCommand.class,
      BridgeCommand.class,
      SimRosCommand.class,
      BenchRosCommand.class,
      TokenCommand.class,
      BenchSoakCommand.class,
      RobotCommand.class,
      CalibrateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MantisCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new MantisCommand()).execute(args));
  }
}
