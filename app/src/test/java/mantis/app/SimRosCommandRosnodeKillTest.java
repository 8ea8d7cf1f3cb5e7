package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mantis.ros.peers.RequireRos;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code mantis sim-ros} as its own process in a real ROS graph, stopped with {@code rosnode kill}:
 * on 1d41b63 its node left the graph but the process kept waiting; now it logs who asked and exits
 * 0.
 */
@Tag("ros")
class SimRosCommandRosnodeKillTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void rosnodeKillMakesMantisSimRosLeaveTheGraphLogWhoAskedAndExitZero() throws Exception {
    RosInstallation ros = RequireRos.installation();
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros)) {
      core.start();
      String java = ProcessHandle.current().info().command().orElse("java");
      // The shipped logging config (INFO), not the tests' (WARN): the exit line is INFO.
      try (RosProcess sim =
          RosProcess.start(
              core.environment(),
              List.of(
                  java,
                  "-Xmx256m",
                  "-Dlogback.configurationFile="
                      + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  MantisCommand.class.getName(),
                  "sim-ros",
                  "--master",
                  core.uri().toString(),
                  "--node-name",
                  "mantis_sim",
                  "--ros-host",
                  "127.0.0.1",
                  "--width",
                  "64",
                  "--height",
                  "48",
                  "--rate-hz",
                  "5"))) {
        assertTrue(sim.awaitOutput("mantis sim-ros: node /mantis_sim", WAIT), sim.output());
        try (RosProcess kill =
            RosProcess.start(
                core.environment(),
                List.of(
                    ros.rostopic().resolveSibling("rosnode").toString(), "kill", "/mantis_sim"))) {
          assertEquals(0, kill.waitFor(WAIT), kill.output());
        }
        assertEquals(
            0, sim.waitFor(Duration.ofSeconds(15)), "mantis sim-ros exits 0:\n" + sim.output());
        assertTrue(
            sim.output()
                .contains(
                    "mantis sim-ros: stopped (shutdown requested by /rosnode (user request)); "
                        + "exiting"),
            sim.output());
        try (RosProcess list =
            RosProcess.start(
                core.environment(),
                List.of(ros.rostopic().resolveSibling("rosnode").toString(), "list"))) {
          list.waitFor(WAIT);
          assertFalse(
              list.output().contains("/mantis_sim"), "the node left the graph:\n" + list.output());
        }
      }
    }
  }
}
