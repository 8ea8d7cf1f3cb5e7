package mantis.ros.tcpros;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import mantis.ros.msg.InvalidMessageException;
import mantis.ros.msg.MessageFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber side's connection to one publisher: one thread that resolves, connects,
 * handshakes, reads frames and hands decoded messages to the {@link Subscription}; and, while the
 * publisher stays in the subscription's set, reconnects with backoff (100 ms doubling to 5 s) after
 * the connection breaks. A publisher that breaks the protocol (bad header, bad framing, a message
 * that does not have the type's layout) is retried at the longest backoff. A message that parses
 * but holds values its type rejects ({@link InvalidMessageException}, e.g. a JointState with 3
 * names and 2 positions) is dropped alone and counted by the {@link Subscription}: the framing is
 * intact, so the connection stays up.
 */
final class InConnection {
  private static final Logger log = LoggerFactory.getLogger(InConnection.class);
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5000;

  final int id;
  final String uri;
  private final Subscription<?> owner;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean connected;
  private volatile Socket socket;
  private String lastProblem; // only touched by the thread
  private boolean handshook; // this attempt got past the handshake; only touched by the thread

  InConnection(Subscription<?> owner, String uri) {
    this.id = Wire.IDS.incrementAndGet();
    this.owner = owner;
    this.uri = uri;
    this.thread = new Thread(this::run, "tcpros-in-" + owner.topic() + "-" + id);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean isConnected() {
    return connected;
  }

  BusConnection info() {
    return new BusConnection(id, uri, 'i', owner.topic(), connected);
  }

  /** Closes the socket and stops reconnecting; idempotent. */
  void close() {
    closed = true;
    connected = false;
    Socket s = socket;
    if (s != null) {
      TcprosServer.closeQuietly(s);
    }
    thread.interrupt();
  }

  private void run() {
    Backoff backoff = new Backoff(FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
    while (!closed) {
      handshook = false;
      try {
        connectAndRead();
      } catch (BadPeerException | MalformedHeaderException e) {
        protocolFailure(e.getMessage(), backoff);
      } catch (IOException e) {
        if (!closed) {
          if (handshook) {
            log.info(
                "TCPROS: lost connection to publisher {} of {}: {}; reconnecting",
                uri,
                owner.topic(),
                e.getMessage());
          } else {
            log.debug(
                "TCPROS: publisher {} of {} unreachable: {}", uri, owner.topic(), e.toString());
          }
        }
      } catch (RuntimeException e) {
        protocolFailure(e.toString(), backoff);
      } finally {
        connected = false;
        Socket s = socket;
        if (s != null) {
          TcprosServer.closeQuietly(s);
        }
      }
      if (closed) {
        return;
      }
      if (handshook && lastProblem == null) {
        backoff.reset();
      }
      try {
        Thread.sleep(backoff.next());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One WARN per distinct problem (repeats at DEBUG), then the longest backoff. */
  private void protocolFailure(String problem, Backoff backoff) {
    if (closed) {
      return;
    }
    if (problem.equals(lastProblem)) {
      log.debug("TCPROS: publisher {} of {} again: {}", uri, owner.topic(), problem);
    } else {
      log.warn(
          "TCPROS: dropped connection to publisher {} on topic {}: {}",
          uri,
          owner.topic(),
          problem);
    }
    lastProblem = problem;
    backoff.toMax();
  }

  /**
   * One connection: returns normally when the publisher closes the stream cleanly at a frame
   * boundary after a successful handshake (or when closed).
   */
  private void connectAndRead() throws IOException {
    String topic = owner.topic();
    TcprosLimits limits = owner.limits();
    InetSocketAddress addr = owner.resolver().resolve(uri, topic);
    if (addr == null) {
      throw new IOException("resolver returned no address");
    }
    Socket s = new Socket();
    socket = s;
    if (closed) {
      s.close();
      return;
    }
    s.setTcpNoDelay(owner.tcpNoDelay());
    s.connect(addr, limits.handshakeTimeoutMs());
    s.setSoTimeout(limits.handshakeTimeoutMs());
    OutputStream out = s.getOutputStream();
    out.write(owner.requestHeader().encode());
    out.flush();
    InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
    ConnectionHeader reply;
    try {
      reply = ConnectionHeader.read(in, limits.maxHeaderBytes());
    } catch (SocketTimeoutException e) {
      throw new BadPeerException(
          "no connection header from "
              + addr
              + " within "
              + limits.handshakeTimeout().toMillis()
              + " ms");
    }
    if (reply.get("error").isPresent()) {
      throw new BadPeerException("publisher refused: " + reply.get("error").get());
    }
    String md5 = reply.get("md5sum").orElse(null);
    String want = owner.type().md5sum();
    if (md5 == null) {
      throw new BadPeerException("reply header has no md5sum field");
    }
    if (!md5.equals(want) && !md5.equals("*") && !want.equals("*")) {
      throw new BadPeerException(
          "md5sum mismatch: publisher sends "
              + reply.get("type").orElse("?")
              + " ("
              + md5
              + "), expected "
              + owner.type().type()
              + " ("
              + want
              + ")");
    }
    s.setSoTimeout(0);
    handshook = true;
    connected = true;
    if (lastProblem != null) {
      log.info("TCPROS: connected to publisher {} of {} again", uri, topic);
      lastProblem = null;
    }
    log.debug("TCPROS: connected to publisher {} of {} at {}", uri, topic, addr);
    MessageOrigin origin = new MessageOrigin(reply.get("callerid").orElse(""), uri);
    String peer = origin.toString();
    int max = limits.maxMessageBytes();
    while (!closed) {
      long len;
      try {
        len = Wire.readUint32(in, "message length");
      } catch (EOFException e) {
        throw new BadPeerException(e.getMessage());
      }
      if (len < 0) {
        if (!closed) {
          log.info("TCPROS: publisher {} of {} closed the connection; reconnecting", uri, topic);
        }
        return;
      }
      if (len > max) {
        throw new BadPeerException(
            "message length " + len + " exceeds the limit of " + max + " bytes");
      }
      byte[] payload;
      try {
        payload = Wire.readExactly(in, (int) len, "message");
      } catch (EOFException e) {
        throw new BadPeerException(e.getMessage());
      }
      Object message;
      try {
        message = owner.type().decode(payload);
      } catch (InvalidMessageException e) {
        owner.invalid(peer, e.getMessage());
        continue;
      } catch (MessageFormatException e) {
        throw new BadPeerException("undecodable message: " + e.getMessage(), e);
      }
      owner.deliver(message, origin);
    }
  }
}
