package mantis.ros.tcpros;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import mantis.ros.msg.RosMessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber side of one topic: one connection (and reader thread) per publisher in the set
 * given to {@link #setPublishers}, one bounded queue that drops the oldest message when the
 * callback falls behind, and one dispatcher thread that calls the callback in arrival order. A
 * callback that throws is logged and the subscription goes on. A message that parses but breaks its
 * type's rules (a {@link mantis.ros.msg.InvalidMessageException}) is dropped alone and counted
 * ({@link #invalid()}), with at most one WARN per 5 s naming the topic, the publisher and the
 * reason; its connection stays up. A callback may also take each message's {@link MessageOrigin}
 * (the publisher's caller id from its connection header, and its URI).
 *
 * @param <T> the message record
 */
public final class Subscription<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Subscription.class);

  /** At most one WARN per this period about invalid messages on one subscription, ms. */
  static final long INVALID_WARN_PERIOD_MS = 5000;

  private final String callerId;
  private final String topic;
  private final RosMessageType<T> type;
  private final int queueSize;
  private final boolean tcpNoDelay;
  private final BiConsumer<? super T, MessageOrigin> callback;
  private final PublisherResolver resolver;
  private final TcprosLimits limits;
  private final ConnectionHeader requestHeader;
  private final Map<String, InConnection> connections = new ConcurrentHashMap<>();
  private final ArrayDeque<Delivery<T>> queue;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final Object warnLock = new Object();
  private long lastInvalidWarnNanos; // guarded by warnLock
  private boolean warnedInvalid; // guarded by warnLock
  private long invalidSinceWarn; // guarded by warnLock
  private Thread dispatcher; // guarded by this
  private volatile boolean closed;

  /** One queued message and where it came from. */
  private record Delivery<T>(T message, MessageOrigin origin) {}

  /**
   * @param callerId this node's name, sent in the connection header
   * @param topic the global topic name
   * @param type the message type (its md5sum must match the publishers')
   * @param queueSize messages queued for the callback before the oldest is dropped (>= 1)
   * @param tcpNoDelay ask publishers for {@code TCP_NODELAY} (and set it on this side)
   * @param callback called on the dispatcher thread, in arrival order
   * @param resolver turns a publisher URI into its TCPROS address ({@code requestTopic})
   * @param limits header and message size limits and the handshake timeout
   */
  public Subscription(
      String callerId,
      String topic,
      RosMessageType<T> type,
      int queueSize,
      boolean tcpNoDelay,
      Consumer<? super T> callback,
      PublisherResolver resolver,
      TcprosLimits limits) {
    this(callerId, topic, type, queueSize, tcpNoDelay, ignoringOrigin(callback), resolver, limits);
  }

  /**
   * Like the constructor, with a callback that also gets each message's {@link MessageOrigin}.
   *
   * @param callback called on the dispatcher thread, in arrival order, with the message and its
   *     publisher
   */
  public static <T> Subscription<T> withOrigin(
      String callerId,
      String topic,
      RosMessageType<T> type,
      int queueSize,
      boolean tcpNoDelay,
      BiConsumer<? super T, MessageOrigin> callback,
      PublisherResolver resolver,
      TcprosLimits limits) {
    return new Subscription<>(
        callerId,
        topic,
        type,
        queueSize,
        tcpNoDelay,
        Objects.requireNonNull(callback, "callback"),
        resolver,
        limits);
  }

  private Subscription(
      String callerId,
      String topic,
      RosMessageType<T> type,
      int queueSize,
      boolean tcpNoDelay,
      BiConsumer<? super T, MessageOrigin> callback,
      PublisherResolver resolver,
      TcprosLimits limits) {
    this.callerId = Objects.requireNonNull(callerId, "callerId");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.type = Objects.requireNonNull(type, "type");
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be >= 1, got " + queueSize);
    }
    this.queueSize = queueSize;
    this.tcpNoDelay = tcpNoDelay;
    this.callback = Objects.requireNonNull(callback, "callback");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.queue = new ArrayDeque<>(Math.min(queueSize, 64));
    Map<String, String> h = new LinkedHashMap<>();
    h.put("message_definition", type.definition());
    h.put("callerid", callerId);
    h.put("topic", topic);
    h.put("md5sum", type.md5sum());
    h.put("type", type.type());
    h.put("tcp_nodelay", tcpNoDelay ? "1" : "0");
    this.requestHeader = ConnectionHeader.of(h);
  }

  private static <T> BiConsumer<T, MessageOrigin> ignoringOrigin(Consumer<? super T> callback) {
    Objects.requireNonNull(callback, "callback");
    return (message, origin) -> callback.accept(message);
  }

  public String topic() {
    return topic;
  }

  public RosMessageType<T> type() {
    return type;
  }

  /** Starts the callback dispatcher thread. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (dispatcher != null) {
      throw new IllegalStateException("already started");
    }
    dispatcher = new Thread(this::dispatchLoop, "tcpros-dispatch-" + topic);
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  /**
   * The current publishers of the topic (slave URIs, from {@code registerSubscriber} or {@code
   * publisherUpdate}): connects to new ones, closes those no longer listed.
   */
  public synchronized void setPublishers(Collection<String> publisherUris) {
    if (closed) {
      return;
    }
    Set<String> wanted = new HashSet<>(publisherUris);
    for (Map.Entry<String, InConnection> e : connections.entrySet()) {
      if (!wanted.contains(e.getKey())) {
        connections.remove(e.getKey());
        e.getValue().close();
        log.debug("TCPROS: {} no longer publishes {}", e.getKey(), topic);
      }
    }
    for (String uri : wanted) {
      if (!connections.containsKey(uri)) {
        InConnection c = new InConnection(this, uri);
        connections.put(uri, c);
        c.start();
      }
    }
  }

  /** Publisher connections currently open (handshake done). */
  public int publisherCount() {
    int n = 0;
    for (InConnection c : connections.values()) {
      if (c.isConnected()) {
        n++;
      }
    }
    return n;
  }

  /** Messages decoded so far. */
  public long received() {
    return received.get();
  }

  /** Messages dropped from the full callback queue so far. */
  public long dropped() {
    return dropped.get();
  }

  /** Messages dropped because they parsed but broke their type's rules, so far. */
  public long invalid() {
    return invalid.get();
  }

  /** One entry per publisher in the current set, connected or (re)connecting. */
  public List<BusConnection> connections() {
    List<BusConnection> out = new ArrayList<>();
    for (InConnection c : connections.values()) {
      out.add(c.info());
    }
    return out;
  }

  /** Closes every publisher connection and stops the dispatcher. Idempotent. */
  @Override
  public void close() {
    Thread d;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      d = dispatcher;
    }
    for (InConnection c : connections.values()) {
      c.close();
    }
    connections.clear();
    lock.lock();
    try {
      queue.clear();
      ready.signalAll();
    } finally {
      lock.unlock();
    }
    if (d != null && d != Thread.currentThread()) {
      d.interrupt();
    }
  }

  // ---- used by InConnection ----

  String callerId() {
    return callerId;
  }

  TcprosLimits limits() {
    return limits;
  }

  PublisherResolver resolver() {
    return resolver;
  }

  boolean tcpNoDelay() {
    return tcpNoDelay;
  }

  ConnectionHeader requestHeader() {
    return requestHeader;
  }

  /** One message from {@code peer} parsed but was invalid: count it, WARN at a bounded rate. */
  void invalid(String peer, String reason) {
    invalid.incrementAndGet();
    long now = System.nanoTime();
    long suppressed;
    synchronized (warnLock) {
      if (warnedInvalid && now - lastInvalidWarnNanos < INVALID_WARN_PERIOD_MS * 1_000_000L) {
        invalidSinceWarn++;
        return;
      }
      warnedInvalid = true;
      lastInvalidWarnNanos = now;
      suppressed = invalidSinceWarn;
      invalidSinceWarn = 0;
    }
    log.warn(
        "TCPROS: dropped one message on {} from publisher {}: {}; the connection stays up"
            + " ({} invalid messages so far{})",
        topic,
        peer,
        reason,
        invalid.get(),
        suppressed > 0 ? ", " + suppressed + " not logged since the last warning" : "");
  }

  @SuppressWarnings("unchecked")
  void deliver(Object message, MessageOrigin origin) {
    received.incrementAndGet();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (queue.size() >= queueSize) {
        queue.pollFirst();
        dropped.incrementAndGet();
      }
      queue.addLast(new Delivery<>((T) message, origin));
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  private void dispatchLoop() {
    while (true) {
      Delivery<T> message;
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          ready.await();
        }
        if (closed) {
          return;
        }
        message = queue.pollFirst();
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        callback.accept(message.message(), message.origin());
      } catch (RuntimeException | LinkageError | AssertionError e) {
        log.warn("TCPROS: the callback for {} threw; going on", topic, e);
      }
    }
  }

  @Override
  public String toString() {
    return "Subscription[" + topic + ", " + type.type() + "]";
  }
}
