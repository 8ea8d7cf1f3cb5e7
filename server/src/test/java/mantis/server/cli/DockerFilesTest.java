package mantis.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mantis.ros.bridge.BridgeConfig;
import org.junit.jupiter.api.Test;

/** The docker/ files are not built in CI (no Docker engine); what can be checked here is. */
class DockerFilesTest {
  private static final Path DOCKER = Path.of("..", "docker");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  /** One published port of a compose service: the host address ("" for every interface) and the ports. */
  record Publish(String service, String hostIp, String published, String target, String as) {
    boolean loopback() {
      return LOOPBACK.contains(hostIp);
    }
  }

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

  /**
   * On 1d41b63 compose.yaml published the bridge's ArmService as {@code "50061:50061"}: on every
   * interface of the host, without TLS or tokens, so anyone on the network could Reset an e-stop.
   */
  @Test
  void theBridgesArmServiceIsPublishedOnTheHostsLoopbackOnly() throws Exception {
    BridgeConfig cfg = BridgeConfig.load(DOCKER.resolve("bridge.yaml"));
    assertTrue(cfg.armService().enabled(), "the compose bridge serves its ArmService");
    String port = String.valueOf(cfg.armService().port());
    List<Publish> arm = publishes(DOCKER.resolve("compose.yaml")).stream()
        .filter(p -> p.service().equals("bridge") && p.target().equals(port)).toList();
    assertFalse(arm.isEmpty(), "compose.yaml publishes the bridge's ArmService port " + port);
    for (Publish p : arm) {
      assertTrue(p.loopback(), "the bridge's ArmService (Reset clears an e-stop) is published on every interface of "
          + "the host: '" + p.as() + "'; publish it as \"127.0.0.1:" + p.published() + ":" + port + "\"");
    }
    boolean secured = cfg.armService().tls().isPresent() && !cfg.armService().tokens().isEmpty();
    assertTrue(secured || cfg.armService().insecure(), "a container listens on 0.0.0.0: the bridge needs TLS and "
        + "tokens there, or insecure: true with the port published on loopback");
  }

  @Test
  void noServiceOfTheComposeFileIsPublishedOnEveryInterface() throws Exception {
    for (Publish p : publishes(DOCKER.resolve("compose.yaml"))) {
      assertTrue(p.loopback(), p.service() + " publishes '" + p.as() + "' on every interface of the host; its "
          + "services have no authentication there (the server runs --insecure; ROS 1 has none)");
    }
  }

  @Test
  void thePortCheckCatchesEveryWayOfPublishingOnAllInterfaces() throws Exception {
    Path f = Files.createTempFile("compose", ".yaml");
    try {
      Files.writeString(f, """
          services:
            bridge:
              ports:
                - "50061:50061"
                - "0.0.0.0:50062:50061"
                - 50063
                - {target: 50061, published: 50064}
                - "127.0.0.1:50065:50061"
                - {target: 50061, published: 50066, host_ip: 127.0.0.1}
          """);
      List<Publish> ps = publishes(f);
      assertEquals(List.of(false, false, false, false, true, true), ps.stream().map(Publish::loopback).toList(),
          ps.toString());
      assertEquals(List.of("50061", "50061", "50063", "50061", "50061", "50061"),
          ps.stream().map(Publish::target).toList());
    } finally {
      Files.delete(f);
    }
  }

  /** Every {@code ports:} entry of every service, short syntax ({@code [ip:]host:container}) or long. */
  static List<Publish> publishes(Path compose) throws Exception {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(compose.toFile());
    List<Publish> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> svc : root.path("services").properties()) {
      for (JsonNode p : svc.getValue().path("ports")) {
        String name = svc.getKey();
        if (p.isObject()) {
          out.add(new Publish(name, p.path("host_ip").asText(""), p.path("published").asText(""),
              p.path("target").asText(), p.toString()));
          continue;
        }
        String s = p.asText().replaceAll("/(tcp|udp)$", "");
        String ip = "";
        int bracket = s.indexOf(']');
        if (s.startsWith("[") && bracket > 0) {
          ip = s.substring(0, bracket + 1);
          s = s.substring(bracket + 2);
        }
        String[] parts = s.split(":");
        if (parts.length == 3) {
          out.add(new Publish(name, parts[0], parts[1], parts[2], p.asText()));
        } else if (parts.length == 2) {
          out.add(new Publish(name, ip, parts[0], parts[1], p.asText()));
        } else if (parts.length == 1) {
          out.add(new Publish(name, ip, "", parts[0], p.asText()));
        } else {
          fail("cannot read the port entry '" + p.asText() + "' of " + name);
        }
      }
    }
    return out;
  }
}
