package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mantis bridge --check-config}: the config checks that can run without ROS. */
class BridgeCommandTest {
  @TempDir Path dir;

  @Test
  void checkConfigPrintsTheResolvedExampleConfig() {
    CliRun run = CliRun.of("bridge", "--check-config", "../ros-bridge/bridge.example.yaml");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains(": OK"), run.out());
    assertTrue(
        run.out().contains("controller: /arm_controller   # publishes /arm_controller/command"),
        run.out());
    assertTrue(run.out().contains("joints: [shoulder_joint, elbow_joint, wrist_joint]"), run.out());
    assertTrue(run.out().contains("watchdog_timeout_ms: 100"), run.out());
  }

  @Test
  void checkConfigNamesAnUnknownKeyAndFails() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        topics:
          image: /cam
          controller: /arm_controller
          estp: /e
        robot:
          joints: [a, b, c]
        """);
    CliRun run = CliRun.of("bridge", "--check-config", bad.toString());
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown key 'topics.estp'"), run.err());
  }

  @Test
  void configAndCheckConfigAreExclusiveAndOneIsRequired() {
    assertEquals(2, CliRun.of("bridge").code());
    assertEquals(2, CliRun.of("bridge", "--config", "a.yaml", "--check-config", "b.yaml").code());
    CliRun missing = CliRun.of("bridge", "--config", dir.resolve("none.yaml").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("cannot read bridge config"), missing.err());
  }

  private Path config(String extra) throws Exception {
    Path f = dir.resolve("bridge.yaml");
    Files.writeString(
        f,
        """
        topics:
          image: /cam
          controller: /arm_controller
        robot:
          joints: [a, b, c]
        """
            + extra);
    return f;
  }

  @Test
  void checkConfigRefusesAnArmServiceOnEveryInterfaceWithoutTlsAndTokens() throws Exception {
    Path f = config("arm_service: {port: 50061, host: 0.0.0.0}\n");
    CliRun run = CliRun.of("bridge", "--check-config", f.toString());
    assertEquals(2, run.code(), run.out());
    assertTrue(
        run.err().contains("arm_service: refusing to listen on every network interface (0.0.0.0)"),
        run.err());
    assertTrue(run.err().contains("tokens_file"), run.err());
  }

  @Test
  void insecureLetsItStartWithALoudWarning() throws Exception {
    Path f = config("arm_service: {port: 50061, host: 0.0.0.0}\n");
    CliRun run = CliRun.of("bridge", "--insecure", "--check-config", f.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(
        run.err()
            .contains(
                "!! WARNING: insecure: the bridge's ArmService on 0.0.0.0:50061 is reachable"),
        run.err());
    assertTrue(
        run.err().contains("WITHOUT TOKENS: anyone who can reach this port can move the arm"),
        run.err());
    assertTrue(run.out().contains("insecure: true"), run.out());
    assertTrue(run.out().contains("# ArmService: INSECURE"), run.out());
  }

  @Test
  void anArmServicePortInUseExitsTwoWithOneLineNamingTheAddressAndNoStackTrace() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Path f =
          config(
              """
          ros: {master_uri: "http://127.0.0.1:1/", host: 127.0.0.1}
          server: {target: "127.0.0.1:1"}
          arm_service: {port: %d, host: 127.0.0.1}
          """
                  .formatted(port));
      CliRun run = CliRun.of("bridge", "--config", f.toString());
      assertEquals(2, run.code(), run.err());
      String expected =
          "mantis bridge: cannot bind the bridge's ArmService to 127.0.0.1:"
              + port
              + " (arm_service.host, arm_service.port): address already in use";
      assertTrue(run.err().lines().anyMatch(expected::equals), run.err());
      assertTrue(
          run.err().lines().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")),
          run.err());
    }
  }

  @Test
  void aConfigFileCannotMakeTheArmServiceInsecureOnlyTheFlagCan() throws Exception {
    Path f = config("arm_service: {port: 50061, host: 0.0.0.0, insecure: true}\n");
    CliRun run = CliRun.of("bridge", "--check-config", f.toString());
    assertEquals(2, run.code(), run.out());
    assertTrue(
        run.err().contains("arm_service.insecure: true is not accepted in a config file"),
        run.err());
  }

  @Test
  void checkConfigNamesAMissingTokenFileOrTlsFile() throws Exception {
    CliRun token =
        CliRun.of(
            "bridge", "--check-config", config("server: {token_file: bridge.token}\n").toString());
    assertEquals(2, token.code());
    assertTrue(
        token.err().contains("server.token_file: no such file " + dir.resolve("bridge.token")),
        token.err());
    CliRun ca =
        CliRun.of("bridge", "--check-config", config("server: {tls: {ca: ca.pem}}\n").toString());
    assertEquals(2, ca.code());
    assertTrue(ca.err().contains("server.tls.ca: no such file " + dir.resolve("ca.pem")), ca.err());
    CliRun armTls =
        CliRun.of(
            "bridge",
            "--check-config",
            config(
                    "arm_service: {port: 1, tls: {cert_chain: bridge.pem, private_key: bridge-key.pem}}\n")
                .toString());
    assertEquals(2, armTls.code());
    assertTrue(armTls.err().contains("arm_service.tls.cert_chain: no such file"), armTls.err());
  }
}
