package mantis.ros.master;

import java.io.IOException;

/**
 * The master (or another node's slave API) answered with a ROS status code other than 1 (-1: caller
 * error, 0: failure). The message is the remote status message.
 */
public final class RosMasterException extends IOException {
  private final int code;
  private final String method;
  private final String statusMessage;

  public RosMasterException(String method, int code, String statusMessage) {
    super(method + " failed with ROS code " + code + ": " + statusMessage);
    this.method = method;
    this.code = code;
    this.statusMessage = statusMessage;
  }

  /** -1 (error) or 0 (failure). */
  public int code() {
    return code;
  }

  public String method() {
    return method;
  }

  public String statusMessage() {
    return statusMessage;
  }
}
