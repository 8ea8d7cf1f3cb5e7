package mantis.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir Path dir;

  @Test
  void newTokensAreMtPlus43Base64UrlCharactersAndNeverRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String t = TokenStore.newToken();
      assertTrue(t.matches("mt_[A-Za-z0-9_-]{43}"), t);
      assertTrue(seen.add(t));
    }
  }

  @Test
  void theHashIsSha256OfTheUtf8Bytes() {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        TokenStore.sha256Hex("abc"));
  }

  @Test
  void authenticateFindsTheEntryOfAKnownTokenAndNothingElse() {
    String a = TokenStore.newToken();
    String b = TokenStore.newToken();
    TokenStore store =
        TokenStore.of(
            List.of(
                TokenEntry.forToken("a", Role.VIEWER, a), TokenEntry.forToken("b", Role.ADMIN, b)));
    assertEquals("a", store.authenticate(a).orElseThrow().name());
    assertEquals(Role.ADMIN, store.authenticate(b).orElseThrow().role());
    assertEquals(Optional.empty(), store.authenticate(TokenStore.newToken()));
    assertEquals(Optional.empty(), store.authenticate(a + "x"));
    assertEquals(Optional.empty(), store.authenticate(""));
    assertEquals(Optional.empty(), store.authenticate(null));
    assertEquals(
        Optional.empty(), store.authenticate(TokenStore.sha256Hex(a)), "the hash is not the token");
    assertEquals(Optional.empty(), TokenStore.empty().authenticate(a));
  }

  @Test
  void entriesAreValidatedAndKeepNoPlainToken() {
    String t = TokenStore.newToken();
    TokenEntry e = TokenEntry.forToken("arm-1", Role.OPERATOR, t);
    assertFalse(e.toString().contains(t));
    assertFalse(e.toYaml().contains(t));
    assertEquals(
        e.sha256Hex(),
        new TokenEntry("arm-1", Role.OPERATOR, e.sha256Hex().toUpperCase()).sha256Hex());
    assertThrows(
        IllegalArgumentException.class, () -> new TokenEntry("", Role.VIEWER, e.sha256Hex()));
    assertThrows(
        IllegalArgumentException.class, () -> new TokenEntry("a b", Role.VIEWER, e.sha256Hex()));
    assertThrows(
        IllegalArgumentException.class, () -> new TokenEntry("-x", Role.VIEWER, e.sha256Hex()));
    assertThrows(NullPointerException.class, () -> new TokenEntry("x", null, e.sha256Hex()));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> new TokenEntry("x", Role.VIEWER, t));
    assertTrue(bad.getMessage().contains("sha256 must be 64 hex digits"), bad.getMessage());
    assertFalse(
        bad.getMessage().contains(t), "a token pasted as a hash must not end up in the message");
  }

  @Test
  void duplicateNamesOrTokensAreRefused() {
    String t = TokenStore.newToken();
    IllegalArgumentException names =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TokenStore.of(
                    List.of(
                        TokenEntry.forToken("a", Role.VIEWER, t),
                        TokenEntry.forToken("a", Role.ADMIN, TokenStore.newToken()))));
    assertTrue(names.getMessage().contains("'a' is configured twice"), names.getMessage());
    IllegalArgumentException same =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TokenStore.of(
                    List.of(
                        TokenEntry.forToken("a", Role.VIEWER, t),
                        TokenEntry.forToken("b", Role.ADMIN, t))));
    assertTrue(same.getMessage().contains("same hash"), same.getMessage());
  }

  @Test
  void aTokensFileIsReadWithRolesInAnyCase() throws Exception {
    String t = TokenStore.newToken();
    Path f = dir.resolve("tokens.yaml");
    Files.writeString(
        f,
        "# comment\ntokens:\n  - name: arm-1\n    role: Operator\n    sha256: "
            + TokenStore.sha256Hex(t)
            + "\n  - {name: viewer, role: viewer, sha256: "
            + TokenStore.sha256Hex("x")
            + "}\n");
    TokenStore s = TokenStore.load(f);
    assertEquals(2, s.size());
    assertEquals(Role.OPERATOR, s.authenticate(t).orElseThrow().role());
    Files.writeString(f, "");
    assertTrue(TokenStore.load(f).isEmpty());
  }

  @Test
  void tokensFileErrorsNameTheFileAndTheEntry() throws Exception {
    Path f = dir.resolve("t.yaml");
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    assertEquals("tokens file " + f + ": no such file", missing.getMessage());
    Files.writeString(
        f, "tokens:\n  - name: a\n    role: root\n    sha256: " + TokenStore.sha256Hex("x") + "\n");
    IllegalArgumentException role =
        assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    assertEquals(
        "tokens file " + f + ", entry 1: role must be viewer, operator or admin, got 'root'",
        role.getMessage());
    Files.writeString(
        f,
        "tokens:\n  - name: a\n    role: admin\n    sha256: "
            + TokenStore.sha256Hex("x")
            + "\n    token: mt_plain\n");
    IllegalArgumentException key =
        assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    assertTrue(
        key.getMessage().startsWith("tokens file " + f + ": unknown key 'token'"),
        key.getMessage());
    assertFalse(key.getMessage().contains("mt_plain"));
    Files.writeString(f, "tokens:\n  - name: a\n    role: admin\n");
    IllegalArgumentException hash =
        assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f));
    assertTrue(
        hash.getMessage().contains("entry 1: token a: sha256 must be 64 hex digits"),
        hash.getMessage());
    Files.writeString(f, "tokens: [unclosed\n");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> TokenStore.load(f))
            .getMessage()
            .startsWith("tokens file " + f + ": "));
  }

  @Test
  void appendCreatesAnOwnerOnlyFileAddsEntriesAndKeepsComments() throws Exception {
    Path f = dir.resolve("sub/tokens.yaml");
    String a = TokenStore.newToken();
    String b = TokenStore.newToken();
    TokenStore.append(f, TokenEntry.forToken("a", Role.OPERATOR, a));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    Files.writeString(f, Files.readString(f) + "  # a's token is on the lab laptop\n");
    TokenStore.append(f, TokenEntry.forToken("b", Role.ADMIN, b));
    String text = Files.readString(f);
    assertTrue(text.contains("# a's token is on the lab laptop"), text);
    assertFalse(text.contains(a) || text.contains(b), "no plain token in the file");
    TokenStore s = TokenStore.load(f);
    assertEquals(List.of("a", "b"), s.entries().stream().map(TokenEntry::name).toList());
    assertEquals("b", s.authenticate(b).orElseThrow().name());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
  }

  @Test
  void appendRefusesADuplicateNameOrAFileItCannotExtendSafely() throws Exception {
    Path f = dir.resolve("tokens.yaml");
    TokenStore.append(f, TokenEntry.forToken("a", Role.OPERATOR, TokenStore.newToken()));
    String before = Files.readString(f);
    IllegalArgumentException dup =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TokenStore.append(f, TokenEntry.forToken("a", Role.ADMIN, TokenStore.newToken())));
    assertTrue(dup.getMessage().contains("already has a token named 'a'"), dup.getMessage());
    assertEquals(before, Files.readString(f), "unchanged");

    Path flow = dir.resolve("flow.yaml");
    Files.writeString(
        flow, "tokens: [{name: x, role: viewer, sha256: " + TokenStore.sha256Hex("x") + "}]\n");
    IllegalArgumentException unsafe =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TokenStore.append(
                    flow, TokenEntry.forToken("y", Role.ADMIN, TokenStore.newToken())));
    assertTrue(unsafe.getMessage().contains("add it under 'tokens:' by hand"), unsafe.getMessage());
    assertEquals(1, TokenStore.load(flow).size(), "unchanged");
  }

  @Test
  void aStoreCombinesConfigEntriesWithAFile() {
    TokenStore s =
        TokenStore.of(List.of(TokenEntry.forToken("a", Role.VIEWER, "1")))
            .with(List.of(TokenEntry.forToken("b", Role.VIEWER, "2")));
    assertEquals(2, s.size());
    assertNotEquals(s.entries().get(0).sha256Hex(), s.entries().get(1).sha256Hex());
    assertThrows(
        IllegalArgumentException.class,
        () -> s.with(List.of(TokenEntry.forToken("a", Role.ADMIN, "3"))));
  }
}
