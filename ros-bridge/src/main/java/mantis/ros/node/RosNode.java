package mantis.ros.node;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;
import mantis.ros.msg.RosMessageType;

/**
 * A ROS 1 node: an XML-RPC slave API server, a TCPROS server for its publications, and a client of
 * the master. {@link #start()} binds the servers and registers with the master; it succeeds even
 * when the master is down, and registrations are (re)sent in the background until the master
 * answers. While running, the node watches the master (its pid and its record of this node) and
 * re-registers every publisher and subscriber after a master restart; subscribers reconnect, with
 * backoff, to publishers whose connection broke while the master still lists them.
 *
 * <p>Topic names: absolute names are kept; relative names are resolved against the root namespace
 * {@code /}; private names {@code ~x} become {@code /<node name>/x}.
 */
public final class RosNode implements AutoCloseable {
  private RosNode(Builder b) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The node's global name, e.g. {@code /mantis_bridge}. */
  public String name() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The master's URI. */
  public URI masterUri() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** This node's slave API URI ({@code http://host:port/}); valid after {@link #start()}. */
  public URI slaveUri() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Binds the XML-RPC and TCPROS servers and starts registering with the master. */
  public void start() throws IOException {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Advertises {@code topic}; the master is told now (or as soon as it answers). */
  public <T> RosPublisher<T> advertise(String topic, RosMessageType<T> type,
      PublisherOptions options) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /**
   * Subscribes to {@code topic}; {@code callback} runs on the subscriber's own thread. A callback
   * that throws is logged and the subscription continues.
   */
  public <T> RosSubscriber<T> subscribe(String topic, RosMessageType<T> type,
      SubscriberOptions options, Consumer<? super T> callback) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The master's parameter server: {@code getParam}. Values are XML-RPC values (see class doc). */
  public Optional<Object> getParam(String key) throws IOException {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** {@code setParam}. */
  public void setParam(String key, Object value) throws IOException {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** True when every publisher and subscriber is currently registered with a reachable master. */
  public boolean isRegistered() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Unregisters everything (best effort, bounded time), closes every connection and server. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Builds a {@link RosNode}. */
  public static final class Builder {
    String name;
    URI masterUri;
    String host;

    /** Required: the node name, e.g. {@code mantis_bridge} or {@code /mantis_bridge}. */
    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    /** Required: the master, e.g. {@code http://localhost:11311/}. */
    public Builder setMasterUri(URI masterUri) {
      this.masterUri = masterUri;
      return this;
    }

    /**
     * Optional: the host name or IP other nodes use to reach this node (ROS_IP/ROS_HOSTNAME);
     * default: ROS_IP, then ROS_HOSTNAME, then the local host name.
     */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    public RosNode build() {
      return new RosNode(this);
    }
  }
}
