package mantis.ros.node;

/**
 * How a topic is subscribed to.
 *
 * @param queueSize messages queued for the callback before the oldest is dropped (>= 1)
 * @param tcpNoDelay ask publishers to disable Nagle's algorithm ({@code tcp_nodelay=1})
 */
public record SubscriberOptions(int queueSize, boolean tcpNoDelay) {
  public SubscriberOptions {
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be >= 1, got " + queueSize);
    }
  }

  /** 10 messages, tcp_nodelay on. */
  public static SubscriberOptions defaults() {
    return new SubscriberOptions(10, true);
  }
}
