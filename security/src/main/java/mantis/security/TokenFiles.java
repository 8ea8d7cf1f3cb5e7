package mantis.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Adds entries to a tokens file without losing what is in it (comments included). */
final class TokenFiles {
  static final String HEADER =
      "# Mantis bearer tokens: SHA-256 hashes only (the tokens themselves are shown once, by\n"
          + "# 'mantis token create', and never stored). Roles: viewer, operator, admin. See docs/SECURITY.md.\n";

  private TokenFiles() {}

  static void append(Path file, TokenEntry entry) throws IOException {
    boolean exists = Files.exists(file);
    String oldText = exists ? Files.readString(file, StandardCharsets.UTF_8) : "";
    List<TokenEntry> old = exists ? TokenStore.readEntries(file) : List.of();
    for (TokenEntry e : old) {
      if (e.name().equals(entry.name())) {
        throw new IllegalArgumentException(
            "tokens file "
                + file
                + " already has a token named '"
                + entry.name()
                + "' (role "
                + e.role().configName()
                + "); pick another name, or delete that entry first to replace it");
      }
      if (e.sha256Hex().equals(entry.sha256Hex())) {
        throw new IllegalArgumentException(
            "tokens file " + file + " already has this token, named '" + e.name() + "'");
      }
    }
    String newText;
    if (oldText.isBlank()) {
      newText = HEADER + "tokens:\n" + entry.toYaml();
    } else {
      newText = oldText + (oldText.endsWith("\n") ? "" : "\n") + entry.toYaml();
    }
    List<TokenEntry> expected = new ArrayList<>(old);
    expected.add(entry);
    List<TokenEntry> parsed;
    try {
      parsed = TokenStore.parseEntries(newText, "tokens file " + file);
    } catch (IllegalArgumentException e) {
      parsed = List.of();
    }
    if (!parsed.equals(expected)) {
      throw new IllegalArgumentException(
          "tokens file "
              + file
              + ": cannot add the entry at its end safely ('tokens:' "
              + "must be the file's last key, written as a block list); add it under 'tokens:' by hand:\n"
              + entry.toYaml());
    }
    Path tmp = OwnerOnlyFiles.tempNextTo(file);
    try {
      Files.writeString(tmp, newText, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
