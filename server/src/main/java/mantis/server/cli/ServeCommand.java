package mantis.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mantis serve}: the gRPC policy server and the teleop dashboard, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve mantis.v1.PolicyService (plus health, reflection and Prometheus metrics) until stopped, "
        + "and the teleop dashboard (a simulated arm driven from the browser, or a bridged real arm with "
        + "--dashboard-arm bridge; the policy in shadow mode) at http://127.0.0.1:8080/ unless --dashboard-port -1.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", paramLabel = "YAML", description = "Configuration file (flags override it).")
  Path config;

  @Option(names = "--host", description = "Bind address (default 127.0.0.1: this machine only; 0.0.0.0 for every interface).")
  String host;

  @Option(names = {"-p", "--port"}, description = "gRPC port (default 50051; 0 = any free port).")
  Integer port;

  @Option(names = "--policy", description = "mantis (default: the bundled model models/policy/default), "
      + "bundle:DIR, visual-servo, hold or random.")
  String policy;

  @Option(names = "--predictor-workers", description = "Learned policies: predictor threads (default 1).")
  Integer predictorWorkers;

  @Option(names = "--max-batch", description = "Learned policies: most observations per forward pass (default 8).")
  Integer maxBatch;

  @Option(names = "--max-batch-wait-us",
      description = "Learned policies: how long a worker waits to fill a batch when requests are dense (default 2000).")
  Long maxBatchWaitUs;

  @Option(names = "--robot", paramLabel = "YAML", description = "Robot description (default: the built-in planar3).")
  Path robot;

  @Option(names = "--metrics-port", description = "Prometheus endpoint port (default 9464; -1 = off).")
  Integer metricsPort;

  @Option(names = "--metrics-host", description = "Prometheus endpoint address (default 127.0.0.1; 0.0.0.0 in a container).")
  String metricsHost;

  @Option(names = "--watchdog-ms", description = "Hold a robot after this much silence (default 100).")
  Long watchdogMs;

  @Option(names = "--dashboard-port",
      description = "Teleop dashboard port (default 8080; 0 = any free port; -1 = off).")
  int dashboardPort = 8080;

  @Mixin
  DashboardOptions dashboard = new DashboardOptions();

  @Mixin
  ServeSecurityOptions security = new ServeSecurityOptions();

  static MantisConfig resolve(Path config, String host, Integer port, String policy, Path robot, String metricsHost,
      Integer metricsPort, Long watchdogMs) throws Exception {
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
        cfg = cfg.withBatching(predictorWorkers != null ? predictorWorkers : cfg.predictorWorkers(),
            maxBatch != null ? maxBatch : cfg.maxBatch(), maxBatchWaitUs != null ? maxBatchWaitUs : cfg.maxBatchWaitMicros());
      }
      cfg = security.apply(cfg);
    } catch (IllegalArgumentException e) {
      System.err.println("mantis serve: " + e.getMessage());
      return 2;
    }
    log.info("configuration: {}", cfg);
    if (dashboardPort < -1 || dashboardPort > 65535) {
      System.err.println("mantis serve: --dashboard-port must be -1 (off) or 0..65535, got " + dashboardPort);
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
      server = ServerFactory.build(cfg, null, dashboardPort >= 0 ? inProcessName : null, secured.security());
    } catch (IllegalArgumentException e) {
      System.err.println("mantis serve: " + e.getMessage());
      secured.audit().close();
      return 2;
    }
    try {
      server.start();
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println("mantis serve: " + e.getMessage());
      secured.audit().close();
      return 2;
    }
    System.out.println("mantis: serving on port " + server.port()
        + (server.metricsPort() >= 0 ? ", metrics at http://" + cfg.metricsHost() + ":" + server.metricsPort() + "/metrics" : ""));
    DashboardOptions.Running dash = null;
    if (dashboardPort >= 0) {
      if (!server.awaitServing(120, TimeUnit.SECONDS)) {
        System.err.println("mantis serve: the policy did not warm up in 120 s; no dashboard");
      } else {
        try {
          dash = dashboard.start(inProcessName, dashboardPort, cfg.policyInputPx(), ServerFactory.robot(cfg),
              secured.security(), System.out);
        } catch (RuntimeException e) {
          System.err.println("mantis serve: dashboard not started: " + e.getMessage());
          server.close();
          secured.audit().close();
          return 2;
        }
      }
    }
    DashboardOptions.Running d = dash;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (d != null) {
        d.close();
      }
      server.close();
      secured.audit().close();
    }, "mantis-shutdown"));
    server.awaitTermination();
    return 0;
  }
}
