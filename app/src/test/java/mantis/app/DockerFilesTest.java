package mantis.app;

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
import mantis.security.ExposurePolicy;
import org.junit.jupiter.api.Test;

/** The docker/ files are not built in CI (no Docker engine); what can be checked here is. */
class DockerFilesTest {
  private static final Path DOCKER = Path.of("..", "docker");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  /**
   * One published port of a compose service: the host address ("" for every interface) and the
   * ports.
   */
  record Publish(String service, String hostIp, String published, String target, String as) {
    boolean loopback() {
      return LOOPBACK.contains(hostIp);
    }
  }

  @Test
  void theComposeBridgeConfigIsValidAsComposeRunsItAndRefusedWithoutTheFlag() {
    CliRun run =
        CliRun.of(
            "bridge", "--insecure", "--check-config", DOCKER.resolve("bridge.yaml").toString());
    assertEquals(0, run.code(), run.err() + run.out());
    assertTrue(run.out().contains("target: server:50051"), run.out());
    CliRun plain = CliRun.of("bridge", "--check-config", DOCKER.resolve("bridge.yaml").toString());
    assertEquals(
        2,
        plain.code(),
        "the image's bundled config alone must not serve the ArmService openly: " + plain.out());
    assertTrue(
        plain.err().contains("refusing to listen on every network interface (0.0.0.0)"),
        plain.err());
  }

