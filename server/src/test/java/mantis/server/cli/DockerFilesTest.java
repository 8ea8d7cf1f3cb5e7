package mantis.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The docker/ files are not built in CI (no Docker engine); what can be checked here is. */
class DockerFilesTest {
  private static final Path DOCKER = Path.of("..", "docker");

  @Test
  void theComposeBridgeConfigIsAValidBridgeConfig() {
    CliRun run = CliRun.of("bridge", "--check-config", DOCKER.resolve("bridge.yaml").toString());
    assertEquals(0, run.code(), run.err() + run.out());
    assertTrue(run.out().contains("target: server:50051"), run.out());
  }

  @Test
  void theComposeFileRunsAMasterTheServerTheBridgeAndSimRosAgainstTheSameMaster() throws Exception {
    String compose = Files.readString(DOCKER.resolve("compose.yaml"));
    for (String s : new String[] {"image: ros:noetic-ros-core", "command: roscore",
        "dockerfile: docker/Dockerfile.server", "dockerfile: docker/Dockerfile.bridge",
        "ROS_MASTER_URI: http://rosmaster:11311", "./bridge.yaml:/etc/mantis/bridge.yaml",
        "\"sim-ros\", \"--master\", \"http://rosmaster:11311/\""}) {
      assertTrue(compose.contains(s), "compose.yaml lacks " + s);
    }
    String bridge = Files.readString(DOCKER.resolve("Dockerfile.bridge"));
    assertTrue(bridge.contains("CMD [\"bridge\", \"--config\", \"/etc/mantis/bridge.yaml\"]"), bridge);
  }
}
