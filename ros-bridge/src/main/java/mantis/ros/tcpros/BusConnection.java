package mantis.ros.tcpros;

/**
 * One TCPROS connection as the slave API's {@code getBusInfo} reports it.
 *
 * @param id connection id, unique within this JVM
 * @param peer the subscriber's callerid (outbound) or the publisher's slave URI (inbound)
 * @param direction {@code 'o'} for a connection to a subscriber, {@code 'i'} for one to a publisher
 * @param topic the topic name
 * @param connected whether the handshake is done and the connection is open
 */
public record BusConnection(int id, String peer, char direction, String topic, boolean connected) {
  public BusConnection {
    if (direction != 'o' && direction != 'i') {
      throw new IllegalArgumentException("direction must be 'o' or 'i', got '" + direction + "'");
    }
  }
}
