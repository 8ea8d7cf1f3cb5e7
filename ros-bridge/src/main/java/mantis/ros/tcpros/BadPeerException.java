package mantis.ros.tcpros;

import java.io.IOException;

/**
 * A peer broke the protocol (rejected handshake, absurd or truncated frame, undecodable message):
 * the connection is dropped with a WARN, unlike a plain network failure.
 */
final class BadPeerException extends IOException {
  private static final long serialVersionUID = 1L;

  BadPeerException(String message) {
    super(message);
  }

  BadPeerException(String message, Throwable cause) {
    super(message, cause);
  }
}
