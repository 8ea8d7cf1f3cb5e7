package mantis.ros.node;

import mantis.ros.msg.RosMessageType;

/**
 * A topic this node publishes. Each subscriber connection has its own bounded queue that drops the
 * oldest message when full, so a slow subscriber never blocks {@link #publish} or other
 * subscribers.
 */
public interface RosPublisher<T> extends AutoCloseable {
  /** The resolved (global) topic name, e.g. {@code /arm/joint_states}. */
  String topic();

  /** The message type. */
  RosMessageType<T> type();

  /** Encodes once and queues the message for every connected subscriber; never blocks on I/O. */
  void publish(T message);

  /**
   * Waits, at most {@code timeout}, until every message published so far has been written to each
   * connected subscriber's socket; call it before closing to let a last message (a hold) leave.
   * Returns at once after {@link #close()}.
   *
   * @return true if everything was written in time
   * @throws InterruptedException if interrupted while waiting
   */
  boolean flush(java.time.Duration timeout) throws InterruptedException;

  /** Subscriber connections currently open. */
  int subscriberCount();

  /** Messages passed to {@link #publish} so far. */
  long published();

  /** Messages dropped from full subscriber queues so far (summed over connections). */
  long dropped();

  /** Unregisters from the master and closes every subscriber connection. Idempotent. */
  @Override
  void close();
}
