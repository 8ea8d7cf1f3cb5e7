package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import mantis.security.Role;
import mantis.security.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
  @TempDir Path dir;

  @Test
  void createPrintsTheTokenOnceAndStoresOnlyItsHashInAnOwnerOnlyFile() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    CliRun r =
        CliRun.of(
            "token",
            "create",
            "--name",
            "lab-arm-1",
            "--role",
            "operator",
            "--tokens-file",
            file.toString());
    assertEquals(0, r.code(), r.err());
    String token = r.out().strip();
    assertTrue(token.matches("mt_[A-Za-z0-9_-]{43}"), "stdout is the token alone: " + r.out());
    assertTrue(r.err().contains("shown only this once"), r.err());
    assertFalse(r.err().contains(token), "the token is printed once, on stdout");
    String text = Files.readString(file);
    assertFalse(text.contains(token));
    assertTrue(text.contains(TokenStore.sha256Hex(token)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(Role.OPERATOR, TokenStore.load(file).authenticate(token).orElseThrow().role());
  }

  @Test
  void aDuplicateNameOrABadRoleIsRefused() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    assertEquals(
        0,
        CliRun.of(
                "token",
                "create",
                "--name",
                "a",
                "--role",
                "viewer",
                "--tokens-file",
                file.toString())
            .code());
    String before = Files.readString(file);
    CliRun dup =
        CliRun.of(
            "token", "create", "--name", "a", "--role", "admin", "--tokens-file", file.toString());
    assertEquals(2, dup.code());
    assertTrue(dup.err().contains("already has a token named 'a'"), dup.err());
    assertEquals("", dup.out(), "no token printed for a refused entry");
    assertEquals(before, Files.readString(file));
    CliRun role = CliRun.of("token", "create", "--name", "b", "--role", "root");
    assertEquals(2, role.code());
    assertTrue(
        role.err().contains("role must be viewer, operator or admin, got 'root'"), role.err());
    assertEquals("", role.out());
  }

  @Test
  void withoutAFileCreatePrintsTheYamlEntryToPaste() {
    CliRun r = CliRun.of("token", "create", "--name", "dash", "--role", "admin");
    assertEquals(0, r.code());
    String token = r.out().strip();
    assertTrue(
        r.err()
            .contains(
                "  - name: dash\n    role: admin\n    sha256: " + TokenStore.sha256Hex(token)),
        r.err());
  }

  @Test
  void listShowsNamesRolesAndHashPrefixesOnly() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    String a =
        CliRun.of(
                "token",
                "create",
                "--name",
                "a",
                "--role",
                "viewer",
                "--tokens-file",
                file.toString())
            .out()
            .strip();
    CliRun.of(
        "token", "create", "--name", "b", "--role", "admin", "--tokens-file", file.toString());
    CliRun r = CliRun.of("token", "list", "--tokens-file", file.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("a ") && r.out().contains("viewer") && r.out().contains("admin"), r.out());
    assertTrue(r.out().contains(TokenStore.sha256Hex(a).substring(0, 12) + "..."), r.out());
    assertFalse(r.out().contains(TokenStore.sha256Hex(a)), "a prefix, not the whole hash");
    CliRun missing = CliRun.of("token", "list", "--tokens-file", dir.resolve("nope").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("no such file"), missing.err());
  }
}
