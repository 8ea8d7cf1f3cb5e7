package mantis.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import mantis.core.spi.PolicyRequest;
import mantis.model.serve.LearnedPolicies;
import mantis.server.BindFailedException;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.server.policy.PolicyNames;
import mantis.teleop.dashboard.DashboardServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mantis serve}: the gRPC policy server and the teleop dashboard, until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serve mantis.v1.PolicyService (plus health, reflection and Prometheus metrics) until stopped, "
            + "and the teleop dashboard (a simulated arm driven from the browser, or a bridged real arm with "
            + "--dashboard-arm bridge; the policy in shadow mode) at http://127.0.0.1:"
            + DashboardServer.DEFAULT_PORT
            + "/ unless --dashboard-port -1.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(
      names = "--config",
      paramLabel = "YAML",
      description = "Configuration file (flags override it).")
  Path config;

  @Option(
      names = "--host",
      description =
          "Bind address (default 127.0.0.1: this machine only; 0.0.0.0 for every interface).")
  String host;

  @Option(
      names = {"-p", "--port"},
      description = "gRPC port (default " + MantisConfig.DEFAULT_PORT + "; 0 = any free port).")
  Integer port;

  @Option(
      names = "--policy",
      completionCandidates = PolicyNames.class,
      description =
          "${COMPLETION-CANDIDATES} "
              + "(default "
              + LearnedPolicies.DEFAULT_NAME
              + ": the bundled model "
              + LearnedPolicies.DEFAULT_BUNDLE_DIR
              + ").")
  String policy;

  @Option(
      names = "--predictor-workers",
      description =
          "Learned policies: predictor threads (default "
              + PolicyRequest.Serving.DEFAULT_WORKERS
              + ").")
  Integer predictorWorkers;

  @Option(
      names = "--max-batch",
      description =
          "Learned policies: most observations per forward pass (default "
              + PolicyRequest.Serving.DEFAULT_MAX_BATCH
              + ").")
  Integer maxBatch;

  @Option(
      names = "--max-batch-wait-us",
      description =
          "Learned policies: how long a worker waits to fill a batch when requests are dense (default "
              + PolicyRequest.Serving.DEFAULT_MAX_WAIT_MICROS
              + ").")
  Long maxBatchWaitUs;

  @Option(
      names = "--robot",
      paramLabel = "NAME|YAML",
      description =
          "Robot: a name (planar3, ur5e) or a robot YAML, plain or naming a URDF (default:"
              + " planar3).")
  Path robot;

  @Option(
      names = "--metrics-port",
      description =
          "Prometheus endpoint port (default " + MantisConfig.DEFAULT_METRICS_PORT + "; -1 = off).")
  Integer metricsPort;

  @Option(
      names = "--metrics-host",
      description = "Prometheus endpoint address (default 127.0.0.1; 0.0.0.0 in a container).")
  String metricsHost;

  @Option(
      names = "--watchdog-ms",
      description =
          "Hold a robot after this much silence (default "
              + MantisConfig.DEFAULT_WATCHDOG_TIMEOUT_MS
              + ").")
  Long watchdogMs;

  @Option(
      names = "--dashboard-port",
      description =
          "Teleop dashboard port (default "
              + DashboardServer.DEFAULT_PORT
              + "; 0 = any free port; -1 = off).")
  int dashboardPort = DashboardServer.DEFAULT_PORT;

  @Mixin DashboardOptions dashboard = new DashboardOptions();

  @Mixin ServeSecurityOptions security = new ServeSecurityOptions();

  static MantisConfig resolve(
      Path config,
      String host,
      Integer port,
      String policy,
      Path robot,
      String metricsHost,
      Integer metricsPort,
      Long watchdogMs)
      throws Exception {
    MantisConfig cfg = config == null ? MantisConfig.defaults() : MantisConfig.load(config);
    if (host != null) {
      cfg = cfg.withHost(host);
    }
    if (port != null) {
      cfg = cfg.withPort(port);
    }
    if (policy != null) {
      cfg = cfg.withPolicy(policy);
    }
    if (robot != null) {
      cfg = cfg.withRobot(robot);
    }
    if (metricsHost != null) {
      cfg = cfg.withMetricsHost(metricsHost);
    }
    if (metricsPort != null) {
      cfg = cfg.withMetricsPort(metricsPort);
    }
    if (watchdogMs != null) {
      cfg = cfg.withWatchdogTimeoutMs(watchdogMs);
    }
    return cfg;
  }

  @Override
  public Integer call() throws Exception {
    MantisConfig cfg;
    try {
      cfg = resolve(config, host, port, policy, robot, metricsHost, metricsPort, watchdogMs);
      if (predictorWorkers != null || maxBatch != null || maxBatchWaitUs != null) {
        cfg =
            cfg.withBatching(
                predictorWorkers != null ? predictorWorkers : cfg.predictorWorkers(),
                maxBatch != null ? maxBatch : cfg.maxBatch(),
                maxBatchWaitUs != null ? maxBatchWaitUs : cfg.maxBatchWaitMicros());
      }
      cfg = security.apply(cfg);
    } catch (IllegalArgumentException e) {
      System.err.println("mantis serve: " + e.getMessage());
      return 2;
    }
    log.info("configuration: {}", cfg);
    if (dashboardPort < -1 || dashboardPort > 65535) {
      System.err.println(
          "mantis serve: --dashboard-port must be -1 (off) or 0..65535, got " + dashboardPort);
      return 2;
    }
    if (dashboardPort >= 0) {
      try {
        dashboard.check();
      } catch (IllegalArgumentException e) {
        System.err.println("mantis serve: " + e.getMessage());
        return 2;
      }
    }
    // Security before anything is loaded or bound: the exposure rule, tokens, TLS files, audit log.
    ServeSecurityOptions.Prepared secured;
    try {
      secured = security.prepare(cfg, System.err);
    } catch (ServeSecurityOptions.UsageException e) {
      System.err.println("mantis serve: " + e.getMessage());
      return 2;
    }
    if (dashboardPort >= 0) {
      // The dashboard under the same rule as gRPC: the server's tokens and roles, HTTPS with its
      // certificate, and off loopback not over plain HTTP unless --insecure.
      try {
        for (String line : dashboard.checkSecurity(secured.security())) {
          System.err.println(line);
        }
      } catch (IllegalArgumentException e) {
        System.err.println("mantis serve: " + e.getMessage());
        secured.audit().close();
        return 2;
      }
    }
    String inProcessName = "mantis-serve-" + ProcessHandle.current().pid();
    MantisServer server;
    try {
      server =
          ServerFactory.build(
              cfg, null, dashboardPort >= 0 ? inProcessName : null, secured.security());
    } catch (IllegalArgumentException e) {
      System.err.println("mantis serve: " + e.getMessage());
      secured.audit().close();
      return 2;
    }
    try {
      server.start();
    } catch (BindFailedException e) {
      server.close();
      secured.audit().close();
      System.err.println(
          "mantis serve: "
              + e.getMessage()
              + bindHint(e, e.what().isEmpty() ? "--port" : "--metrics-port"));
      return 2;
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println("mantis serve: " + e.getMessage());
      secured.audit().close();
      return 2;
    }
    System.out.println(
        "mantis: serving on port "
            + server.port()
            + (server.metricsPort() >= 0
                ? ", metrics at http://"
                    + cfg.metricsHost()
                    + ":"
                    + server.metricsPort()
                    + "/metrics"
                : ""));
    DashboardOptions.Running[] dash = new DashboardOptions.Running[1];
    Thread hook =
        new Thread(
            () -> {
              synchronized (dash) {
                if (dash[0] != null) {
                  dash[0].close();
                }
              }
              server.close();
              secured.audit().close();
            },
            "mantis-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // Wait for warm-up: a policy it refuses (non-finite output) ends the command with the reason.
    java.util.Optional<String> refused = server.awaitWarmUp();
    if (refused.isPresent()) {
      System.err.println(
          "mantis serve: --policy "
              + cfg.policy()
              + ": "
              + refused.get()
              + "; not serving (health NOT_SERVING)");
      removeHook(hook);
      server.close();
      secured.audit().close();
      return 2;
    }
    if (dashboardPort >= 0 && server.awaitServing(0, TimeUnit.SECONDS)) {
      try {
        synchronized (dash) {
          dash[0] =
              dashboard.start(
                  inProcessName,
                  dashboardPort,
                  cfg.policyInputPx(),
                  ServerFactory.robot(cfg),
                  secured.security(),
                  System.out);
        }
      } catch (RuntimeException e) {
        BindFailedException bind =
            bindFailure(e, "the dashboard", dashboard.host + ":" + dashboardPort);
        System.err.println(
            "mantis serve: "
                + (bind != null
                    ? bind.getMessage() + bindHint(bind, "--dashboard-port (-1: off)")
                    : "dashboard not started: " + e.getMessage()));
        removeHook(hook);
        server.close();
        secured.audit().close();
        return 2;
      }
    }
    server.awaitTermination();
    return 0;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  /** " (another mantis serve? ...)" when the port is taken, else a pointer to the flag. */
  static String bindHint(BindFailedException e, String flag) {
    return e.inUse()
        ? " (another mantis serve? choose another port with " + flag + ")"
        : " (check " + flag + ")";
  }

  /**
   * The bind failure inside {@code e} (a dashboard that could not listen), or null when it is
   * something else.
   */
  static BindFailedException bindFailure(Throwable e, String what, String address) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.BindException
          || t.getClass().getSimpleName().contains("BindException")) {
        return new BindFailedException(what, address, t);
      }
    }
    return null;
  }
}
