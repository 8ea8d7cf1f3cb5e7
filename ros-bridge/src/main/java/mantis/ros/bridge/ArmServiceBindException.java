package mantis.ros.bridge;

import java.io.IOException;

/**
 * The bridge's ArmService could not listen on its address (the port is in use, the address is not
 * this machine's, no permission). The message names the address in one line, e.g. {@code cannot
 * bind the bridge's ArmService to 127.0.0.1:50061 (arm_service.host, arm_service.port): address
 * already in use}; {@link BridgeNode#start()} throws it before the node joins the ROS graph.
 */
public final class ArmServiceBindException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String address;

  /**
   * @param address {@code host:port} as configured
   */
  ArmServiceBindException(String address, Throwable cause) {
    super(
        "cannot bind the bridge's ArmService to "
            + address
            + " (arm_service.host, arm_service.port): "
            + reason(cause),
        cause);
    this.address = address;
  }

  /** {@code host:port}. */
  public String address() {
    return address;
  }

  /** The innermost message of a bind failure, lower-cased, without Netty's native call prefix. */
  static String reason(Throwable cause) {
    Throwable root = cause;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root == null ? null : root.getMessage();
    if (msg == null || msg.isBlank()) {
      return root == null ? "unknown error" : root.getClass().getSimpleName();
    }
    msg = msg.strip().replaceFirst("^[a-z]+\\(\\.\\.\\) failed[^:]*: ", "").replace('\n', ' ');
    return msg.isEmpty() ? msg : Character.toLowerCase(msg.charAt(0)) + msg.substring(1);
  }
}