  /** The exec-form (JSON array) {@code CMD} and {@code ENTRYPOINT} of a Dockerfile, joined. */
  static List<String> command(Path dockerfile) throws Exception {
    List<String> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(dockerfile)) {
      String l = line.strip();
      if (l.startsWith("CMD ") || l.startsWith("ENTRYPOINT ")) {
        String args = l.substring(l.indexOf(' ') + 1).strip();
        assertTrue(args.startsWith("["), dockerfile + ": use the exec form (a JSON array): " + l);
        for (JsonNode a : json.readTree(args)) {
          out.add(a.asText());
        }
      }
    }
    return out;
  }

  /**
   * On 1d41b63 and after the first hardening round the server image's CMD ran {@code serve --host
   * 0.0.0.0 --insecure} and the bridge image bundled a config with {@code arm_service.insecure:
   * true}: a container started from either image outside the compose stack (e.g. {@code docker run
   * -p 50051:50051}) served the arm to anyone.
   */
  @Test
  void neitherImageIsInsecureByDefault() throws Exception {
    for (String image : List.of("Dockerfile.server", "Dockerfile.bridge")) {
      List<String> cmd = command(DOCKER.resolve(image));
      assertFalse(cmd.isEmpty(), image + " has a command");
      assertFalse(cmd.contains("--insecure"), image + " bakes --insecure into its command: " + cmd);
      for (int i = 0; i + 1 < cmd.size(); i++) {
        String flag = cmd.get(i);
        String value = cmd.get(i + 1);
        if (flag.equals("--metrics-host") || flag.equals("--dashboard-host")) {
          assertTrue(
              LOOPBACK.contains(value),
              image + ": " + flag + " " + value + " has no authentication there");
        }
        if (flag.equals("--host") && !LOOPBACK.contains(value)) {
          assertTrue(
              cmd.contains("--tls-cert")
                  && cmd.contains("--tls-key")
                  && cmd.contains("--tokens-file"),
              image + ": --host " + value + " without TLS and tokens: " + cmd);
        }
      }
    }
    String bridgeImage = Files.readString(DOCKER.resolve("Dockerfile.bridge"));
    List<String> copies =
        bridgeImage.lines().filter(l -> l.startsWith("COPY ") && l.endsWith(".yaml")).toList();
    assertEquals(1, copies.size(), "the bridge image bundles its config: " + copies);
    for (String line : copies) {
      Path bundled = Path.of("..", line.split("\\s+")[1]);
      BridgeConfig cfg = BridgeConfig.load(bundled);
      assertFalse(cfg.armService().insecure(), bundled + " is bundled in the bridge image");
      cfg.armServiceExposure()
          .ifPresent(
              d ->
                  assertTrue(
                      !d.allowed() || d.mode() != ExposurePolicy.Mode.INSECURE,
                      bundled
                          + " lets the bridge image serve its ArmService without TLS and tokens: "
                          + d.message()));
    }
  }

  /**
   * A service whose container runs {@code --insecure} says so in its own {@code command:} in
   * compose.yaml.
   */
  static boolean composeRunsInsecure(String service) throws Exception {
    JsonNode root =
        new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile());
    for (JsonNode a : root.path("services").path(service).path("command")) {
      if (a.asText().equals("--insecure")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void composeOptsInToInsecureExplicitlyAndPublishesThoseServicesOnLoopbackOnly() throws Exception {
    assertTrue(
        composeRunsInsecure("server"),
        "the compose server runs --insecure (the image alone does not)");
    assertTrue(
        composeRunsInsecure("bridge"),
        "the compose bridge runs --insecure (the image alone does not)");
    for (String service : List.of("server", "bridge")) {
      List<Publish> ps =
          publishes(DOCKER.resolve("compose.yaml")).stream()
              .filter(p -> p.service().equals(service))
              .toList();
      assertFalse(ps.isEmpty(), service + " publishes ports");
      ps.forEach(
          p -> assertTrue(p.loopback(), service + " runs --insecure and publishes " + p.as()));
    }
  }

  @Test
  void theComposeFileRunsAMasterTheServerTheBridgeAndSimRosAgainstTheSameMaster() throws Exception {
    String compose = Files.readString(DOCKER.resolve("compose.yaml"));
    for (String s :
        new String[] {
          "image: ros:noetic-ros-core",
          "command: roscore",
          "dockerfile: docker/Dockerfile.server",
          "dockerfile: docker/Dockerfile.bridge",
          "ROS_MASTER_URI: http://rosmaster:11311",
          "./bridge.yaml:/etc/mantis/bridge.yaml",
          "\"sim-ros\", \"--master\", \"http://rosmaster:11311/\""
        }) {
      assertTrue(compose.contains(s), "compose.yaml lacks " + s);
    }
    String bridge = Files.readString(DOCKER.resolve("Dockerfile.bridge"));
    assertTrue(
        bridge.contains("CMD [\"bridge\", \"--config\", \"/etc/mantis/bridge.yaml\"]"), bridge);
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
    List<Publish> arm =
        publishes(DOCKER.resolve("compose.yaml")).stream()
            .filter(p -> p.service().equals("bridge") && p.target().equals(port))
            .toList();
    assertFalse(arm.isEmpty(), "compose.yaml publishes the bridge's ArmService port " + port);
    for (Publish p : arm) {
      assertTrue(
          p.loopback(),
          "the bridge's ArmService (Reset clears an e-stop) is published on every interface of "
              + "the host: '"
              + p.as()
              + "'; publish it as \"127.0.0.1:"
              + p.published()
              + ":"
              + port
              + "\"");
    }
    boolean secured = cfg.armService().tls().isPresent() && !cfg.armService().tokens().isEmpty();
    assertTrue(
        secured || composeRunsInsecure("bridge"),
        "a container listens on 0.0.0.0: the bridge needs TLS and "
            + "tokens there, or --insecure with the port published on loopback");
  }

  @Test
  void noServiceOfTheComposeFileIsPublishedOnEveryInterface() throws Exception {
    for (Publish p : publishes(DOCKER.resolve("compose.yaml"))) {
      assertTrue(
          p.loopback(),
          p.service()
              + " publishes '"
              + p.as()
              + "' on every interface of the host; its "
              + "services have no authentication there (the server runs --insecure; ROS 1 has none)");
    }
  }

  @Test
  void thePortCheckCatchesEveryWayOfPublishingOnAllInterfaces() throws Exception {
    Path f = Files.createTempFile("compose", ".yaml");
    try {
      Files.writeString(
          f,
          """
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
      assertEquals(
          List.of(false, false, false, false, true, true),
          ps.stream().map(Publish::loopback).toList(),
          ps.toString());
      assertEquals(
          List.of("50061", "50061", "50063", "50061", "50061", "50061"),
          ps.stream().map(Publish::target).toList());
    } finally {
      Files.delete(f);
    }
  }

  /**
   * Every {@code ports:} entry of every service, short syntax ({@code [ip:]host:container}) or
   * long.
   */
  static List<Publish> publishes(Path compose) throws Exception {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(compose.toFile());
    List<Publish> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> svc : root.path("services").properties()) {
      for (JsonNode p : svc.getValue().path("ports")) {
        String name = svc.getKey();
        if (p.isObject()) {
          out.add(
              new Publish(
                  name,
                  p.path("host_ip").asText(""),
                  p.path("published").asText(""),
                  p.path("target").asText(),
                  p.toString()));
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
