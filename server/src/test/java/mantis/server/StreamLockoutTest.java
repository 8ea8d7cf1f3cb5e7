package mantis.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import mantis.core.MonotonicClock;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.BearerToken;
import mantis.security.Role;
import mantis.security.ServerSecurity;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Control stream slots cannot be locked up: 4 connections x 32 empty streams took all 128 slots
 * (the limit was per connection only, an empty stream never timed out, and a half-open connection
 * kept its streams for the 2 h default keepalive).
 */
class StreamLockoutTest {
  private static final String TOKEN_A = TokenStore.newToken();
  private static final String TOKEN_B = TokenStore.newToken();
  private static final TokenStore TOKENS =
      TokenStore.of(
          List.of(
              TokenEntry.forToken("robot-a", Role.OPERATOR, TOKEN_A),
              TokenEntry.forToken("robot-b", Role.OPERATOR, TOKEN_B)));

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private String inProcess(MantisServer.Builder b) throws Exception {
    String name = InProcessServerBuilder.generateName();
    MantisServer server = b.optServerBuilder(InProcessServerBuilder.forName(name)).build().start();
    open.add(server);
    assertTrue(server.awaitServing(10, TimeUnit.SECONDS));
    return name;
  }

  private ManagedChannel channel(String name) {
    ManagedChannel c = InProcessChannelBuilder.forName(name).build();
    open.add(c::shutdownNow);
    return c;
  }

