package mantis.ros.node;

/**
 * How a topic is published.
 *
 * @param latch keep the last message and send it to each new subscriber first
 * @param queueSize messages queued per subscriber connection before the oldest is dropped (>= 1)
 */
public record PublisherOptions(boolean latch, int queueSize) {
  public PublisherOptions {
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be >= 1, got " + queueSize);
    }
  }

  /** Not latched, 10 messages per subscriber. */
  public static PublisherOptions defaults() {
    return new PublisherOptions(false, 10);
  }

  /** Latched, 1 message per subscriber (the usual choice for state topics). */
  public static PublisherOptions latched() {
    return new PublisherOptions(true, 10);
  }
}
