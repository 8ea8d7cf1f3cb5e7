package mantis.ros.tcpros;

import java.io.IOException;

/** Thrown when the bytes read from a peer are not a valid TCPROS connection header. */
public final class MalformedHeaderException extends IOException {
  private static final long serialVersionUID = 1L;

  public MalformedHeaderException(String message) {
    super(message);
  }
}
