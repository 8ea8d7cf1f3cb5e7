package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link BridgeNode#start()} and its ArmService's address, without a ROS master (the node starts
 * while the master is down; {@code BridgeNodeSecurityRosTest} checks against a real one that a bind
 * failure never joins the graph).
 */
class BridgeNodeStartTest {
  private static BridgeConfig config(String armService) {
    return BridgeConfig.parse(
        """
        ros:
          master_uri: http://127.0.0.1:1/
          host: 127.0.0.1
        topics:
          image: /cam
          controller: /arm_controller
        robot:
          joints: [a, b, c]
        server:
          target: 127.0.0.1:1
        arm_service: %s
        """
            .formatted(armService),
        "bridge.yaml",
        null,
        Map.of());
  }

  @Test
  void anArmServicePortInUseFailsTheStartWithOneLineNamingHostAndPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();
      BridgeNode bridge =
          BridgeNode.builder().setConfig(config("{port: " + port + ", host: 127.0.0.1}")).build();
      try {
        ArmServiceBindException e = assertThrows(ArmServiceBindException.class, bridge::start);
        assertEquals("127.0.0.1:" + port, e.address());
        assertEquals(
            "cannot bind the bridge's ArmService to 127.0.0.1:"
                + port
                + " (arm_service.host, arm_service.port): address already in use",
            e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(-1, bridge.armServicePort());
      } finally {
        bridge.close("test");
      }
    }
  }

  @Test
  void theArmServiceHostIsResolvedOnceAndTheAddressJudgedIsTheAddressBound() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> asked = new CopyOnWriteArrayList<>();
    BridgeNode bridge =
        BridgeNode.builder()
            .setConfig(config("{port: " + port + ", host: arm.mantis.test}"))
            .optResolver(
                host -> {
                  asked.add(host);
                  if (asked.size() > 1) {
                    // A second answer (DNS changed) would be a different address from the one
                    // judged loopback.
                    return InetAddress.getByName("192.0.2.10");
                  }
                  return InetAddress.getByName("127.0.0.1");
                })
            .build();
    ManagedChannel ch =
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
            .build();
    try {
      bridge.start();
      assertEquals(List.of("arm.mantis.test"), asked, "resolved once");
      assertEquals(port, bridge.armServicePort());
      assertEquals(
          ServingStatus.SERVING,
          HealthGrpc.newBlockingStub(ch)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus(),
          "bound on the loopback address judged");
    } finally {
      ch.shutdownNow();
      bridge.close("test");
    }
  }

  @Test
  void anArmServiceHostThatDoesNotResolveIsRefusedNamingIt() throws Exception {
    BridgeNode bridge =
        BridgeNode.builder()
            .setConfig(config("{port: 50999, host: nowhere.mantis.test}"))
            .optResolver(
                host -> {
                  throw new UnknownHostException(host);
                })
            .build();
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, bridge::start);
      assertTrue(
          e.getMessage().contains("cannot resolve the bind address 'nowhere.mantis.test'"),
          e.getMessage());
    } finally {
      bridge.close("test");
    }
  }
}
