package mantis.server;

import java.io.IOException;

/**
 * A listener could not bind its address (port in use, address not on this machine, no permission).
 * The message names what and where, in one line: {@code cannot bind 127.0.0.1:50051: address
 * already in use}.
 */
public final class BindFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String what;
  private final String address;
  private final String reason;

  /**
   * @param what "" for the gRPC port, else what listens there ("the metrics endpoint")
   * @param address host:port
   */
  public BindFailedException(String what, String address, Throwable cause) {
    super(
        "cannot bind " + (what.isEmpty() ? "" : what + " ") + address + ": " + reason(cause),
        cause);
    this.what = what;
    this.address = address;
    this.reason = reason(cause);
  }

  /** What could not bind ("" for the gRPC port, "the metrics endpoint", "the dashboard"). */
  public String what() {
    return what;
  }

  /** host:port. */
  public String address() {
    return address;
  }

  /** The operating system's reason, lower case ("address already in use"). */
  public String reason() {
    return reason;
  }

  /** True when another process holds the port. */
  public boolean inUse() {
    return reason.contains("in use");
  }

  /** The innermost message of a bind failure, lower-cased, without a native call prefix. */
  static String reason(Throwable cause) {
    Throwable root = cause;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root == null ? null : root.getMessage();
    if (msg == null || msg.isBlank()) {
      return root == null ? "unknown error" : root.getClass().getSimpleName();
    }
    msg = msg.strip();
    // Netty's native transport: "bind(..) failed with error(-98): Address already in use".
    msg = msg.replaceFirst("^[a-z]+\\(\\.\\.\\) failed[^:]*: ", "");
    if (msg.toLowerCase(java.util.Locale.ROOT).contains("port already in use")) {
      return "address already in use";
    }
    return msg.isEmpty() ? msg : Character.toLowerCase(msg.charAt(0)) + msg.substring(1);
  }
}
