package mantis.ros.tcpros;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import mantis.ros.msg.RosMessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher side of one topic: the subscriber connections a {@link TcprosServer} handed over,
 * each with its own bounded drop-oldest queue and writer thread. {@link #publish} encodes once and
 * queues the same bytes on every connection; it never blocks on I/O.
 *
 * @param <T> the message record
 */
public final class Publication<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Publication.class);

  private final String callerId;
  private final String topic;
  private final RosMessageType<T> type;
  private final boolean latch;
  private final int queueSize;
  private final Object lock = new Object();
  private final List<OutConnection> connections = new CopyOnWriteArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong droppedByClosed = new AtomicLong();
  private byte[] latched; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * @param callerId this node's name, sent in the reply header
   * @param topic the global topic name
   * @param type the message type
   * @param latch keep the last message and send it to each new subscriber first
   * @param queueSize messages queued per subscriber before the oldest is dropped (>= 1)
   */
  public Publication(
      String callerId, String topic, RosMessageType<T> type, boolean latch, int queueSize) {
    this.callerId = Objects.requireNonNull(callerId, "callerId");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.type = Objects.requireNonNull(type, "type");
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be >= 1, got " + queueSize);
    }
    this.latch = latch;
    this.queueSize = queueSize;
  }

  public String topic() {
    return topic;
  }

  public RosMessageType<T> type() {
    return type;
  }

  /**
   * Encodes {@code message} once and queues it on every subscriber connection (dropping each
   * connection's oldest queued message if its queue is full). Ignored after {@link #close()}.
   *
   * @throws mantis.ros.msg.MessageFormatException if the message cannot be encoded
   */
  public void publish(T message) {
    Objects.requireNonNull(message, "message");
    byte[] payload = type.encode(message);
    synchronized (lock) {
      if (closed) {
        return;
      }
      published.incrementAndGet();
      if (latch) {
        latched = payload;
      }
      for (OutConnection c : connections) {
        c.offer(payload);
      }
    }
  }

  /**
   * Waits until every message published so far has been written to each open subscriber's socket
   * (or that subscriber disconnected), at most {@code timeout}: call it before closing to let a
   * last message leave.
   *
   * @return true if everything was written in time
   */
  public boolean flush(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean all = true;
    for (OutConnection c : connections) {
      all &= c.awaitDrained(deadline);
    }
    return all;
  }

  /** Subscriber connections currently open. */
  public int subscriberCount() {
    return connections.size();
  }

  /** Messages passed to {@link #publish} so far (before close). */
  public long published() {
    return published.get();
  }

  /** Messages dropped from full subscriber queues so far, summed over all connections. */
  public long dropped() {
    long sum = droppedByClosed.get();
    for (OutConnection c : connections) {
      sum += c.dropped();
    }
    return sum;
  }

  /** The open subscriber connections. */
  public List<BusConnection> connections() {
    List<BusConnection> out = new ArrayList<>();
    for (OutConnection c : connections) {
      out.add(c.info());
    }
    return out;
  }

  /** Closes every subscriber connection; later subscribers are refused. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      latched = null;
    }
    for (OutConnection c : connections) {
      c.close();
    }
  }

  /**
   * Handles a subscriber whose header asked for this topic: checks its md5sum, then either replies
   * {@code error=...} and throws, or hands the socket to a new writer (which sends the reply
   * header, then the latched message if any).
   *
   * @return the new connection, or null for a probe (answered and closed)
   * @throws BadPeerException if the subscriber was refused (the error header was sent)
   */
  OutConnection accept(Socket socket, ConnectionHeader request, String peer) throws IOException {
    String md5 = request.get("md5sum").orElse(null);
    if (md5 == null) {
      throw refuse(socket, "connection header has no md5sum field");
    }
    if (!md5.equals("*") && !md5.equals(type.md5sum())) {
      throw refuse(
          socket,
          "md5sum mismatch: subscriber wants "
              + request.get("type").orElse("?")
              + " ("
              + md5
              + "), "
              + topic
              + " publishes "
              + type.type()
              + " ("
              + type.md5sum()
              + ")");
    }
    socket.setTcpNoDelay(request.get("tcp_nodelay").map("1"::equals).orElse(false));
    Map<String, String> reply = new LinkedHashMap<>();
    reply.put("callerid", callerId);
    reply.put("latching", latch ? "1" : "0");
    reply.put("md5sum", type.md5sum());
    reply.put("message_definition", type.definition());
    reply.put("topic", topic);
    reply.put("type", type.type());
    byte[] replyBytes = ConnectionHeader.of(reply).encode();
    if (request.get("probe").map("1"::equals).orElse(false)) {
      OutputStream out = socket.getOutputStream();
      out.write(replyBytes);
      out.flush();
      socket.close();
      return null;
    }
    OutConnection c = new OutConnection(this, socket, peer, replyBytes, queueSize);
    synchronized (lock) {
      if (closed) {
        throw refuse(socket, "topic " + topic + " is no longer published");
      }
      connections.add(c);
      if (latched != null) {
        c.offer(latched);
      }
    }
    c.start();
    log.debug("TCPROS: subscriber {} connected to {} (connection {})", peer, topic, c.id);
    return c;
  }

  /** Called once by a connection as it closes. */
  void removed(OutConnection c) {
    if (connections.remove(c)) {
      droppedByClosed.addAndGet(c.dropped());
    }
  }

  /** Sends {@code error=reason}, closes, and returns the exception to throw. */
  static BadPeerException refuse(Socket socket, String reason) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(ConnectionHeader.of(Map.of("error", reason)).encode());
      out.flush();
    } catch (IOException ignored) {
      // the peer is gone; nothing to tell it
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    return new BadPeerException(reason);
  }

  @Override
  public String toString() {
    return "Publication[" + topic + ", " + type.type() + "]";
  }
}
