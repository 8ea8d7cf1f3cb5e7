package mantis.ros.node;

import mantis.ros.msg.RosMessageType;
import mantis.ros.tcpros.Publication;

/** A {@link RosPublisher} of a {@link RosNode}: its TCPROS publication and registration state. */
final class NodePublisher<T> implements RosPublisher<T> {
  final RosNode node;
  final Publication<T> publication;

  /** Registered with the current master; guarded by this for writes. */
  volatile boolean registered;

  volatile boolean closed;

  NodePublisher(RosNode node, Publication<T> publication) {
    this.node = node;
    this.publication = publication;
  }

  @Override
  public String topic() {
    return publication.topic();
  }

  @Override
  public RosMessageType<T> type() {
    return publication.type();
  }

  /** Ignored once closed (the node may be shut down by a peer). */
  @Override
  public void publish(T message) {
    if (!closed) {
      publication.publish(message);
    }
  }

  @Override
  public boolean flush(java.time.Duration timeout) throws InterruptedException {
    return closed || publication.flush(timeout);
  }

  @Override
  public int subscriberCount() {
    return publication.subscriberCount();
  }

  @Override
  public long published() {
    return publication.published();
  }

  @Override
  public long dropped() {
    return publication.dropped();
  }

  @Override
  public void close() {
    node.closePublisher(this);
  }

  @Override
  public String toString() {
    return "RosPublisher[" + topic() + ", " + type().type() + "]";
  }
}
