package mantis.ros.node;

import mantis.ros.msg.RosMessageType;
import mantis.ros.tcpros.Subscription;

/** A {@link RosSubscriber} of a {@link RosNode}: its TCPROS subscription and registration state. */
final class NodeSubscriber<T> implements RosSubscriber<T> {
  final RosNode node;
  final Subscription<T> subscription;
  volatile boolean registered;
  volatile boolean closed;

  NodeSubscriber(RosNode node, Subscription<T> subscription) {
    this.node = node;
    this.subscription = subscription;
  }

  @Override
  public String topic() {
    return subscription.topic();
  }

  @Override
  public RosMessageType<T> type() {
    return subscription.type();
  }

  @Override
  public int publisherCount() {
    return subscription.publisherCount();
  }

  @Override
  public long received() {
    return subscription.received();
  }

  @Override
  public long dropped() {
    return subscription.dropped();
  }

  @Override
  public long invalid() {
    return subscription.invalid();
  }

  @Override
  public void close() {
    node.closeSubscriber(this);
  }

  @Override
  public String toString() {
    return "RosSubscriber[" + topic() + ", " + type().type() + "]";
  }
}
