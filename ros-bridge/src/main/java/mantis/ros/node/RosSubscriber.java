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

  /**
   * Messages dropped because they parsed but broke their type's rules (e.g. a JointState with 3
   * names and 2 positions), so far. Each is dropped alone; its publisher's connection stays up.
   */
  long invalid();

  /** Unregisters from the master and closes every publisher connection. Idempotent. */
  @Override
  void close();
}
