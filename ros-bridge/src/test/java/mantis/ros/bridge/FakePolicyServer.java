package mantis.ros.bridge;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * {@link Harness.FakePolicy} served over real Netty gRPC on a loopback port; {@link #stop()} and
 * {@link #start()} take it down and bring it back on the same port, as a server restart would.
 */
final class FakePolicyServer implements AutoCloseable {
  final Harness.FakePolicy policy = new Harness.FakePolicy();
  private int port;
  private Server server;

  /** {@code port} 0: any free port, kept for later restarts. */
  FakePolicyServer(int port) {
    this.port = port;
  }

  synchronized FakePolicyServer start() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .addService(policy)
            .build()
            .start();
    port = server.getPort();
    return this;
  }

  synchronized int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}. */
  String target() {
    return "127.0.0.1:" + port();
  }

  /** Stops abruptly (open streams fail) and waits until the port is free. */
  synchronized void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      server = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
