package mantis.ros.tcpros;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's TCPROS listening socket. Each accepted connection gets a thread that reads the
 * subscriber's connection header (within the handshake timeout), hands it to the {@link
 * Publication} of the requested topic, and then watches the socket so a subscriber that hangs up is
 * noticed without waiting for the next publish. Unknown topics, md5sum mismatches and malformed
 * headers are answered with {@code error=...} (where a reply is possible) and closed, with one WARN
 * line.
 */
public final class TcprosServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcprosServer.class);

  /** Connections still in their handshake beyond this are closed at once. */
  static final int MAX_PENDING_HANDSHAKES = 128;

  private final String bindHost;
  private final int requestedPort;
  private final String callerId;
  private final TcprosLimits limits;
  private final Map<String, Publication<?>> publications = new ConcurrentHashMap<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile ServerSocket server;
  private volatile boolean closed;

  /**
   * @param bindHost the address to listen on, or null / empty for every interface
   * @param port the port, 0 for any free one
   * @param callerId this node's name, sent in error replies
   * @param limits header size and handshake timeout
   */
  public TcprosServer(String bindHost, int port, String callerId, TcprosLimits limits) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    this.bindHost = bindHost;
    this.requestedPort = port;
    this.callerId = Objects.requireNonNull(callerId, "callerId");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** Binds the socket and starts accepting. */
  public synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    ServerSocket s = new ServerSocket();
    try {
      s.setReuseAddress(true);
      InetSocketAddress addr =
          bindHost == null || bindHost.isEmpty()
              ? new InetSocketAddress(requestedPort)
              : new InetSocketAddress(InetAddress.getByName(bindHost), requestedPort);
      s.bind(addr, 128);
    } catch (IOException e) {
      s.close();
      String host = bindHost == null || bindHost.isEmpty() ? "*" : bindHost;
      throw new IOException(
          "cannot bind the TCPROS server to " + host + ":" + requestedPort + ": " + e.getMessage(),
          e);
    }
    server = s;
    Thread t = new Thread(this::acceptLoop, "tcpros-accept-" + s.getLocalPort());
    t.setDaemon(true);
    t.start();
    log.debug("TCPROS server for {} listening on {}", callerId, s.getLocalSocketAddress());
  }

  /** The bound port; valid after {@link #start()}. */
  public int port() {
    ServerSocket s = server;
    if (s == null) {
      throw new IllegalStateException("not started");
    }
    return s.getLocalPort();
  }

  /** Makes {@code publication} available to subscribers of its topic (replacing any other). */
  public void add(Publication<?> publication) {
    publications.put(publication.topic(), publication);
  }

  /**
   * New subscribers of {@code topic} are refused from now on; connections already handed to the
   * publication stay until the publication is closed.
   */
  public void remove(String topic) {
    publications.remove(topic);
  }

  /** Stops accepting and closes every connection this server accepted. Idempotent. */
  @Override
  public void close() {
    closed = true;
    ServerSocket s = server;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    for (Socket c : sockets) {
      closeQuietly(c);
    }
  }

  private void acceptLoop() {
    ServerSocket s = server;
    while (!closed) {
      Socket socket;
      try {
        socket = s.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn(
              "TCPROS server on port {} stopped accepting: {}", s.getLocalPort(), e.getMessage());
        }
        return;
      }
      String peer = String.valueOf(socket.getRemoteSocketAddress());
      if (pending.incrementAndGet() > MAX_PENDING_HANDSHAKES) {
        pending.decrementAndGet();
        log.warn(
            "TCPROS: dropped connection from {} on topic ?: more than {} handshakes pending",
            peer,
            MAX_PENDING_HANDSHAKES);
        closeQuietly(socket);
        continue;
      }
      sockets.add(socket);
      if (closed) {
        closeQuietly(socket);
      }
      Thread t = new Thread(() -> serve(socket, peer), "tcpros-handshake-" + peer);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket socket, String address) {
    String topic = "?";
    String peer = address;
    OutConnection conn = null;
    try {
      ConnectionHeader request;
      try {
        socket.setSoTimeout(limits.handshakeTimeoutMs());
        InputStream in = socket.getInputStream();
        request = ConnectionHeader.read(in, limits.maxHeaderBytes());
      } catch (SocketTimeoutException e) {
        throw new BadPeerException(
            "no connection header within " + limits.handshakeTimeout().toMillis() + " ms");
      } finally {
        pending.decrementAndGet();
      }
      peer = request.get("callerid").map(c -> c + " (" + address + ")").orElse(address);
      if (request.get("service").isPresent()) {
        throw Publication.refuse(socket, "this node offers no services");
      }
      topic = request.get("topic").orElse(null);
      if (topic == null) {
        topic = "?";
        throw Publication.refuse(socket, "connection header has no topic field");
      }
      Publication<?> pub = publications.get(topic);
      if (pub == null) {
        throw Publication.refuse(socket, callerId + " does not publish " + topic);
      }
      conn = pub.accept(socket, request, request.get("callerid").orElse(address));
      if (conn == null) {
        return; // probe answered
      }
      socket.setSoTimeout(0);
      // Subscribers send nothing after the header; reading notices when they hang up.
      Thread.currentThread().setName("tcpros-out-watch-" + topic + "-" + conn.id);
      InputStream in = socket.getInputStream();
      byte[] sink = new byte[256];
      while (in.read(sink) >= 0) {
        // ignore anything the subscriber sends
      }
      if (conn.isOpen()) {
        log.info("TCPROS: subscriber {} of {} disconnected", peer, topic);
      }
    } catch (BadPeerException | MalformedHeaderException e) {
      log.warn("TCPROS: dropped connection from {} on topic {}: {}", peer, topic, e.getMessage());
    } catch (IOException e) {
      if (!closed && (conn == null || conn.isOpen())) {
        log.info("TCPROS: connection from {} on topic {} closed: {}", peer, topic, e.getMessage());
      }
    } finally {
      if (conn != null) {
        conn.close();
      }
      closeQuietly(socket);
      sockets.remove(socket);
    }
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
