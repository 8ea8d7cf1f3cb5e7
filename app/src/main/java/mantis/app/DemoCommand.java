package mantis.app;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import mantis.core.RobotSpecs;
import mantis.model.serve.LearnedPolicies;
import mantis.security.ServerSecurity;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.server.policy.PolicyNames;
import mantis.sim.TaskFamily;
import mantis.sim.client.FrameFormat;
import mantis.teleop.dashboard.DashboardServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mantis demo}: the server in-process and the sim client against it. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start the server in-process with the default policy and drive simulated episodes of every "
            + "task family through it over gRPC.")
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--episodes",
      defaultValue = "5",
      description = "Episodes per family (default ${DEFAULT-VALUE}).")
  int episodes;

  @Option(
      names = "--first-seed",
      defaultValue = "1000",
      description = "Seed of the first episode (default ${DEFAULT-VALUE}).")
  long firstSeed;

  @Option(
      names = "--policy",
      defaultValue = LearnedPolicies.DEFAULT_NAME,
      completionCandidates = PolicyNames.class,
      description =
          "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: the bundled model "
              + LearnedPolicies.DEFAULT_BUNDLE_DIR
              + ").")
  String policy;

  @Option(
      names = "--family",
      defaultValue = "all",
      converter = Families.class,
      description = "all (default), reach, push_direction or push_to_target.")
  List<TaskFamily> families;

  @Option(
      names = "--dashboard",
      description =
          "Also open the teleop dashboard (a simulated arm you drive from the browser, this policy in "
              + "shadow mode) and keep serving it after the episodes until Ctrl-C.")
  boolean dashboard;

  @Option(
      names = "--dashboard-port",
      defaultValue = "" + DashboardServer.DEFAULT_PORT,
      description = "With --dashboard: its port (default ${DEFAULT-VALUE}; 0 = any free port).")
  int dashboardPort;

  @Mixin DashboardOptions dashboardOptions = new DashboardOptions();

  @Option(
      names = "--insecure",
      description =
          "With --dashboard and a --dashboard-host other than loopback: serve the dashboard over plain "
              + "HTTP anyway (its token crosses the network in clear). Prints a warning. For HTTPS use 'mantis serve' "
              + "with --tls-cert/--tls-key.")
  boolean insecure;

  /** The demo has no tokens, TLS or audit log: only --insecure, for a dashboard off loopback. */
  private ServerSecurity dashboardSecurity() {
    return ServerSecurity.builder().optInsecure(insecure).build();
  }

  @Override
  public Integer call() throws Exception {
    if (dashboard) {
      try {
        dashboardOptions.check();
        for (String line : dashboardOptions.checkSecurity(dashboardSecurity())) {
          System.err.println(line);
        }
      } catch (IllegalArgumentException e) {
        System.err.println("mantis demo: " + e.getMessage());
        return 2;
      }
    }
    MantisConfig cfg = MantisConfig.defaults().withPolicy(policy).withMetricsPort(-1);
    String name = "mantis-demo-" + ProcessHandle.current().pid();
    try (MantisServer server = ServerFactory.build(cfg, InProcessServerBuilder.forName(name))) {
      server.start();
      if (!server.awaitServing(60, TimeUnit.SECONDS)) {
        System.err.println("mantis demo: the server did not warm up");
        return 1;
      }
      DashboardOptions.Running dash = null;
      if (dashboard) {
        try {
          dash =
              dashboardOptions.start(
                  name,
                  dashboardPort,
                  cfg.policyInputPx(),
                  RobotSpecs.mantisPlanar3(),
                  dashboardSecurity(),
                  System.out);
        } catch (RuntimeException e) {
          System.err.println("mantis demo: dashboard not started: " + e.getMessage());
          return 2;
        }
      }
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      try {
        System.err.printf(
            "mantis demo: policy %s, %d episode(s) per family, seeds from %d%n",
            policy, episodes, firstSeed);
        EvalReport report =
            new EpisodeRunner(
                    channel, cfg.policyInputPx(), FrameFormat.RAW_RGB8, 0.3, null, System.err)
                .run(families, episodes, firstSeed);
        report.print(
            System.out,
            "Demo: policy "
                + policy
                + " served in-process, "
                + cfg.policyInputPx()
                + "x"
                + cfg.policyInputPx()
                + " raw frames, seeds "
                + firstSeed
                + ".."
                + (firstSeed + episodes - 1));
      } catch (Exception | Error e) {
        if (dash != null) {
          dash.close();
        }
        throw e;
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (dash != null) {
        System.out.println(
            "mantis demo: episodes done; the dashboard stays at "
                + dash.openUrl()
                + " until Ctrl-C");
        DashboardOptions.Running d = dash;
        Thread hook =
            new Thread(
                () -> {
                  d.close();
                  server.close();
                },
                "mantis-demo-dashboard-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.awaitTermination();
      }
    }
    return 0;
  }
}
