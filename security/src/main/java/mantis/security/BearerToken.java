package mantis.security;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client side of token auth: gRPC call credentials that send {@code authorization: Bearer <token>}
 * on every call.
 *
 * <pre>{@code
 * BearerToken token = BearerToken.resolve(tokenFileOrNull, System.getenv()).orElseThrow();
 * PolicyServiceGrpc.newBlockingStub(channel).withCallCredentials(token).withDeadlineAfter(5, SECONDS).describe(req);
 * // or for every call of a channel: ClientSecurity (TLS + token) -> ChannelCredentials
 * }</pre>
 *
 * <p>By default the token is only sent over a connection with privacy and integrity (TLS, or
 * in-process) or to a loopback address ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}); to
 * any other host in plain text the call fails with {@code UNAUTHENTICATED} before anything is sent,
 * because anyone on the path could read the token. {@link #allowingPlaintext()} lifts that for
 * servers deliberately run with {@code --insecure}.
 *
 * <p>{@link #toString()} never shows the token.
 */
public final class BearerToken extends CallCredentials {
  private static final Logger log = LoggerFactory.getLogger(BearerToken.class);

  /** The environment variable {@link #fromEnvironment} reads. */
  public static final String ENV = "MANTIS_TOKEN";

  private final String token;
  private final boolean allowPlaintext;

  private BearerToken(String token, boolean allowPlaintext) {
    this.token = token;
    this.allowPlaintext = allowPlaintext;
  }

  /**
   * Credentials sending {@code token}.
   *
   * @throws IllegalArgumentException when it is empty or has spaces or characters gRPC metadata
   *     cannot carry
   */
  public static BearerToken of(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("bearer token is empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException(
            "bearer token has a space or a character outside printable ASCII at "
                + "position "
                + i
                + " (tokens from 'mantis token create' are mt_ and base64url)");
      }
    }
    return new BearerToken(token, false);
  }

  /**
   * The token in a file: its first non-blank line, trimmed. Warns when others than the owner may
   * read the file.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable, empty or holds
   *     no valid token
   */
  public static BearerToken fromFile(Path file) {
    String line = readSecretLine(file, "token file");
    try {
      return of(line);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("token file " + file + ": " + e.getMessage());
    }
  }

  /**
   * The first non-blank line of a file holding a secret (a token), trimmed. Warns when others than
   * the owner may read the file.
   *
   * @param what how error messages name the file, e.g. {@code "token file"} or an option's name
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or empty
   */
  public static String readSecretLine(Path file, String what) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(what + " " + file + ": permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          what + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    String line =
        text.lines()
            .map(String::trim)
            .filter(l -> !l.isEmpty())
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(what + " " + file + ": empty"));
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("{} {} can be read by other users; chmod 600 it", what, file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
    return line;
  }

  /** The token in the environment variable {@value #ENV}, if set and not blank. */
  public static Optional<BearerToken> fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static Optional<BearerToken> fromEnvironment(Map<String, String> env) {
    String v = env.get(ENV);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(of(v.trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV + ": " + e.getMessage());
    }
  }

  /**
   * The token a client should send: from {@code file} when given, else from {@value #ENV} in {@code
   * env}, else none.
   *
   * @throws IllegalArgumentException when the file (or the variable) is given but unusable
   */
  public static Optional<BearerToken> resolve(Path file, Map<String, String> env) {
    if (file != null) {
      return Optional.of(fromFile(file));
    }
    return fromEnvironment(env);
  }

  /**
   * A copy that also sends the token in plain text to non-loopback hosts (servers run with
   * --insecure).
   */
  public BearerToken allowingPlaintext() {
    return new BearerToken(token, true);
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo info, Executor appExecutor, MetadataApplier applier) {
    if (!allowPlaintext
        && info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY
        && !isLoopbackAuthority(info.getAuthority())) {
      applier.fail(
          Status.UNAUTHENTICATED.withDescription(
              "refusing to send the bearer token in plain text to "
                  + info.getAuthority()
                  + ": connect with TLS (--tls-ca), or allow plain text for a server run with "
                  + "--insecure"));
      return;
    }
    Metadata m = new Metadata();
    m.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    applier.apply(m);
  }

  /** True for {@code localhost}, {@code 127.x.x.x} and {@code ::1} authorities (no name lookup). */
  static boolean isLoopbackAuthority(String authority) {
    if (authority == null) {
      return false;
    }
    String host = authority;
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end < 0 ? host : host.substring(1, end);
    } else {
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && host.indexOf(':') == colon) {
        host = host.substring(0, colon);
      }
    }
    return host.equalsIgnoreCase("localhost")
        || host.equals("::1")
        || host.equals("0:0:0:0:0:0:0:1")
        || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** The SHA-256 prefix of the token, to match it against a server's token list. */
  public String hashPrefix() {
    return TokenStore.sha256Hex(token).substring(0, 12);
  }

  @Override
  public String toString() {
    return "BearerToken[sha256=" + hashPrefix() + "...]";
  }
}
