package mantis.server.dashboard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;

/**
 * Who may call the API. On a loopback bind everyone on this machine may (no token); on any other
 * bind every {@code /api} request must carry the token, as {@code Authorization: Bearer T} or as the
 * cookie set by opening {@code /?token=T}. Tokens are compared in constant time.
 */
final class AccessPolicy {
  static final String COOKIE = "mantis_dashboard_token";

  private final boolean loopback;
  private final byte[] token;

  private AccessPolicy(boolean loopback, String token) {
    this.loopback = loopback;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The policy for a bind to {@code host}: {@code token} null on a non-loopback host generates one;
   * an empty token there is refused.
   */
  static AccessPolicy forHost(String host, String token) {
    boolean loopback = isLoopback(host);
    if (loopback) {
      return new AccessPolicy(true, token == null || token.isEmpty() ? null : token);
    }
    if (token == null) {
      token = generateToken();
    } else if (token.isBlank()) {
      throw new IllegalArgumentException("the dashboard is bound to " + host
          + ", which is not a loopback address: it needs a non-empty token (or none, to generate one)");
    }
    return new AccessPolicy(false, token);
  }

  static boolean isLoopback(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown dashboard host '" + host + "'", e);
    }
  }

  static String generateToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The value of this policy's cookie among {@code Cookie} header values, or null. */
  static String cookieValue(Enumeration<String> headers) {
    if (headers == null) {
      return null;
    }
    for (String header : Collections.list(headers)) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(COOKIE + "=")) {
          return p.substring(COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  /**
   * On a loopback bind, whether the request's {@code Host} header names this machine (localhost or a
   * loopback address): a page from elsewhere that re-points its own name at 127.0.0.1 (DNS rebinding)
   * sends its own name and is refused. Any host passes on a non-loopback bind, where the token rules.
   */
  boolean allowsHostHeader(String hostHeader) {
    if (!loopback) {
      return true;
    }
    if (hostHeader == null || hostHeader.isBlank()) {
      return false;
    }
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      h = end < 0 ? h : h.substring(1, end);
    } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
      h = h.substring(0, h.indexOf(':'));
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+|[0-9a-f:]+")) {
      return false;  // a name other than localhost: never resolved here
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Whether a token is needed at all (non-loopback bind). */
  boolean tokenRequired() {
    return !loopback;
  }

  /** The token, or null when none is set. */
  String token() {
    return token == null ? null : new String(token, StandardCharsets.UTF_8);
  }

  /**
   * Whether a request carrying {@code authorization} (header value, may be null) and
   * {@code cookie} (value, may be null) may use the API.
   */
  boolean allows(String authorization, String cookie) {
    if (loopback) {
      return true;
    }
    String presented = null;
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = authorization.substring(7).trim();
    } else if (cookie != null) {
      presented = cookie;
    }
    return matches(presented);
  }

  /** Constant-time comparison with the configured token (false when either is missing). */
  boolean matches(String presented) {
    if (presented == null || token == null) {
      return false;
    }
    return MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
  }
}
