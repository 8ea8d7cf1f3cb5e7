package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bridge's channel to the Mantis server ({@link BridgeNode#newChannel}) sends HTTP/2 keepalive
 * pings while a call is open and the connection is silent, so a server that vanished without
 * closing the connection is noticed even when no camera frame comes. A relay between the channel
 * and a gRPC server counts the client's PING frames. (The server permits a ping every 10 s, as the
 * Mantis server does; the call stays open.)
 */
class BridgeChannelKeepaliveTest {
  private static final byte PING = 0x6;

  /**
   * Forwards one connection, counting the PING frames (not acks) the client sends, with their
   * times.
   */
  private static final class PingCountingRelay implements AutoCloseable {
    final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    final List<Long> pingNanos = new CopyOnWriteArrayList<>();
    private final int target;
    private volatile Socket client;
    private volatile Socket server;

    PingCountingRelay(int target) throws IOException {
      this.target = target;
      Thread t = new Thread(this::run, "ping-relay");
      t.setDaemon(true);
      t.start();
    }

    private void run() {
      try {
        client = listener.accept();
        server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), target));
        Thread back = new Thread(() -> copy(server, client), "ping-relay-back");
        back.setDaemon(true);
        back.start();
        DataInputStream in = new DataInputStream(client.getInputStream());
        OutputStream out = server.getOutputStream();
        byte[] preface = new byte[24];
        in.readFully(preface);
        out.write(preface);
        byte[] header = new byte[9];
        while (true) {
          in.readFully(header);
          int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
          byte[] payload = new byte[length];
          in.readFully(payload);
          if (header[3] == PING && (header[4] & 0x1) == 0) {
            pingNanos.add(System.nanoTime());
          }
          out.write(header);
          out.write(payload);
          out.flush();
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    private static void copy(Socket from, Socket to) {
      try (InputStream in = from.getInputStream()) {
        in.transferTo(to.getOutputStream());
      } catch (IOException closed) {
        // the test is over
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      if (client != null) {
        client.close();
      }
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void anOpenCallOnASilentConnectionIsPingedAfterKeepaliveTimeAndTheServerKeepsIt()
      throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .addService(health.getHealthService())
            .build()
            .start();
    try (PingCountingRelay relay = new PingCountingRelay(server.getPort())) {
      BridgeConfig cfg =
          BridgeConfig.parse(
              """
          topics: {image: /cam, controller: /arm_controller}
          robot: {joints: [a, b, c]}
          server: {target: "127.0.0.1:%d", keepalive_time_ms: 10000, keepalive_timeout_ms: 5000}
          """
                  .formatted(relay.listener.getLocalPort()),
              "bridge.yaml",
              null,
              Map.of());
      ManagedChannel channel = BridgeNode.newChannel(cfg);
      try {
        CompletableFuture<HealthCheckResponse> first = new CompletableFuture<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        HealthGrpc.newStub(channel)
            .watch(
                HealthCheckRequest.getDefaultInstance(),
                new StreamObserver<>() {
                  @Override
                  public void onNext(HealthCheckResponse r) {
                    first.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(t);
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(null);
                  }
                });
        assertEquals(
            HealthCheckResponse.ServingStatus.SERVING, first.get(10, TimeUnit.SECONDS).getStatus());
        long quietFrom = System.nanoTime();
        // Pings right after the response (flow-control probes) do not count: keepalive comes after
        // 10 s of silence.
        long deadline = quietFrom + TimeUnit.SECONDS.toNanos(20);
        while (relay.pingNanos.stream()
            .noneMatch(t -> t - quietFrom > TimeUnit.SECONDS.toNanos(5))) {
          assertTrue(
              System.nanoTime() < deadline,
              "no keepalive ping within 20 s of silence on an open call");
          Thread.sleep(100);
        }
        Thread.sleep(500);
        assertTrue(
            !ended.isDone(),
            "the server answered the ping and kept the call: " + ended.getNow(null));
      } finally {
        channel.shutdownNow();
      }
    } finally {
      server.shutdownNow();
    }
  }
}
