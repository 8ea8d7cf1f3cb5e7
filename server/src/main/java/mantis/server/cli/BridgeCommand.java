package mantis.server.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import mantis.ros.bridge.BridgeConfig;
import mantis.ros.bridge.BridgeNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mantis bridge}: the ROS 1 bridge node (see {@code ros-bridge/README.md}), until stopped; or,
 * with {@code --check-config}, only validate a configuration and print it resolved. It stops on
 * SIGTERM/SIGINT and on {@code rosnode kill} (the slave API's {@code shutdown}); either way the arm
 * is told to hold before the node leaves the graph. After {@code rosnode kill} the command logs who
 * asked and exits 0.
 */
@Command(name = "bridge", mixinStandardHelpOptions = true,
    description = "Run the ROS 1 bridge node: camera + joint states from ROS -> Mantis server -> safe "
        + "JointTrajectory on <controller>/command. SIGTERM and rosnode kill publish a hold before the node "
        + "leaves the graph; after rosnode kill the command exits 0.")
final class BridgeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BridgeCommand.class);

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(names = "--config", paramLabel = "YAML", required = true,
        description = "Bridge configuration (ros-bridge/bridge.example.yaml shows every key).")
    Path config;

    @Option(names = "--check-config", paramLabel = "YAML", required = true,
        description = "Validate a bridge configuration, print it resolved (defaults filled in) and exit.")
    Path checkConfig;
  }

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
    if (mode.checkConfig != null) {
      System.out.println("# " + file + ": OK");
      System.out.print(cfg.describe());
      return 0;
    }
    log.info("bridge configuration:\n{}", cfg.describe());
    BridgeNode bridge = BridgeNode.builder().setConfig(cfg).build();
    // The hook publishes a hold before the node leaves the graph (BridgeNode.close()).
    Thread hook = new Thread(() -> bridge.close("the process is stopping (SIGTERM or SIGINT)"),
        "mantis-bridge-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      try {
        bridge.start();
      } catch (Exception e) {
        System.err.println("mantis bridge: cannot start: " + e);
        bridge.close("start failed");
        return 1;
      }
      System.out.println("mantis bridge: node " + bridge.nodeName() + " on " + cfg.ros().masterUri() + ", server "
          + cfg.server().target() + ", trajectories on " + cfg.topics().command()
          + (bridge.armServicePort() > 0 ? ", ArmService on port " + bridge.armServicePort() : ""));
      // Returns when a peer shut the node down (rosnode kill); SIGTERM ends the JVM through the hook.
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
}
