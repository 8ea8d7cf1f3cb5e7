package mantis.ros.node;

import mantis.ros.msg.RosMessageType;

/**
 * A topic this node subscribes to. Messages from every publisher go through one bounded queue that
 * drops the oldest when the callback falls behind; the callback runs on one thread per subscriber,
 * in arrival order.
 */
public interface RosSubscriber<T> extends AutoCloseable {
  /** The resolved (global) topic name. */
  String topic();

  /** The message type. */
  RosMessageType<T> type();

  /** Publisher connections currently open. */
  int publisherCount();

  /** Messages decoded so far. */
  long received();

  /** Messages dropped from the full queue so far. */
  long dropped();

  /** Unregisters from the master and closes every publisher connection. Idempotent. */
  @Override
  void close();
}