  /**
   * Opens a Control stream; with {@code send}, sends one observation and waits for its answer or
   * the stream's end.
   */
  private static StreamObserver<Observation> stream(
      ManagedChannel ch, CallCredentials creds, String robot, StreamCollector out, boolean send)
      throws Exception {
    PolicyServiceGrpc.PolicyServiceStub stub = PolicyServiceGrpc.newStub(ch);
    StreamObserver<Observation> in =
        (creds == null ? stub : stub.withCallCredentials(creds)).control(out);
    if (send) {
      in.onNext(Observations.valid().setRobotId(robot).build());
      for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; ) {
        if (!out.chunks().isEmpty() || out.endWithin(10, TimeUnit.MILLISECONDS) != null) {
          break;
        }
      }
    }
    return in;
  }

  @Test
  void aTokenIsLimitedPerPrincipalAcrossAllItsConnectionsWhileOtherTokensStillGetStreams()
      throws Exception {
    String name =
        inProcess(
            TestServer.builder(
                    TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
                .optSecurity(ServerSecurity.builder().optTokens(TOKENS).build())
                .optAdmission(Admissions.defaults().optControlStreams(20, 4, 6).build()));
    CallCredentials a = BearerToken.of(TOKEN_A);
    List<StreamCollector> accepted = new ArrayList<>();
    int robot = 0;
    for (ManagedChannel ch : List.of(channel(name), channel(name))) {
      for (int i = 0; i < 3; i++) {
        StreamCollector out = new StreamCollector();
        stream(ch, a, "a-" + robot++, out, true);
        assertEquals(1, out.chunks().size(), "stream " + robot + " of robot-a answered");
        accepted.add(out);
      }
    }
    // A third connection of the same token: its per-connection count is 0, but the principal has 6.
    StreamCollector refused = new StreamCollector();
    stream(channel(name), a, "a-more", refused, true);
    Status s = refused.awaitEnd(5, TimeUnit.SECONDS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode());
    assertEquals(
        "Control stream refused: principal 'robot-a' already has 6 open Control streams, the limit per "
            + "principal (admission.max_control_streams_per_principal); end one first",
        s.getDescription());
    StreamCollector other = new StreamCollector();
    stream(channel(name), BearerToken.of(TOKEN_B), "b-0", other, true);
    assertEquals(1, other.chunks().size(), "another token still gets a stream");
    assertNull(other.endWithin(0, TimeUnit.SECONDS));
    for (StreamCollector c : accepted) {
      assertNull(c.endWithin(0, TimeUnit.SECONDS), "accepted streams stay open");
    }
  }

  @Test
  void callersWithoutATokenAreLimitedPerConnectionOnly() throws Exception {
    String name =
        inProcess(
            TestServer.builder(
                    TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
                .optAdmission(Admissions.defaults().optControlStreams(20, 2, 2).build()));
    int robot = 0;
    for (int c = 0; c < 3; c++) {
      ManagedChannel ch = channel(name);
      for (int i = 0; i < 2; i++) {
        StreamCollector out = new StreamCollector();
        stream(ch, null, "r-" + robot++, out, true);
        assertEquals(1, out.chunks().size(), "all 'local (no auth)' callers are not one principal");
      }
    }
  }

  @Test
  void aStreamWithoutObservationsIsEndedAfterTheIdleTimeoutAndFreesItsSlot() throws Exception {
    FakeClock clock = new FakeClock(1_000_000_000L);
    String name =
        inProcess(
            TestServer.builder(TestServer.movingTo(new double[] {0.3, 0.3, 0.3}, clock))
                .optClock(clock)
                .optAdmission(
                    Admissions.defaults()
                        .optControlStreams(2, 2, 2)
                        .optControlIdleTimeoutMs(30_000)
                        .build()));
    ManagedChannel ch = channel(name);
    StreamCollector empty = new StreamCollector();
    stream(ch, null, "empty", empty, false);
    StreamCollector fed = new StreamCollector();
    StreamObserver<Observation> fedIn = stream(ch, null, "fed", fed, false);
    fedIn.onNext(
        Observations.valid()
            .setRobotId("fed")
            .setJointState(Observations.joints(0.4, -0.2, 0.1))
            .build());
    assertFalse(fed.next(5, TimeUnit.SECONDS).getHeld());
    StreamCollector third = new StreamCollector();
    stream(ch, null, "third", third, true);
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED,
        third.awaitEnd(5, TimeUnit.SECONDS).getCode(),
        "both slots taken");

    clock.advanceMillis(29_900);
    assertNull(empty.endWithin(1500, TimeUnit.MILLISECONDS), "open before the idle timeout");
    assertNull(fed.endWithin(0, TimeUnit.MILLISECONDS));
    clock.advanceMillis(200);
    Status end = empty.awaitEnd(5, TimeUnit.SECONDS);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, end.getCode());
    assertEquals(
        "no observation for 30 s; stream closed to free its slot (admission.control_idle_timeout_ms)",
        end.getDescription());
    assertTrue(empty.chunks().isEmpty(), "no joint state ever: no hold");

    assertEquals(Status.Code.DEADLINE_EXCEEDED, fed.awaitEnd(5, TimeUnit.SECONDS).getCode());
    List<mantis.proto.v1.ActionChunk> chunks = fed.chunks();
    mantis.proto.v1.ActionChunk last = chunks.get(chunks.size() - 1);
    assertTrue(last.getHeld(), "a final hold before the stream ends");
    assertEquals("IDLE_TIMEOUT", last.getInterventions(0).getKind());
    assertArrayEquals(
        new double[] {0.4, -0.2, 0.1},
        last.getPoints(0).getPositionsRadList().stream().mapToDouble(Double::doubleValue).toArray(),
        1e-12);

    StreamCollector again = new StreamCollector();
    stream(ch, null, "again", again, true);
    assertEquals(1, again.chunks().size(), "the slots are free again");
    assertNull(again.endWithin(0, TimeUnit.SECONDS));
  }

  @Test
  void aHalfOpenConnectionLosesItsStreamsToTheServersKeepalive() throws Exception {
    MantisServer server =
        TestServer.builder(
                TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))
            .optHost("127.0.0.1")
            .optPort(0)
            .optWatchdogTimeoutNanos(3_000_000_000L)
            .optAdmission(
                Admissions.defaults()
                    .optControlStreams(1, 1, 1)
                    .optControlIdleTimeoutMs(3_600_000)
                    .optKeepAlive(10_000, 500)
                    .build())
            .build()
            .start();
    open.add(server);
    assertTrue(server.awaitServing(10, TimeUnit.SECONDS));
    FreezingProxy proxy = new FreezingProxy(server.port());
    open.add(proxy);
    ManagedChannel viaProxy =
        NettyChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext().build();
    open.add(viaProxy::shutdownNow);
    StreamCollector robot = new StreamCollector();
    stream(viaProxy, null, "wifi-robot", robot, true);
    assertEquals(1, robot.chunks().size());
    proxy.freeze(); // the robot's Wi-Fi drops: no FIN, no RST, nothing more either way

    ManagedChannel direct =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    open.add(direct::shutdownNow);
    long deadline = System.nanoTime() + 25_000_000_000L; // gRPC's shortest keepalive time is 10 s
    while (true) {
      StreamCollector next = new StreamCollector();
      StreamObserver<Observation> in = stream(direct, null, "next-robot", next, true);
      if (!next.chunks().isEmpty()) {
        in.onCompleted();
        break;
      }
      Status refused = next.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode(), refused.toString());
      assertTrue(
          System.nanoTime() < deadline,
          "the half-open connection still holds the only slot after 25 s");
      Thread.sleep(200);
    }
  }

  /** A TCP proxy for one connection that can stop forwarding while keeping both sockets open. */
  private static final class FreezingProxy implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final int target;
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean frozen;
    private volatile boolean closed;

    FreezingProxy(int target) throws IOException {
      this.target = target;
      Thread t = new Thread(this::acceptOne, "freezing-proxy");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    void freeze() {
      frozen = true;
    }

    private void acceptOne() {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(server);
        }
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        // closed
      }
    }

    private void pump(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[8192];
                try {
                  InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream();
                  while (!closed) {
                    if (frozen) {
                      Thread.sleep(50); // read nothing, forward nothing, close nothing
                      continue;
                    }
                    if (in.available() == 0) {
                      Thread.sleep(1);
                      continue;
                    }
                    int n = in.read(buf);
                    if (n < 0) {
                      return;
                    }
                    if (!frozen) {
                      out.write(buf, 0, n);
                      out.flush();
                    }
                  }
                } catch (IOException | InterruptedException e) {
                  // closed
                }
              },
              "freezing-proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      closed = true;
      listener.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }
}
