package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mantis.security.ExposurePolicy;
import mantis.security.Role;
import mantis.security.TestCertificates;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code server:} TLS and token keys, the {@code arm_service:} security keys and {@code
 * bridge.audit_log}.
 */
class BridgeConfigSecurityTest {
  private static final String BASE =
      """
      topics:
        image: /cam
        controller: /arm_controller
      robot:
        joints: [j1, j2, j3]
      """;

  @TempDir Path dir;
  private TestCertificates certs;
  private String token;

  @BeforeEach
  void files() throws Exception {
    certs = TestCertificates.create(dir.resolve("tls"));
    token = TokenStore.newToken();
    Files.writeString(dir.resolve("bridge.token"), token + "\n");
  }

  private BridgeConfig parse(String yaml, Map<String, String> env) {
    return BridgeConfig.parse(BASE + yaml, "sec.yaml", dir, env);
  }

  private String error(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> parse(yaml, Map.of())).getMessage();
  }

  @Test
  void tlsFilesAndTheTokenFileResolveAgainstTheConfigFolderAndShowInTheDescription() {
    BridgeConfig c =
        parse(
            """
        server:
          target: mantis-server:50051
          tls: {ca: tls/mantis-test-ca-ca.pem, cert: tls/client.pem, key: tls/client-key.pem}
          token_file: bridge.token
        """,
            Map.of());
    assertEquals(
        dir.resolve("tls/mantis-test-ca-ca.pem"),
        c.server().security().tls().orElseThrow().trustCa().orElseThrow());
    assertTrue(c.server().security().tls().orElseThrow().clientCert().isPresent());
    assertTrue(c.server().security().token().isPresent());
    String d = c.describe();
    assertTrue(d.contains("client cert " + dir.resolve("tls/client.pem") + " (mTLS)"), d);
    assertTrue(
        d.contains(
            "token: file "
                + dir.resolve("bridge.token")
                + " (sha256 "
                + TokenStore.sha256Hex(token).substring(0, 12)
                + "...)"),
        d);
    assertFalse(d.contains(token), "the token itself is never shown");
  }

  @Test
  void withoutATokenFileTheTokenComesFromMantisToken() {
    BridgeConfig c = parse("server: {target: 127.0.0.1:50051}\n", Map.of("MANTIS_TOKEN", token));
    assertEquals(
        TokenStore.sha256Hex(token).substring(0, 12),
        c.server().security().token().orElseThrow().hashPrefix());
    assertTrue(c.describe().contains("token: $MANTIS_TOKEN"), c.describe());
    BridgeConfig none = parse("server: {target: 127.0.0.1:50051}\n", Map.of());
    assertTrue(none.server().security().token().isEmpty());
    assertTrue(none.server().security().tls().isEmpty());
    assertTrue(none.describe().contains("tls: off (plain text)"), none.describe());
  }

  @Test
  void aMissingOrBadFileIsAnErrorNamingTheKeyAndTheFile() throws Exception {
    String missingCa = error("server: {tls: {ca: nowhere/ca.pem}}\n");
    assertTrue(
        missingCa.startsWith("sec.yaml: server.tls.ca: no such file ")
            && missingCa.contains("nowhere/ca.pem"),
        missingCa);
    String missingToken = error("server: {token_file: absent.token}\n");
    assertTrue(
        missingToken.contains("server.token_file: no such file")
            && missingToken.contains("absent.token"),
        missingToken);
    Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    String garbage = error("server: {tls: {ca: garbage.pem}}\n");
    assertTrue(garbage.contains("server.tls: ") && garbage.contains("garbage.pem"), garbage);
    Files.writeString(dir.resolve("empty.token"), "\n");
    String empty = error("server: {token_file: empty.token}\n");
    assertTrue(
        empty.contains("server.token_file: ")
            && empty.contains("empty.token")
            && empty.contains("empty"),
        empty);
    String half = error("server: {tls: {ca: tls/mantis-test-ca-ca.pem, cert: tls/client.pem}}\n");
    assertTrue(half.contains("server.tls: 'cert' and 'key'"), half);
    String wrongKey =
        error(
            "server: {tls: {ca: tls/mantis-test-ca-ca.pem, cert: tls/client.pem, key: tls/server-key.pem}}\n");
    assertTrue(wrongKey.contains("server.tls: ") && wrongKey.contains("server-key.pem"), wrongKey);
    String unknown = error("server: {tls: {ca_file: x}}\n");
    assertTrue(unknown.contains("unknown key 'server.tls.ca_file'"), unknown);
  }

  @Test
  void aTokenInPlainTextToAHostOtherThanLoopbackIsRefusedUnlessInsecure() {
    String e = error("server: {target: 10.1.2.3:50051, token_file: bridge.token}\n");
    assertTrue(
        e.contains("server.tls is not set")
            && e.contains("'10.1.2.3' is not loopback")
            && e.contains("server.insecure: true"),
        e);
    BridgeConfig insecure =
        parse(
            "server: {target: 10.1.2.3:50051, token_file: bridge.token, insecure: true}\n",
            Map.of());
    assertTrue(insecure.server().insecure());
    assertTrue(
        parse("server: {target: localhost:50051, token_file: bridge.token}\n", Map.of())
            .server()
            .security()
            .token()
            .isPresent());
    assertTrue(
        parse(
                "server: {target: mantis:50051, token_file: bridge.token, tls: {ca: tls/mantis-test-ca-ca.pem}}\n",
                Map.of())
            .server()
            .security()
            .tls()
            .isPresent());
    assertTrue(
        parse("server: {target: 10.1.2.3:50051}\n", Map.of()).server().security().token().isEmpty(),
        "no token: nothing to leak");
  }

  @Test
  void theArmServiceTakesTlsTokensFromAFileAndInlineAndTheAuditLogPath() throws Exception {
    String viewer = TokenStore.newToken();
    TokenStore.append(
        dir.resolve("tokens.yaml"),
        TokenEntry.forToken("lab-admin", Role.ADMIN, TokenStore.newToken()));
    BridgeConfig c =
        parse(
            """
        arm_service:
          port: 50061
          host: 0.0.0.0
          tls: {cert_chain: tls/server.pem, private_key: tls/server-key.pem, client_ca: tls/mantis-test-ca-ca.pem}
          tokens_file: tokens.yaml
          tokens:
            - {name: lab-viewer, role: viewer, sha256: %s}
        bridge:
          audit_log: logs/audit.jsonl
        """
                .formatted(TokenStore.sha256Hex(viewer)),
            Map.of());
    assertEquals(2, c.armService().tokens().size());
    assertEquals("lab-viewer", c.armService().tokens().authenticate(viewer).orElseThrow().name());
    assertTrue(c.armService().tls().orElseThrow().mutual());
    assertEquals(dir.resolve("logs/audit.jsonl"), c.bridge().auditLog().orElseThrow());
    ExposurePolicy.Decision d = c.checkArmService().orElseThrow();
    assertEquals(ExposurePolicy.Mode.AUTHENTICATED, d.mode(), d.message());
    String desc = c.describe();
    assertTrue(
        desc.contains("tokens: 2 (1 listed, 1 from " + dir.resolve("tokens.yaml") + ")"), desc);
    assertTrue(desc.contains("audit_log: " + dir.resolve("logs/audit.jsonl")), desc);
  }

  @Test
  void theArmServiceFollowsTheServersBindRule() {
    assertTrue(parse("", Map.of()).checkArmService().isEmpty(), "disabled: nothing to check");
    assertEquals(
        ExposurePolicy.Mode.OPEN_LOOPBACK,
        parse("arm_service: {port: 50061}\n", Map.of()).checkArmService().orElseThrow().mode());
    BridgeConfig open = parse("arm_service: {port: 50061, host: 0.0.0.0}\n", Map.of());
    ExposurePolicy.Decision refused = open.checkArmService().orElseThrow();
    assertFalse(refused.allowed());
    assertTrue(
        refused.message().contains("refusing to listen on every network interface (0.0.0.0)"),
        refused.message());
    assertEquals(
        ExposurePolicy.Mode.INSECURE,
        open.withArmServiceInsecure().checkArmService().orElseThrow().mode());
    assertTrue(
        open.withArmServiceInsecure()
            .describe()
            .contains("insecure: true   # mantis bridge --insecure"),
        open.withArmServiceInsecure().describe());
    BridgeConfig tlsOnly =
        parse(
            """
        arm_service: {port: 50061, host: 0.0.0.0, tls: {cert_chain: tls/server.pem, private_key: tls/server-key.pem}}
        """,
            Map.of());
    assertTrue(
        tlsOnly.checkArmService().orElseThrow().message().contains("no tokens are configured"));
  }

  @Test
  void insecureIsACommandLineFlagOnlyAndAConfigFileSayingInsecureTrueIsRefused() throws Exception {
    String e = error("arm_service: {port: 50061, host: 0.0.0.0, insecure: true}\n");
    assertTrue(e.contains("arm_service.insecure: true is not accepted in a config file"), e);
    assertTrue(e.contains("--insecure"), e);
    BridgeConfig secureKey = parse("arm_service: {port: 50061, insecure: false}\n", Map.of());
    assertFalse(secureKey.armService().insecure(), "insecure: false is harmless and still read");
  }

  @Test
  void badArmServiceSecurityIsAnErrorNamingTheKey() throws Exception {
    assertTrue(
        error("arm_service: {tokens_file: none.yaml}\n")
            .contains("arm_service.tokens_file: no such file"));
    assertTrue(
        error("arm_service: {tokens: [{name: x, role: boss, sha256: " + "a".repeat(64) + "}]}\n")
            .contains("arm_service.tokens[0]: role must be viewer, operator or admin"));
    assertTrue(
        error("arm_service: {tokens: [{name: x, role: admin}]}\n")
            .contains("arm_service.tokens[0]: name, role and sha256 are required"));
    assertTrue(
        error("arm_service: {tls: {cert_chain: tls/server.pem}}\n")
            .contains("arm_service.tls needs both cert_chain and private_key"));
    assertTrue(
        error("arm_service: {tls: {cert_chain: tls/server.pem, private_key: nokey.pem}}\n")
            .contains("arm_service.tls.private_key: no such file"));
    Files.writeString(
        dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    BridgeConfig bad =
        parse(
            """
        arm_service: {port: 50061, tls: {cert_chain: bad.pem, private_key: tls/server-key.pem}}
        """,
            Map.of());
    String e = assertThrows(IllegalArgumentException.class, bad::checkArmService).getMessage();
    assertTrue(e.startsWith("arm_service.tls: ") && e.contains("bad.pem"), e);
  }
}
