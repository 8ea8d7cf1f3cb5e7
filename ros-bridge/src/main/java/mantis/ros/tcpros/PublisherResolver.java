package mantis.ros.tcpros;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Finds the TCPROS address of a publisher; the node implements it with the slave API's {@code
 * requestTopic(callerId, topic, [["TCPROS"]])}. Called again before each reconnection attempt,
 * because a restarted publisher listens on a new port.
 */
@FunctionalInterface
public interface PublisherResolver {
  /**
   * @param publisherUri the publisher's slave API URI, as the master lists it
   * @param topic the topic
   * @return the host and port to open a TCPROS connection to
   * @throws IOException if the publisher cannot be reached or refuses the topic
   */
  InetSocketAddress resolve(String publisherUri, String topic) throws IOException;
}
