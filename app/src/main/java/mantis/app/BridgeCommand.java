package mantis.app;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import mantis.ros.bridge.ArmServiceBindException;
import mantis.ros.bridge.BridgeConfig;
import mantis.ros.bridge.BridgeNode;
import mantis.security.ExposurePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mantis bridge}: the ROS 1 bridge node (see {@code ros-bridge/README.md}), until stopped;
 * or, with {@code --check-config}, only validate a configuration and print it resolved. It stops on
 * SIGTERM/SIGINT and on {@code rosnode kill} (the slave API's {@code shutdown}); either way the arm
 * is told to hold before the node leaves the graph. After {@code rosnode kill} the command logs who
 * asked and exits 0.
 *
 * <p>Security (docs/SECURITY.md, "Bridge"): the ArmService's bind rule and TLS files are checked
 * before anything starts, by {@code --check-config} too; a refusal exits 2. {@code --insecure} is a
 * command-line flag only (a config file with {@code arm_service.insecure: true} is refused). The
 * ArmService is bound before the node joins the ROS graph: a port that cannot be bound exits 2 with
 * one line naming {@code host:port}.
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description =
        "Run the ROS 1 bridge node: camera + joint states from ROS -> Mantis server -> safe "
            + "JointTrajectory on <controller>/command. SIGTERM and rosnode kill publish a hold before the node "
            + "leaves the graph; after rosnode kill the command exits 0.")
final class BridgeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BridgeCommand.class);

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(
        names = "--config",
        paramLabel = "YAML",
        required = true,
        description = "Bridge configuration (ros-bridge/bridge.example.yaml shows every key).")
    Path config;

    @Option(
        names = "--check-config",
        paramLabel = "YAML",
        required = true,
        description =
            "Validate a bridge configuration (TLS, token and tokens files, the ArmService's bind rule "
                + "included), print it resolved (defaults filled in) and exit.")
    Path checkConfig;
  }

  @Option(
      names = "--insecure",
      description =
          "Let the ArmService listen on an address other than loopback without TLS and tokens (a "
              + "flag only: no config key does this): anyone who can reach its port can move the arm and clear an e-stop. "
              + "Prints a warning.")
  boolean insecure;

  @Override
  public Integer call() throws Exception {
    Path file = mode.checkConfig != null ? mode.checkConfig : mode.config;
    BridgeConfig cfg;
    try {
      cfg = BridgeConfig.load(file);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println("mantis bridge: " + e.getMessage());
      return 2;
    }
    if (insecure) {
      cfg = cfg.withArmServiceInsecure();
    }
    Optional<ExposurePolicy.Decision> exposure;
    try {
      // --check-config reads the TLS files here; a run reads them in BridgeNode.start(), before
      // joining the graph.
      exposure = mode.checkConfig != null ? cfg.checkArmService() : cfg.armServiceExposure();
    } catch (IllegalArgumentException e) {
      System.err.println("mantis bridge: " + file + ": " + e.getMessage());
      return 2;
    }
    if (exposure.isPresent() && !exposure.get().allowed()) {
      System.err.println(
          "mantis bridge: "
              + file
              + ": arm_service: "
              + exposure.get().message()
              + ".\n"
              + "  For example, under arm_service: tls: {cert_chain: bridge.pem, private_key: bridge-key.pem} and "
              + "tokens_file: tokens.yaml (tokens from 'mantis token create --tokens-file tokens.yaml --name NAME "
              + "--role operator'), or host: 127.0.0.1");
      return 2;
    }
    if (exposure.isPresent() && exposure.get().mode() == ExposurePolicy.Mode.INSECURE) {
      insecureBanner(exposure.get(), cfg.armService().port()).forEach(System.err::println);
    }
    if (mode.checkConfig != null) {
      System.out.println("# " + file + ": OK");
      System.out.print(cfg.describe());
      exposure.ifPresent(d -> System.out.println("# ArmService: " + d.message()));
      return 0;
    }
    log.info("bridge configuration:\n{}", cfg.describe());
    BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
    // The hook publishes a hold before the node leaves the graph (BridgeNode.close()).
    Thread hook =
        new Thread(
            () -> bridge.close("the process is stopping (SIGTERM or SIGINT)"),
            "mantis-bridge-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      try {
        bridge.start();
      } catch (ArmServiceBindException e) {
        // One line naming host:port, before the node joined the graph; the cause is for the debug
        // log only.
        log.debug("ArmService bind failure", e);
        System.err.println("mantis bridge: " + e.getMessage());
        bridge.close("start failed: " + e.getMessage());
        return 2;
      } catch (IllegalStateException | IllegalArgumentException e) {
        System.err.println("mantis bridge: " + file + ": " + e.getMessage());
        bridge.close("start failed: " + e.getMessage());
        return 2;
      } catch (Exception e) {
        System.err.println("mantis bridge: cannot start: " + e);
        bridge.close("start failed");
        return 1;
      }
      System.out.println(
          "mantis bridge: node "
              + bridge.nodeName()
              + " on "
              + cfg.ros().masterUri()
              + ", server "
              + cfg.server().target()
              + ", trajectories to "
              + bridge.config().trajectoryTarget()
              + (bridge.armServicePort() > 0
                  ? ", ArmService on port " + bridge.armServicePort()
                  : ""));
      // Returns when a peer shut the node down (rosnode kill); SIGTERM ends the JVM through the
      // hook.
      String why = bridge.awaitShutdown();
      log.info("mantis bridge: stopped ({}); exiting", why);
      return 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyStopping) {
        // the hook is running or has run
      }
    }
  }

  /**
   * The warning printed when the ArmService serves a non-loopback address without TLS or tokens.
   */
  static List<String> insecureBanner(ExposurePolicy.Decision d, int port) {
    List<String> lines = new ArrayList<>();
    String bar = "!".repeat(78);
    lines.add(bar);
    lines.add(
        "!! WARNING: insecure: the bridge's ArmService on "
            + d.bind()
            + ":"
            + port
            + " is reachable from other machines");
    if (!d.tls()) {
      lines.add(
          "!! - WITHOUT TLS: anyone on the network can read and alter arm commands and joint states"
              + (d.tokens() ? " (and the tokens)" : ""));
    }
    if (!d.tokens()) {
      lines.add(
          "!! - WITHOUT TOKENS: anyone who can reach this port can move the arm and clear its e-stop (Reset)");
    }
    lines.add(
        "!! Use this only on an isolated network or with the port published on loopback only. To secure it,");
    lines.add(
        "!! add arm_service.tls and arm_service.tokens_file (docs/SECURITY.md), or bind 127.0.0.1.");
    lines.add(bar);
    return lines;
  }
}
