package mantis.ros.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The node's XML-RPC and TCPROS servers listen on the address of its advertised host only, not on every interface
 * (ROS 1 has no authentication: a node reachable from a network is commandable from it). No master is needed: a
 * node starts while the master is down.
 */
class RosNodeBindTest {
  private static final URI NO_MASTER = URI.create("http://127.0.0.1:1/");

  /** An IPv4 address of this machine that is not loopback, if it has one. */
  private static Optional<InetAddress> otherAddress() throws IOException {
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
    Optional<InetAddress> other = otherAddress();
    assumeTrue(other.isPresent(), "this machine has no address other than loopback to try");
    try (RosNode node = RosNode.builder().setName("bind_test").setMasterUri(NO_MASTER).optHost("127.0.0.1")
        .optRosout(false).build()) {
      node.start();
      int xmlRpc = node.slaveUri().getPort();
      int tcpros = node.tcprosPort();
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      assertTrue(accepts(loopback, xmlRpc), "the slave API answers on the advertised address");
      assertTrue(accepts(loopback, tcpros), "TCPROS answers on the advertised address");
      assertEquals(false, accepts(other.get(), xmlRpc), "slave API on " + other.get());
      assertEquals(false, accepts(other.get(), tcpros), "TCPROS on " + other.get());
    }
  }

  @Test
  void aNodeAdvertisingAnotherAddressOfThisMachineListensThereAndNotOnLoopback() throws Exception {
    Optional<InetAddress> other = otherAddress();
    assumeTrue(other.isPresent(), "this machine has no address other than loopback to try");
    try (RosNode node = RosNode.builder().setName("bind_test").setMasterUri(NO_MASTER)
        .optHost(other.get().getHostAddress()).optRosout(false).build()) {
      node.start();
      assertEquals(other.get().getHostAddress(), node.slaveUri().getHost());
      assertTrue(accepts(other.get(), node.slaveUri().getPort()));
      assertTrue(accepts(other.get(), node.tcprosPort()));
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      assertEquals(false, accepts(loopback, node.slaveUri().getPort()));
      assertEquals(false, accepts(loopback, node.tcprosPort()));
    }
  }

  @Test
  void aHostThatDoesNotResolveFailsTheStartNamingIt() {
    RosNode node = RosNode.builder().setName("bind_test").setMasterUri(NO_MASTER).optHost("nowhere.mantis.invalid")
        .optRosout(false).build();
    try {
      UnknownHostException e = assertThrows(UnknownHostException.class, node::start);
      assertTrue(e.getMessage().contains("cannot resolve this node's ROS host 'nowhere.mantis.invalid'"),
          e.getMessage());
    } finally {
      node.close();
    }
  }
}
