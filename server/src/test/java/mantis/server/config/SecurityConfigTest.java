package mantis.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import mantis.security.Role;
import mantis.security.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code security:} section of the server's YAML configuration. */
class SecurityConfigTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path p = dir.resolve("mantis.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void withoutASecuritySectionThereIsNoTlsNoTokenAndNoAuditLog() {
    MantisConfig.SecurityConfig s = MantisConfig.defaults().security();
    assertEquals(MantisConfig.SecurityConfig.NONE, s);
    assertTrue(s.tls().isEmpty());
    assertTrue(s.tokens().isEmpty());
  }

  @Test
  void theSectionReadsTlsFilesTokensATokensFileAndTheAuditLog() throws Exception {
    String hash = TokenStore.sha256Hex("t");
    MantisConfig c =
        MantisConfig.load(
            write(
                "port: 6000\nsecurity:\n"
                    + "  tls:\n    cert_chain: /etc/mantis/server.pem\n    private_key: /etc/mantis/server-key.pem\n"
                    + "    client_ca: /etc/mantis/ca.pem\n"
                    + "  tokens:\n    - {name: lab-arm, role: operator, sha256: "
                    + hash
                    + "}\n"
                    + "  tokens_file: /etc/mantis/tokens.yaml\n  audit_log: /var/log/mantis/audit.jsonl\n"));
    MantisConfig.SecurityConfig s = c.security();
    assertEquals(Optional.of(Path.of("/etc/mantis/server.pem")), s.tlsCertChain());
    assertTrue(s.tls().orElseThrow().mutual());
    assertEquals(Role.OPERATOR, s.tokens().get(0).role());
    assertEquals(Optional.of(Path.of("/etc/mantis/tokens.yaml")), s.tokensFile());
    assertEquals(Optional.of(Path.of("/var/log/mantis/audit.jsonl")), s.auditLog());
    assertEquals(6000, c.port());
    assertEquals(s, c.withPort(7000).withHost("0.0.0.0").security(), "copies keep the section");
    assertTrue(c.toString().contains("tokens=1"), c.toString());
    assertFalse(c.toString().contains(hash), "the log line names tokens by count only");
  }

  @Test
  void mistakesInTheSectionNameTheKeyOrTheEntry() throws Exception {
    IllegalArgumentException insecure =
        assertThrows(
            IllegalArgumentException.class,
            () -> MantisConfig.load(write("security:\n  insecure: true\n")));
    assertTrue(
        insecure.getMessage().contains("unknown key 'insecure'"),
        "--insecure is a flag only: " + insecure.getMessage());
    IllegalArgumentException half =
        assertThrows(
            IllegalArgumentException.class,
            () -> MantisConfig.load(write("security:\n  tls:\n    cert_chain: a.pem\n")));
    assertTrue(
        half.getMessage().contains("needs both cert_chain and private_key"), half.getMessage());
    IllegalArgumentException ca =
        assertThrows(
            IllegalArgumentException.class,
            () -> MantisConfig.load(write("security:\n  tls:\n    client_ca: ca.pem\n")));
    assertTrue(ca.getMessage().contains("client_ca"), ca.getMessage());
    IllegalArgumentException role =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MantisConfig.load(
                    write(
                        "security:\n  tokens:\n    - {name: a, role: god, sha256: "
                            + TokenStore.sha256Hex("x")
                            + "}\n")));
    assertTrue(
        role.getMessage()
            .contains("security.tokens entry 1: role must be viewer, operator or admin"),
        role.getMessage());
    IllegalArgumentException plain =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MantisConfig.load(
                    write(
                        "security:\n  tokens:\n    - {name: a, role: admin, sha256: mt_plaintexttoken}\n")));
    assertTrue(plain.getMessage().contains("sha256 must be 64 hex digits"), plain.getMessage());
    assertFalse(plain.getMessage().contains("mt_plaintexttoken"));
    IllegalArgumentException dup =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                MantisConfig.load(
                    write(
                        "security:\n  tokens:\n    - {name: a, role: admin, sha256: "
                            + TokenStore.sha256Hex("x")
                            + "}\n"
                            + "    - {name: a, role: viewer, sha256: "
                            + TokenStore.sha256Hex("y")
                            + "}\n")));
    assertTrue(dup.getMessage().contains("'a' is configured twice"), dup.getMessage());
  }
}
