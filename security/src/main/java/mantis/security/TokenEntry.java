package mantis.security;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configured bearer token: its name (who holds it), its role, and the SHA-256 of the token,
 * never the token.
 *
 * <p>In YAML: {@code {name: lab-arm-1, role: operator, sha256: 3f1a...}} (64 hex digits).
 *
 * @param name who holds the token: 1 to 64 of {@code A-Z a-z 0-9 . _ @ -}, starting with a letter
 *     or digit
 * @param role what the holder may do
 * @param sha256Hex SHA-256 of the token's UTF-8 bytes, 64 hex digits (stored lower case)
 */
public record TokenEntry(String name, Role role, String sha256Hex) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public TokenEntry {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "token name must be 1..64 of A-Z a-z 0-9 . _ @ - starting with a letter "
              + "or digit, got '"
              + name
              + "'");
    }
    Objects.requireNonNull(
        role, () -> "token " + name + ": role is required (viewer, operator or admin)");
    sha256Hex = sha256Hex == null ? null : sha256Hex.trim().toLowerCase(Locale.ROOT);
    if (sha256Hex == null || !HEX.matcher(sha256Hex).matches()) {
      throw new IllegalArgumentException(
          "token "
              + name
              + ": sha256 must be 64 hex digits (the SHA-256 of the "
              + "token, as 'mantis token create' prints it), got "
              + (sha256Hex == null ? "nothing" : sha256Hex.length() + " characters"));
    }
  }

  /** An entry for a plain-text token: hashes it; the token itself is not kept. */
  public static TokenEntry forToken(String name, Role role, String token) {
    return new TokenEntry(name, role, TokenStore.sha256Hex(token));
  }

  /** The first 12 hex digits of the hash: enough to tell entries apart in a listing. */
  public String hashPrefix() {
    return sha256Hex.substring(0, 12);
  }

  /** The entry as one YAML list item, as it goes under {@code tokens:}. */
  public String toYaml() {
    return "  - name: "
        + name
        + "\n    role: "
        + role.configName()
        + "\n    sha256: "
        + sha256Hex
        + "\n";
  }

  @Override
  public String toString() {
    return "TokenEntry[name="
        + name
        + ", role="
        + role.configName()
        + ", sha256="
        + hashPrefix()
        + "...]";
  }
}
