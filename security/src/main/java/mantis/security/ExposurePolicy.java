package mantis.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule for who may reach a server, decided before it binds:
 *
 * <ul>
 *   <li>a loopback address ({@code 127.0.0.1}, {@code ::1}, {@code localhost}) without tokens:
 *       allowed, open (only processes on this machine can connect; logged once as "loopback only,
 *       no auth");
 *   <li>a loopback address with tokens: allowed, tokens enforced;
 *   <li>any other address ({@code 0.0.0.0}, {@code ::}, a LAN address, a host name that does not
 *       resolve to loopback): allowed only with TLS and at least one token; otherwise refused,
 *       unless the operator passed {@code --insecure}, in which case it starts with a loud warning
 *       (tokens still enforced when configured).
 * </ul>
 */
public final class ExposurePolicy {
  private ExposurePolicy() {}

  /** How a server may run. */
  public enum Mode {
    /** Loopback, no tokens: every local caller is allowed. */
    OPEN_LOOPBACK,
    /** Tokens enforced (with TLS off loopback). */
    AUTHENTICATED,
    /**
     * Reachable from other machines without TLS and tokens, because {@code --insecure} was given.
     */
    INSECURE,
    /** Must not start. */
    REFUSED
  }

  /**
   * The decision for one bind address.
   *
   * @param mode how the server may run
   * @param bind the bind address as given
   * @param loopback true when it is a loopback address
   * @param tls true when TLS is configured
   * @param tokens true when at least one token is configured
   * @param message one line for the log, or for a refusal the reason and what to do
   */
  public record Decision(
      Mode mode, String bind, boolean loopback, boolean tls, boolean tokens, String message) {
    public boolean allowed() {
      return mode != Mode.REFUSED;
    }

    /** True when calls need no token (open loopback, or --insecure without tokens). */
    public boolean open() {
      return !tokens;
    }

    /** The multi-line warning for stderr in {@link Mode#INSECURE} mode; empty otherwise. */
    public List<String> warningBanner() {
      if (mode != Mode.INSECURE) {
        return List.of();
      }
      List<String> lines = new ArrayList<>();
      String bar = "!".repeat(78);
      lines.add(bar);
      lines.add("!! WARNING: --insecure: gRPC on " + bind + " is reachable from other machines");
      if (!tls) {
        lines.add(
            "!! - WITHOUT TLS: anyone on the network can read and alter observations and commands"
                + (tokens ? " (and the tokens)" : ""));
      }
      if (!tokens) {
        lines.add(
            "!! - WITHOUT TOKENS: anyone who can reach this port can drive the robot (Predict, Control)");
      }
      lines.add(
          "!! Use this only on an isolated network. To secure it, add TLS and tokens (docs/SECURITY.md),");
      lines.add("!! or bind 127.0.0.1.");
      lines.add(bar);
      return lines;
    }
  }

  /** True when {@code host} resolves to a loopback address (false when it does not resolve). */
  public static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Decides for a bind host (an address or a name, resolved here the way the server will bind it).
   * A name that does not resolve is refused.
   */
  public static Decision decide(String host, boolean tls, boolean tokens, boolean insecure) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return new Decision(
          Mode.REFUSED,
          host,
          false,
          tls,
          tokens,
          "cannot resolve the bind address '" + host + "'; give an IP address such as 127.0.0.1");
    }
    return decide(host, address, tls, tokens, insecure);
  }

  /** Decides for a resolved bind address; {@code host} is how it was given (for messages). */
  public static Decision decide(
      String host, InetAddress address, boolean tls, boolean tokens, boolean insecure) {
    String bind = host == null ? address.getHostAddress() : host;
    boolean loopback = address.isLoopbackAddress();
    if (loopback) {
      return tokens
          ? new Decision(
              Mode.AUTHENTICATED,
              bind,
              true,
              tls,
              true,
              "loopback " + bind + ", tokens enforced" + (tls ? ", TLS" : ""))
          : new Decision(
              Mode.OPEN_LOOPBACK,
              bind,
              true,
              tls,
              false,
              "loopback only (" + bind + "), no auth" + (tls ? ", TLS" : ""));
    }
    String what = address.isAnyLocalAddress() ? "every network interface (" + bind + ")" : bind;
    if (tls && tokens) {
      return new Decision(
          Mode.AUTHENTICATED, bind, false, true, true, what + " with TLS and tokens enforced");
    }
    String missing =
        !tls && !tokens
            ? "no TLS certificate and no tokens are"
            : !tls ? "no TLS certificate is" : "no tokens are";
    if (insecure) {
      return new Decision(
          Mode.INSECURE,
          bind,
          false,
          tls,
          tokens,
          "INSECURE: "
              + what
              + " is reachable from other machines and "
              + missing
              + " configured (--insecure)");
    }
    return new Decision(
        Mode.REFUSED,
        bind,
        false,
        tls,
        tokens,
        "refusing to listen on "
            + what
            + ": it is reachable from other machines, and "
            + missing
            + " configured. "
            + "Add TLS and tokens (see docs/SECURITY.md), bind 127.0.0.1, or pass --insecure to run unprotected anyway");
  }
}
