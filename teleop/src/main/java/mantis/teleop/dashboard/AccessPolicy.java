package mantis.teleop.dashboard;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may reach the dashboard, by which name, and with which token.
 *
 * <p><b>Host names</b> (against DNS rebinding: a page elsewhere that re-points its own name at this
 * machine still sends its own name in {@code Host}). Every request's {@code Host} must name this
 * dashboard: {@code localhost} or a loopback address always; on a non-loopback bind also the bound
 * address (or the name it was given as), any address of this machine's interfaces, and this
 * machine's host name; on any bind the names given with {@code --dashboard-allowed-hosts}. Names
 * are compared as text and never resolved here (resolving is what the attacker controls); the port
 * is not compared (a rebinding page uses the dashboard's own port anyway).
 *
 * <p><b>Token</b>: the dashboard is <em>open</em> (no login) only as a plain local dashboard: bound
 * to a loopback address, without the server's role tokens, without a {@code --dashboard-token}, and
 * with no {@code --dashboard-allowed-hosts} name other than loopback ones. Naming another host
 * there means a reverse proxy (or a port forward) makes the dashboard reachable from other
 * machines, so it then needs a login like an off-loopback bind (a token is generated when none is
 * given), and a token given on loopback is always checked. Every {@code /api} request of a
 * dashboard that is not open needs the token as {@code Authorization: Bearer T} or the session
 * cookie set by logging in with it ({@link LoginSessions}). Tokens are compared in constant time; a
 * given token must be at least {@value #MIN_TOKEN_CHARS} characters. With the server's role tokens
 * ({@code roleTokens}: {@code --tokens-file}, {@code security.tokens}) there is no single token
 * here: a login is needed on every bind, loopback included, and the dashboard checks the presented
 * token against the server's {@code TokenStore}.
 *
 * <p><b>Origin</b>: a state-changing request that carries an {@code Origin} must come from this
 * dashboard's own origin (same host and port as its {@code Host}) or from a name given with {@code
 * --dashboard-allowed-hosts}.
 */
final class AccessPolicy {
  /** The session cookie set by {@code POST /login}; its value is a session id, never the token. */
  static final String COOKIE = "mantis_dashboard_session";

  /** The shortest {@code --dashboard-token} accepted (the generated one has 32). */
  static final int MIN_TOKEN_CHARS = 16;

  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");
  private static final Pattern HOST_NAME =
      Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private final boolean loopback;
  private final boolean wildcard;
  private final InetAddress bound;
  private final String boundName;
  private final String machineName;
  private final Set<String> allowedNames;
  private final Set<InetAddress> allowedAddresses;
  private final byte[] token;
  private final boolean roleTokens;
  private final boolean proxied;

  private AccessPolicy(
      boolean loopback,
      InetAddress bound,
      String boundName,
      String machineName,
      Set<String> allowedNames,
      Set<InetAddress> allowedAddresses,
      String token,
      boolean roleTokens) {
    this.loopback = loopback;
    this.roleTokens = roleTokens;
    this.proxied = namesOtherHosts(allowedNames, allowedAddresses);
    this.bound = bound;
    this.wildcard = bound.isAnyLocalAddress();
    this.boundName = boundName;
    this.machineName = machineName;
    this.allowedNames = Set.copyOf(allowedNames);
    this.allowedAddresses = Set.copyOf(allowedAddresses);
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** {@link #forHost(String, String, List)} without extra names. */
  static AccessPolicy forHost(String host, String token) {
    return forHost(host, token, List.of());
  }

  /**
   * The policy for a bind to {@code host}: {@code token} null where a login is needed (off
   * loopback, or on loopback behind a proxy named in {@code allowedHosts}) generates one; a blank
   * token, or one shorter than {@value #MIN_TOKEN_CHARS} characters, is refused everywhere. {@code
   * allowedHosts}: further names (or addresses) the {@code Host} header may carry, e.g. a reverse
   * proxy's name.
   *
   * @throws IllegalArgumentException for an unknown host, a blank or short token, or a malformed
   *     allowed host
   */
  static AccessPolicy forHost(String host, String token, List<String> allowedHosts) {
    return forHost(host, token, allowedHosts, false);
  }

  /**
   * As {@link #forHost(String, String, List)}; with {@code roleTokens} (the server has a token
   * store) no single token is used or generated, a login is needed on every bind, and giving {@code
   * token} too is refused.
   *
   * @throws IllegalArgumentException also for a token given together with role tokens
   */
  static AccessPolicy forHost(
      String host, String token, List<String> allowedHosts, boolean roleTokens) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    InetAddress address;
    try {
      address = h.equals("localhost") ? InetAddress.getLoopbackAddress() : InetAddress.getByName(h);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown dashboard host '" + host + "'", e);
    }
    Set<String> names = new LinkedHashSet<>();
    Set<InetAddress> addresses = new LinkedHashSet<>();
    for (String a : allowedHosts == null ? List.<String>of() : allowedHosts) {
      String n = allowedHost(a);
      InetAddress literal = ipLiteral(n);
      if (literal != null) {
        addresses.add(literal);
      } else {
        names.add(n);
      }
    }
    String boundName = ipLiteral(h) == null ? stripDot(h) : null;
    boolean loopback = address.isLoopbackAddress();
    if (roleTokens) {
      if (token != null) {
        throw new IllegalArgumentException(
            "--dashboard-token cannot be used together with the server's tokens "
                + "(--tokens-file or security.tokens): people log in to the dashboard with one of those tokens, and its "
                + "role decides what they may do; leave --dashboard-token out");
      }
      return new AccessPolicy(
          loopback,
          address,
          boundName,
          loopback ? null : machineName(),
          names,
          addresses,
          null,
          true);
    }
    if (token != null) {
      checkToken(token);
    }
    if (loopback) {
      // Open only as a plain local dashboard: a proxy's name means others reach it through the
      // proxy.
      if (token == null && namesOtherHosts(names, addresses)) {
        token = generateToken();
      }
      return new AccessPolicy(true, address, boundName, null, names, addresses, token, false);
    }
    if (token == null) {
      token = generateToken();
    }
    return new AccessPolicy(
        false, address, boundName, machineName(), names, addresses, token, false);
  }

  /**
   * Refuses a dashboard token that is blank, shorter than {@value #MIN_TOKEN_CHARS} characters, or
   * has spaces or control characters (a token typed into the login form or sent as {@code Bearer}).
   */
  static void checkToken(String token) {
    if (token.isBlank()) {
      throw new IllegalArgumentException(
          "the dashboard token is empty: it needs a non-empty token of at least "
              + MIN_TOKEN_CHARS
              + " characters (or none, to have one generated and printed)");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "the dashboard token has a space or a control character at position "
                + i
                + ": use a random token (e.g. 'openssl rand -base64 24'), or leave it out to have one generated");
      }
    }
    if (token.length() < MIN_TOKEN_CHARS) {
      throw new IllegalArgumentException(
          "the dashboard token is "
              + token.length()
              + " characters long; it must "
              + "have at least "
              + MIN_TOKEN_CHARS
              + " (it has every right on the dashboard, admin): use a random token "
              + "(e.g. 'openssl rand -base64 24' into a file for --dashboard-token-file), or leave it out to have one "
              + "generated and printed");
    }
  }

  /**
   * Whether the allowed names or addresses include anything but loopback ones (a proxy, a port
   * forward).
   */
  private static boolean namesOtherHosts(Set<String> names, Set<InetAddress> addresses) {
    return names.stream().anyMatch(n -> !n.equals("localhost"))
        || addresses.stream().anyMatch(a -> !a.isLoopbackAddress());
  }

  /**
   * One {@code --dashboard-allowed-hosts} entry, normalised (lower case, no brackets or final dot).
   */
  static String allowedHost(String entry) {
    String e = entry == null ? "" : entry.trim().toLowerCase(Locale.ROOT);
    if (e.startsWith("[") && e.endsWith("]")) {
      e = e.substring(1, e.length() - 1);
    }
    e = stripDot(e);
    if (ipLiteral(e) != null || HOST_NAME.matcher(e).matches()) {
      return e;
    }
    throw new IllegalArgumentException(
        "--dashboard-allowed-hosts: '"
            + entry
            + "' is not a host name or an IP "
            + "address (give names only: no scheme, port, path or wildcard)");
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

  /** This machine's host name, lower case, or null when the system does not say. */
  private static String machineName() {
    try {
      String n = InetAddress.getLocalHost().getHostName();
      if (n != null && !n.isBlank() && ipLiteral(n.toLowerCase(Locale.ROOT)) == null) {
        return stripDot(n.toLowerCase(Locale.ROOT));
      }
    } catch (UnknownHostException e) {
      // a host name that does not resolve: fall back to the environment's
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? null : stripDot(env.trim().toLowerCase(Locale.ROOT));
  }

  private static String stripDot(String h) {
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  /** The address {@code h} spells as an IP literal (never a DNS lookup), or null. */
  static InetAddress ipLiteral(String h) {
    if (h == null) {
      return null;
    }
    try {
      if (DOTTED_QUAD.matcher(h).matches()) {
        String[] octets = h.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
          int v = Integer.parseInt(octets[i]);
          if (v > 255) {
            return null; // never handed to getByName, which would look such a "name" up
          }
          b[i] = (byte) v;
        }
        return InetAddress.getByAddress(b);
      }
      if (IPV6.matcher(h).matches()) {
        return InetAddress.getByName(
            h); // with a colon: parsed as an IPv6 literal or refused, never resolved
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }

  /**
   * The host part of a {@code Host} header or URI authority: lower case, no port, brackets or final
   * dot.
   */
  static String hostPart(String authority) {
    if (authority == null || authority.isBlank()) {
      return null;
    }
    String h = authority.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0) {
        return null;
      }
      h = h.substring(1, end);
    } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
      h = h.substring(0, h.indexOf(':'));
    }
    h = stripDot(h);
    return h.isEmpty() ? null : h;
  }

  /** The explicit port of a {@code Host} header, or -1. */
  private static int portPart(String authority) {
    String a = authority.trim();
    int colon = a.lastIndexOf(':');
    if (colon < 0 || (a.startsWith("[") ? colon < a.indexOf(']') : a.indexOf(':') != colon)) {
      return -1;
    }
    try {
      return Integer.parseInt(a.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -2; // malformed: matches nothing
    }
  }

  /** The value(s) of this policy's cookie among {@code Cookie} header values (empty when none). */
  static List<String> cookieValues(Enumeration<String> headers) {
    List<String> values = new ArrayList<>(1);
    if (headers == null) {
      return values;
    }
    for (String header : Collections.list(headers)) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(COOKIE + "=")) {
          values.add(p.substring(COOKIE.length() + 1));
        }
      }
    }
    return values;
  }

  /** Whether the request's {@code Host} header names this dashboard (see the class comment). */
  boolean allowsHostHeader(String hostHeader) {
    String h = hostPart(hostHeader);
    if (h == null) {
      return false;
    }
    if (h.equals("localhost") || allowedNames.contains(h)) {
      return true;
    }
    InetAddress literal = ipLiteral(h);
    if (literal != null) {
      if (literal.isLoopbackAddress() || allowedAddresses.contains(literal)) {
        return true;
      }
      return !loopback
          && !literal.isAnyLocalAddress()
          && (literal.equals(bound) || isThisMachines(literal));
    }
    if (!HOST_NAME.matcher(h).matches()) {
      return false;
    }
    return !loopback && (h.equals(boundName) || h.equals(machineName));
  }

  private static boolean isThisMachines(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
      return false;
    }
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  /** The names a {@code Host} header may carry, for the 403 answer. */
  String describeHostNames() {
    List<String> parts = new ArrayList<>();
    parts.add("localhost");
    parts.add("loopback addresses");
    if (!loopback) {
      if (!wildcard) {
        parts.add(boundName != null ? boundName : bound.getHostAddress());
      }
      parts.add("this machine's addresses");
      if (machineName != null) {
        parts.add(machineName);
      }
    }
    parts.addAll(allowedNames);
    allowedAddresses.forEach(a -> parts.add(a.getHostAddress()));
    return String.join(", ", parts);
  }

  /**
   * Whether a request with this {@code Origin} header may change state: the origin is the dashboard
   * itself (its host and port are those of {@code hostHeader}), or its host is an allowed name.
   * {@code null} (no Origin) and the opaque {@code "null"} origin are not allowed here.
   */
  boolean allowsOrigin(String origin, String hostHeader) {
    if (origin == null || hostHeader == null) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      return false;
    }
    String originHost = hostPart(uri.getHost());
    int defaultPort = scheme.equals("https") ? 443 : 80;
    int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
    String host = hostPart(hostHeader);
    int hostPort = portPart(hostHeader);
    if (originHost == null || host == null) {
      return false;
    }
    if (originHost.equals(host) && originPort == (hostPort == -1 ? defaultPort : hostPort)) {
      return true;
    }
    InetAddress literal = ipLiteral(originHost);
    return literal != null ? allowedAddresses.contains(literal) : allowedNames.contains(originHost);
  }

  /**
   * The address a wildcard bind is best opened by (the host name, else 127.0.0.1); null otherwise.
   */
  String wildcardOpenName() {
    if (!wildcard) {
      return null;
    }
    return machineName != null ? machineName : bound instanceof Inet4Address ? "127.0.0.1" : "::1";
  }

  /**
   * Whether a token is needed at all: a non-loopback bind, the server's role tokens, a dashboard
   * token given on loopback, or a loopback bind behind a proxy named in {@code
   * --dashboard-allowed-hosts}.
   */
  boolean tokenRequired() {
    return !loopback || roleTokens || token != null;
  }

  /**
   * Whether {@code --dashboard-allowed-hosts} names a host other than loopback (a reverse proxy, a
   * port forward): the dashboard is then reached from other machines whatever its bind.
   */
  boolean proxied() {
    return proxied;
  }

  /** Whether logins use the server's role tokens instead of one dashboard token. */
  boolean roleTokens() {
    return roleTokens;
  }

  /** Whether the bind address is a loopback address. */
  boolean loopback() {
    return loopback;
  }

  /** The token, or null when none is set. */
  String token() {
    return token == null ? null : new String(token, StandardCharsets.UTF_8);
  }

  /** The token in an {@code Authorization: Bearer T} value, or null when it is not one. */
  static String bearer(String authorization) {
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }

  /** Constant-time comparison with the configured token (false when either is missing). */
  boolean matches(String presented) {
    if (presented == null || token == null) {
      return false;
    }
    return MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
  }
}
