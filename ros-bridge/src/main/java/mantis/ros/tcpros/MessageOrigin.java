package mantis.ros.tcpros;

import java.util.Objects;

/**
 * Where a subscribed message came from: the publishing node's name as its TCPROS connection header
 * gives it ({@code callerid}; empty when the publisher sent none) and the slave URI the subscriber
 * connected to. Neither is authenticated: ROS 1 has no authentication, so any node on the graph can
 * claim any name. Good for logs and audit trails, not for access decisions.
 *
 * @param callerId the publisher's node name, e.g. {@code /rostopic_4711_1700000000000}, or empty
 * @param publisherUri the publisher's slave API URI, e.g. {@code http://host:40123/}
 */
public record MessageOrigin(String callerId, String publisherUri) {
  public MessageOrigin {
    callerId = callerId == null ? "" : callerId;
    Objects.requireNonNull(publisherUri, "publisherUri");
  }

  /** {@code callerid (uri)}, or the URI alone when there is no caller id. */
  @Override
  public String toString() {
    return callerId.isEmpty() ? publisherUri : callerId + " (" + publisherUri + ")";
  }
}
