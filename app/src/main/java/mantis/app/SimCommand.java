package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.PolicyInfo;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.config.MantisConfig;
import mantis.sim.TaskFamily;
import mantis.sim.client.FrameFormat;
import mantis.sim.client.SimClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mantis sim}: seeded sim episodes against a running server. */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description =
        "Run seeded simulated episodes against a Mantis server over gRPC; print success rates "
            + "(Wilson 95%% intervals) and call latency percentiles.")
final class SimCommand implements Callable<Integer> {
  @Option(
      names = "--target",
      defaultValue = MantisConfig.DEFAULT_HOST + ":" + MantisConfig.DEFAULT_PORT,
      description = "Server host:port (default ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--family",
      defaultValue = "all",
      converter = Families.class,
      description = "all (default), reach, push_direction or push_to_target.")
  List<TaskFamily> families;

  @Option(
      names = "--episodes",
      defaultValue = "20",
      description = "Episodes per family (default ${DEFAULT-VALUE}).")
  int episodes;

  @Option(
      names = "--first-seed",
      defaultValue = "0",
      description = "Seed of the first episode (default ${DEFAULT-VALUE}).")
  long firstSeed;

  @Option(
      names = "--size",
      defaultValue = "128",
      description = "Frame size sent, square pixels (default ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--format", defaultValue = "raw", description = "raw (default) or png frames.")
  String format;

  @Option(
      names = "--replan-s",
      defaultValue = "0.3",
      description = "Sim seconds per chunk (default ${DEFAULT-VALUE}).")
  double replanS;

  @Option(
      names = "--robot",
      defaultValue = "planar3",
      description =
          "The simulated arm: planar3 (default) or ur5e (the bundled UR5e-like 6-joint arm); the "
              + "server's policy must drive the same joints.")
  String robot;

  @Option(names = "--record", paramLabel = "DIR", description = "Record every episode under DIR.")
  Path record;

  @Option(
      names = "--wait-s",
      defaultValue = "10",
      description = "How long to wait for the server to be reachable (default ${DEFAULT-VALUE}).")
  int waitS;

  @Mixin ClientSecurityOptions security = new ClientSecurityOptions();

  static FrameFormat format(String f) {
    switch (f.toLowerCase(Locale.ROOT)) {
      case "raw":
        return FrameFormat.RAW_RGB8;
      case "png":
        return FrameFormat.PNG;
      default:
        throw new IllegalArgumentException("--format must be raw or png, got " + f);
    }
  }

  /**
   * The first line of {@code s}, at most {@code max} characters (gRPC descriptions may carry
   * causes).
   */
  static String firstLine(String s, int max) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= max ? line : line.substring(0, max) + "...";
  }

  @Override
  public Integer call() throws Exception {
    try {
      mantis.sim.SimConfig.builder().optRobot(robot);
    } catch (IllegalArgumentException e) {
      System.err.println("mantis sim: " + e.getMessage());
      return 2;
    }
    int colon = target.lastIndexOf(':');
    if (colon < 1 || episodes < 1) {
      System.err.println("mantis sim: --target must be host:port and --episodes >= 1");
      return 2;
    }
    int targetPort;
    try {
      targetPort = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      System.err.println("mantis sim: --target must be host:port, got '" + target + "'");
      return 2;
    }
    ManagedChannel channel;
    try {
      channel = security.channel(target.substring(0, colon), targetPort);
    } catch (IllegalArgumentException e) {
      System.err.println("mantis sim: " + e.getMessage());
      return 2;
    }
    try {
      PolicyInfo info =
          PolicyServiceGrpc.newBlockingStub(channel)
              .withWaitForReady()
              .withDeadlineAfter(waitS, TimeUnit.SECONDS)
              .describe(DescribeRequest.getDefaultInstance());
      System.err.printf(
          "mantis sim: %s serves %s %s for %s%n",
          target, info.getName(), info.getVersion(), info.getRobotName());
      EvalReport report =
          new EpisodeRunner(channel, size, format(format), replanS, record, System.err, robot)
              .run(families, episodes, firstSeed);
      report.print(
          System.out,
          "Policy "
              + info.getName()
              + " ("
              + info.getVersion()
              + ") at "
              + target
              + ", "
              + size
              + "x"
              + size
              + " "
              + format
              + " frames, seeds "
              + firstSeed
              + ".."
              + (firstSeed + episodes - 1));
      return 0;
    } catch (StatusRuntimeException | SimClientException e) {
      System.err.println("mantis sim: " + target + ": " + firstLine(e.getMessage(), 240));
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
