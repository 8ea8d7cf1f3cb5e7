package mantis.ros.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The node's XML-RPC and TCPROS servers listen on the address of its advertised host only, not on
 * every interface (ROS 1 has no authentication: a node reachable from a network is commandable from
 * it). No master is needed: a node starts while the master is down.
 */
class RosNodeBindTest {
  private static final URI NO_MASTER = URI.create("http://127.0.0.1:1/");

  /**
   * An IPv4 address of this machine other than 127.0.0.1: a non-loopback one when it has one, else
   * 127.0.0.2 (Linux answers the whole 127/8 on the loopback interface, so a socket bound to
   * 127.0.0.1 does not accept there).
   */
  private static InetAddress otherAddress() throws IOException {
    return nonLoopbackAddress().orElse(InetAddress.getByName("127.0.0.2"));
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean accepts(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (ConnectException refused) {
      return false;
    } catch (IOException other) {
      return false;
    }
  }

  @Test
  void aNodeAdvertisingLoopbackIsNotReachableOnTheMachinesOtherAddresses() throws Exception {
    InetAddress other = otherAddress();
    try (RosNode node =
        RosNode.builder()
            .setName("bind_test")
            .setMasterUri(NO_MASTER)
            .optHost("127.0.0.1")
            .optRosout(false)
            .build()) {
      node.start();
      int xmlRpc = node.slaveUri().getPort();
      int tcpros = node.tcprosPort();
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      assertTrue(accepts(loopback, xmlRpc), "the slave API answers on the advertised address");
      assertTrue(accepts(loopback, tcpros), "TCPROS answers on the advertised address");
      assertEquals(false, accepts(other, xmlRpc), "slave API on " + other);
      assertEquals(false, accepts(other, tcpros), "TCPROS on " + other);
    }
  }

  @Test
  void aNodeAdvertisingAnotherAddressOfThisMachineListensThereAndNotOnLoopback() throws Exception {
    InetAddress other = otherAddress();
    try (RosNode node =
        RosNode.builder()
            .setName("bind_test")
            .setMasterUri(NO_MASTER)
            .optHost(other.getHostAddress())
            .optRosout(false)
            .build()) {
      node.start();
      assertEquals(other.getHostAddress(), node.slaveUri().getHost());
      assertTrue(accepts(other, node.slaveUri().getPort()));
      assertTrue(accepts(other, node.tcprosPort()));
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      assertEquals(false, accepts(loopback, node.slaveUri().getPort()));
      assertEquals(false, accepts(loopback, node.tcprosPort()));
    }
  }

  @Test
  void aHostThatDoesNotResolveFailsTheStartNamingIt() {
    RosNode node =
        RosNode.builder()
            .setName("bind_test")
            .setMasterUri(NO_MASTER)
            .optHost("nowhere.mantis.invalid")
            .optRosout(false)
            .build();
    try {
      UnknownHostException e = assertThrows(UnknownHostException.class, node::start);
      assertTrue(
          e.getMessage().contains("cannot resolve this node's ROS host 'nowhere.mantis.invalid'"),
          e.getMessage());
    } finally {
      node.close();
    }
  }
}
