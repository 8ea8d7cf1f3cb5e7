package mantis.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer tokens a server accepts, each with a name and a {@link Role}. Only SHA-256 hashes are
 * kept; a presented token is hashed and compared to every entry with {@link MessageDigest#isEqual}
 * (constant time).
 *
 * <p>Why plain SHA-256 and not a salted, slow password hash: tokens made by {@link #newToken()}
 * carry 256 random bits from {@link SecureRandom}. Guessing one from its hash means searching 2^256
 * values, which no salt or key stretching would make harder in any way that matters; a slow hash
 * would only slow down every authenticated call. (Tokens chosen by people, which could be guessed,
 * should not be used: always make them with {@code mantis token create}.)
 *
 * <p>Tokens come from a YAML file ({@link #load(Path)}):
 *
 * <pre>
 * tokens:
 *   - name: lab-arm-1
 *     role: operator
 *     sha256: 9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab
 * </pre>
 *
 * <p>or from a server's configuration ({@link #of(List)}). Immutable and thread-safe.
 */
public final class TokenStore {
  /**
   * Every generated token starts with this, so a leaked one is easy to recognise (in logs, in
   * secret scanners).
   */
  public static final String TOKEN_PREFIX = "mt_";

  private static final int TOKEN_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TokenStore EMPTY = new TokenStore(List.of());

  private final List<TokenEntry> entries;
  private final byte[][] hashes;

  private TokenStore(List<TokenEntry> entries) {
    this.entries = List.copyOf(entries);
    this.hashes = new byte[entries.size()][];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = hexToBytes(entries.get(i).sha256Hex());
    }
  }

  /** No tokens: every presented token is unknown. */
  public static TokenStore empty() {
    return EMPTY;
  }

  /**
   * A store of these entries.
   *
   * @throws IllegalArgumentException when two entries share a name or a hash (the same token twice)
   */
  public static TokenStore of(List<TokenEntry> entries) {
    Set<String> names = new HashSet<>();
    Map<String, String> byHash = new HashMap<>();
    for (TokenEntry e : entries) {
      if (!names.add(e.name())) {
        throw new IllegalArgumentException(
            "token name '" + e.name() + "' is configured twice; names must be unique");
      }
      String other = byHash.putIfAbsent(e.sha256Hex(), e.name());
      if (other != null) {
        throw new IllegalArgumentException(
            "tokens '"
                + other
                + "' and '"
                + e.name()
                + "' have the same hash (the same token); give each holder a token of its own");
      }
    }
    return entries.isEmpty() ? EMPTY : new TokenStore(entries);
  }

  /** This store's entries and {@code more}'s, checked like {@link #of(List)}. */
  public TokenStore with(List<TokenEntry> more) {
    List<TokenEntry> all = new ArrayList<>(entries);
    all.addAll(more);
    return of(all);
  }

  /**
   * Reads a tokens file ({@code tokens: [{name, role, sha256}]}); an empty file has no tokens.
   *
   * @throws IllegalArgumentException naming the file (and the entry) when it is missing, unreadable
   *     or invalid
   */
  public static TokenStore load(Path file) {
    List<TokenEntry> entries = readEntries(file);
    try {
      return of(entries);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tokens file " + file + ": " + e.getMessage());
    }
  }

  /** The entries of a tokens file, in file order; see {@link #load(Path)}. */
  static List<TokenEntry> readEntries(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("tokens file " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("tokens file " + file + ": permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "tokens file " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    return parseEntries(text, "tokens file " + file);
  }

  /** The entries of a tokens file's text; {@code source} starts every error message. */
  static List<TokenEntry> parseEntries(String text, String source) {
    if (text.isBlank()) {
      return List.of();
    }
    RawFile raw;
    try {
      raw = yaml().readValue(text, RawFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          source
              + ": unknown key '"
              + e.getPropertyName()
              + "'; a tokens file has 'tokens:', a list of {name, role, sha256}");
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException(source + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid YAML (" + e.getMessage() + ")");
    }
    List<TokenEntry> out = new ArrayList<>();
    if (raw == null || raw.tokens == null) {
      return out;
    }
    for (int i = 0; i < raw.tokens.size(); i++) {
      RawToken t = raw.tokens.get(i);
      try {
        if (t == null) {
          throw new IllegalArgumentException("empty entry");
        }
        out.add(t.toEntry());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ", entry " + (i + 1) + ": " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * Adds {@code entry} to a tokens file, creating it (owner read/write only, where the file system
   * allows) when it does not exist. The new file content is checked to parse to the old entries
   * plus the new one before it replaces the old file, atomically.
   *
   * @throws IllegalArgumentException when the name or the token is already in the file, or the file
   *     is invalid
   * @throws IOException when the file cannot be written
   */
  public static void append(Path file, TokenEntry entry) throws IOException {
    TokenFiles.append(file, entry);
  }

  /**
   * The entry whose token this is, or empty when it is unknown (or null or blank). Hashes {@code
   * presented} and compares it to every entry in constant time, so the time taken says nothing
   * about which entry, if any, matched.
   */
  public Optional<TokenEntry> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] h = sha256(presented);
    TokenEntry found = null;
    for (int i = 0; i < hashes.length; i++) {
      if (MessageDigest.isEqual(h, hashes[i]) && found == null) {
        found = entries.get(i);
      }
    }
    return Optional.ofNullable(found);
  }

  /** The entries, in the order given. */
  public List<TokenEntry> entries() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public int size() {
    return entries.size();
  }

  /**
   * A new random token: {@value #TOKEN_PREFIX} followed by 32 {@link SecureRandom} bytes in
   * unpadded base64url (46 characters in all).
   */
  public static String newToken() {
    byte[] b = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(b);
    return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** SHA-256 of the token's UTF-8 bytes, 64 lower-case hex digits. */
  public static String sha256Hex(String token) {
    byte[] h = sha256(token);
    StringBuilder sb = new StringBuilder(64);
    for (byte x : h) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static byte[] hexToBytes(String hex) {
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
    }
    return out;
  }

  static ObjectMapper yaml() {
    return new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  @Override
  public String toString() {
    return "TokenStore[" + entries.size() + " token(s)]";
  }

  /** The YAML shape of a tokens file. */
  static final class RawFile {
    @JsonProperty("tokens")
    List<RawToken> tokens;
  }

  /** One YAML token entry; shared with the server's configuration section. */
  static final class RawToken {
    @JsonProperty("name")
    String name;

    @JsonProperty("role")
    String role;

    @JsonProperty("sha256")
    String sha256;

    TokenEntry toEntry() {
      if (role == null) {
        throw new IllegalArgumentException(
            "token " + name + ": role is required (viewer, operator or admin)");
      }
      return new TokenEntry(name, Role.parse(role), sha256);
    }
  }
}
