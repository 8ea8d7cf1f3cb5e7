package mantis.ros.tcpros;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits on what a peer may send.
 *
 * @param maxHeaderBytes largest connection header accepted (fields, without the 4-byte length)
 * @param maxMessageBytes largest message frame accepted (payload, without the 4-byte length); a
 *     larger length prefix drops the connection before anything is allocated
 * @param handshakeTimeout how long to wait for a peer's connection header (and for a connect)
 */
public record TcprosLimits(int maxHeaderBytes, int maxMessageBytes, Duration handshakeTimeout) {
  public TcprosLimits {
    if (maxHeaderBytes < 1) {
      throw new IllegalArgumentException("maxHeaderBytes must be >= 1, got " + maxHeaderBytes);
    }
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 1, got " + maxMessageBytes);
    }
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    if (handshakeTimeout.isNegative()
        || handshakeTimeout.isZero()
        || handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "handshakeTimeout must be positive and below 24 days, got " + handshakeTimeout);
    }
  }

  /** 64 KiB headers, 64 MiB messages, 5 s handshake. */
  public static TcprosLimits defaults() {
    return new TcprosLimits(64 * 1024, 64 * 1024 * 1024, Duration.ofSeconds(5));
  }

  int handshakeTimeoutMs() {
    return (int) Math.max(1, handshakeTimeout.toMillis());
  }
}
