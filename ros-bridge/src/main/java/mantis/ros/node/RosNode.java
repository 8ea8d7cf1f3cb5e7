package mantis.ros.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import mantis.ros.master.MasterClient;
import mantis.ros.master.RosMasterException;
import mantis.ros.master.RosResponses;
import mantis.ros.msg.Clock;
import mantis.ros.msg.Header;
import mantis.ros.msg.Log;
import mantis.ros.msg.RosMessageType;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosTime;
import mantis.ros.tcpros.BusConnection;
import mantis.ros.tcpros.MessageOrigin;
import mantis.ros.tcpros.Publication;
import mantis.ros.tcpros.Subscription;
import mantis.ros.tcpros.TcprosLimits;
import mantis.ros.tcpros.TcprosServer;
import mantis.ros.xmlrpc.XmlRpcClient;
import mantis.ros.xmlrpc.XmlRpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ROS 1 node: an XML-RPC slave API server, a TCPROS server for its publications, and a client of
 * the master. {@link #start()} binds the servers and registers with the master; it succeeds even
 * when the master is down, and registrations are (re)sent in the background until the master
 * answers. While running, the node watches the master (its pid and its record of this node) and
 * re-registers every publisher and subscriber after a master restart; subscribers reconnect, with
 * backoff, to publishers whose connection broke while the master still lists them.
 *
 * <p>Topic names: absolute names are kept; relative names are resolved against the root namespace
 * {@code /}; private names {@code ~x} become {@code /<node name>/x}. Parameter keys resolve the
 * same way.
 *
 * <p>One publisher and one subscriber per topic and node: a second {@link #advertise} (or {@link
 * #subscribe}) of a topic that is still open is refused with an {@link IllegalStateException}
 * (share the first object instead); a topic published and subscribed with different types is
 * refused with an {@link IllegalArgumentException}.
 *
 * <p>Threads (all daemons): the XML-RPC server's pool ({@code xmlrpc-N-M}), the TCPROS accept
 * thread and one thread per connection (see {@code mantis.ros.tcpros}), one callback thread per
 * subscriber, and the master watcher ({@code ros-master-watch/<name>}), which polls the master
 * every {@link Builder#optMasterPollPeriod poll period} with {@code getPid} and {@code lookupNode}:
 * when the master is unreachable the node counts as unregistered and keeps polling; when it answers
 * with a new pid, does not know this node, or comes back after being unreachable, every publisher
 * and subscriber is registered again (a subscriber gets the master's fresh publisher list, plus the
 * publishers it is still connected to, since peers from before the restart may not re-register).
 * Registration failures never throw from {@link #advertise} or {@link #subscribe}; they are retried
 * on every poll.
 *
 * <p>Parameter values are XML-RPC values: Integer, Boolean, String, Double, List, Map with String
 * keys, byte[] (see {@code mantis.ros.xmlrpc}).
 *
 * <p>Like rospy, the node publishes its log lines on {@code /rosout} ({@code rosgraph_msgs/Log},
 * latched; {@link #logger(Class)} gives an SLF4J logger that feeds it; {@link
 * Builder#optRosout(boolean) optRosout(false)} turns it off) and follows simulated time: when the
 * master's {@code /use_sim_time} is true, the node subscribes to {@code /clock} and {@link #now()}
 * is the latest {@code rosgraph_msgs/Clock} received (0 before the first one, as in rospy); else it
 * is the wall clock. The parameter is read once the master first answers (in {@link #start()}, or
 * by the watcher if the master was down then) and again after a master restart. Both topics are the
 * node's own: {@link #advertise} of {@code /rosout} or {@link #subscribe} to {@code /clock} is then
 * refused as for any topic already open.
 *
 * <p>Shutdown requests: a peer calling the slave API's {@code shutdown} ({@code rosnode kill}, or
 * the master when another node takes this name) runs the {@link Builder#optShutdownHandler shutdown
 * handler} on a thread of its own, with the node still up so the handler can publish last messages,
 * and then closes the node; without a handler the node just closes.
 */
public final class RosNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RosNode.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);

  private final String name;
  private final URI masterUri;
  private final String host;
  private final int xmlRpcPort;
  private final int tcpPort;
  private final Duration pollPeriod;
  private final Duration callTimeout;
  private final TcprosLimits limits;
  private final boolean rosoutEnabled;
  private final Consumer<ShutdownRequest> shutdownHandler;
  private final MasterClient master;
  private final Map<String, NodePublisher<?>> publishers = new ConcurrentHashMap<>();
  private final Map<String, NodeSubscriber<?>> subscribers = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();

  private XmlRpcServer xmlRpc; // guarded by lifecycle
  private TcprosServer tcpros; // guarded by lifecycle
  private Thread watcher; // guarded by lifecycle
  private volatile URI slaveUri;
  private volatile int tcprosPort;
  private volatile boolean started;
  private volatile boolean closed;
  private volatile boolean masterReachable;
  private volatile Integer masterPid;
  private volatile boolean warnedForeignUri;
  private volatile NodePublisher<Log> rosout;
  private final AtomicLong rosoutSeq = new AtomicLong();

  /** /use_sim_time as last read: null until the master answered. */
  private volatile Boolean simTime;

  /** The latest /clock; null before the first. */
  private volatile RosTime simNow;

  private volatile ShutdownRequest shutdownRequest;

  private RosNode(Builder b) {
    this.name = b.name;
    this.masterUri = b.masterUri;
    this.host = b.host;
    this.xmlRpcPort = b.xmlRpcPort;
    this.tcpPort = b.tcpPort;
    this.pollPeriod = b.pollPeriod;
    this.callTimeout = b.callTimeout;
    this.limits = b.limits;
    this.rosoutEnabled = b.rosout;
    this.shutdownHandler = b.shutdownHandler;
    this.master = new MasterClient(masterUri, name, callTimeout);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The node's global name, e.g. {@code /mantis_bridge}. */
  public String name() {
    return name;
  }

  /** The master's URI. */
  public URI masterUri() {
    return masterUri;
  }

  /** The host name or IP other nodes use to reach this node. */
  public String host() {
    return host;
  }

  /** This node's slave API URI ({@code http://host:port/}); valid after {@link #start()}. */
  public URI slaveUri() {
    URI u = slaveUri;
    if (u == null) {
      throw new IllegalStateException("node " + name + " is not started");
    }
    return u;
  }

  /** The TCPROS server's port; valid after {@link #start()}. */
  public int tcprosPort() {
    if (!started) {
      throw new IllegalStateException("node " + name + " is not started");
    }
    return tcprosPort;
  }

  /** The master client this node uses (its caller id is {@link #name()}). */
  public MasterClient master() {
    return master;
  }

  /**
   * Binds the XML-RPC and TCPROS servers to the address {@link #host()} resolves to (the address
   * other nodes are told, not every interface: with {@code ROS_IP=127.0.0.1} nothing outside this
   * machine reaches them), advertises {@code /rosout} (unless turned off), reads {@code
   * /use_sim_time} if the master answers, and starts the master watcher, which registers with the
   * master.
   *
   * @throws IOException when {@link #host()} does not resolve (naming it) or a server cannot bind
   */
  public void start() throws IOException {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("node " + name + " is closed");
      }
      if (started) {
        throw new IllegalStateException("node " + name + " is already started");
      }
      String bindAddress = bindAddress(host);
      TcprosServer t = new TcprosServer(bindAddress, tcpPort, name, limits);
      XmlRpcServer x = new XmlRpcServer(bindAddress, xmlRpcPort, new SlaveApi(this));
      try {
        t.start();
        x.start();
      } catch (IOException | RuntimeException e) {
        t.close();
        x.close();
        throw e;
      }
      tcpros = t;
      xmlRpc = x;
      tcprosPort = t.port();
      slaveUri = URI.create("http://" + uriHost(host) + ":" + x.port() + "/");
      started = true;
    }
    if (rosoutEnabled) {
      rosout = open("/rosout", RosMessages.LOG, new PublisherOptions(true, 100), false);
    }
    readSimTime();
    synchronized (lifecycle) {
      if (!closed) {
        watcher = new Thread(this::watchLoop, "ros-master-watch" + name);
        watcher.setDaemon(true);
        watcher.start();
      }
    }
    LOG.info(
        "node {} serving {} (TCPROS port {}), master {}{}",
        name,
        slaveUri,
        tcprosPort,
        masterUri,
        Boolean.TRUE.equals(simTime) ? ", simulated time from /clock" : "");
  }

  /** Advertises {@code topic}; the master is told now (or as soon as it answers). */
  public <T> RosPublisher<T> advertise(
      String topic, RosMessageType<T> type, PublisherOptions options) {
    return open(topic, type, options, true);
  }

  /** {@link #advertise}; {@code registerNow} false leaves the registration to the watcher. */
  private <T> NodePublisher<T> open(
      String topic, RosMessageType<T> type, PublisherOptions options, boolean registerNow) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(options, "options");
    String resolved = Names.resolve(name, topic, "topic");
    NodePublisher<T> pub;
    synchronized (lifecycle) {
      requireRunning();
      checkType(resolved, type);
      if (publishers.containsKey(resolved)) {
        throw new IllegalStateException(
            "node "
                + name
                + " already advertises "
                + resolved
                + "; share that RosPublisher or close it first");
      }
      Publication<T> publication =
          new Publication<>(name, resolved, type, options.latch(), options.queueSize());
      pub = new NodePublisher<>(this, publication);
      publishers.put(resolved, pub);
      tcpros.add(publication);
    }
    if (registerNow) {
      registerPublisher(pub);
    }
    return pub;
  }

  /**
   * Subscribes to {@code topic}; {@code callback} runs on the subscriber's own thread. A callback
   * that throws is logged and the subscription continues.
   */
  public <T> RosSubscriber<T> subscribe(
      String topic,
      RosMessageType<T> type,
      SubscriberOptions options,
      Consumer<? super T> callback) {
    Objects.requireNonNull(callback, "callback");
    return subscribeWithOrigin(topic, type, options, (message, origin) -> callback.accept(message));
  }

  /**
   * Like {@link #subscribe}, with a callback that also gets each message's {@link MessageOrigin}:
   * the publisher's caller id (from its TCPROS connection header) and slave URI. ROS 1 does not
   * authenticate either; use them for logs and audit trails.
   */
  public <T> RosSubscriber<T> subscribeWithOrigin(
      String topic,
      RosMessageType<T> type,
      SubscriberOptions options,
      BiConsumer<? super T, MessageOrigin> callback) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(callback, "callback");
    String resolved = Names.resolve(name, topic, "topic");
    NodeSubscriber<T> sub;
    synchronized (lifecycle) {
      requireRunning();
      checkType(resolved, type);
      if (subscribers.containsKey(resolved)) {
        throw new IllegalStateException(
            "node "
                + name
                + " already subscribes to "
                + resolved
                + "; share that RosSubscriber or close it first");
      }
      Subscription<T> subscription =
          Subscription.withOrigin(
              name,
              resolved,
              type,
              options.queueSize(),
              options.tcpNoDelay(),
              callback,
              this::resolvePublisher,
              limits);
      subscription.start();
      sub = new NodeSubscriber<>(this, subscription);
      subscribers.put(resolved, sub);
    }
    registerSubscriber(sub, false);
    return sub;
  }

  /** The master's parameter server: {@code getParam}. Values are XML-RPC values (see class doc). */
  public Optional<Object> getParam(String key) throws IOException {
    return master.getParam(Names.resolve(name, key, "parameter"));
  }

  /** {@code setParam}. */
  public void setParam(String key, Object value) throws IOException {
    Objects.requireNonNull(value, "value");
    master.setParam(Names.resolve(name, key, "parameter"), value);
  }

  /** {@code hasParam}. */
  public boolean hasParam(String key) throws IOException {
    return master.hasParam(Names.resolve(name, key, "parameter"));
  }

  /** {@code deleteParam}; a {@link RosMasterException} when the key is not set. */
  public void deleteParam(String key) throws IOException {
    master.deleteParam(Names.resolve(name, key, "parameter"));
  }

  /** True when every publisher and subscriber is currently registered with a reachable master. */
  public boolean isRegistered() {
    if (!started || closed || !masterReachable) {
      return false;
    }
    for (NodePublisher<?> p : publishers.values()) {
      if (!p.registered) {
        return false;
      }
    }
    for (NodeSubscriber<?> s : subscribers.values()) {
      if (!s.registered) {
        return false;
      }
    }
    return true;
  }

  /** True once {@link #close()} ran (or a peer called the slave API's {@code shutdown}). */
  public boolean isClosed() {
    return closed;
  }

  /** The shutdown a peer asked for through the slave API, if one did. */
  public Optional<ShutdownRequest> shutdownRequest() {
    return Optional.ofNullable(shutdownRequest);
  }

  /**
   * ROS time now: under simulated time (the master's {@code /use_sim_time} true) the latest {@code
   * /clock} message, or {@link RosTime#ZERO} before the first one; otherwise (and while the master
   * has not answered yet) the wall clock. Use it for header stamps, never for timing.
   */
  public RosTime now() {
    if (Boolean.TRUE.equals(simTime)) {
      RosTime t = simNow;
      return t == null ? RosTime.ZERO : t;
    }
    java.time.Instant w = java.time.Instant.now();
    return new RosTime(w.getEpochSecond(), w.getNano());
  }

  /** True when the master's {@code /use_sim_time} was true when last read (see {@link #now()}). */
  public boolean isSimTime() {
    return Boolean.TRUE.equals(simTime);
  }

  /**
   * An SLF4J logger named after {@code owner} that logs as {@code LoggerFactory.getLogger(owner)}
   * does and also publishes each INFO, WARN and ERROR line that logger has enabled on this node's
   * {@code /rosout}, with the node's name, {@link #now()} as the stamp, the file, method and line
   * of the nearest {@code owner} frame, and the topics the node publishes. Lines logged before
   * {@link #start()} or after {@link #close()}, or with {@code optRosout(false)}, go to SLF4J only.
   */
  public org.slf4j.Logger logger(Class<?> owner) {
    Objects.requireNonNull(owner, "owner");
    return new RosoutLogger(LoggerFactory.getLogger(owner), this, owner.getName());
  }

  boolean publishesRosout() {
    NodePublisher<Log> r = rosout;
    return r != null && !r.closed && !closed;
  }

  /** Publishes one line on /rosout (see {@link #logger}); never throws. */
  void rosout(int level, String text, String file, String function, int line) {
    NodePublisher<Log> r = rosout;
    if (r == null || r.closed || closed) {
      return;
    }
    try {
      List<String> topics = new ArrayList<>(new TreeSet<>(publishers.keySet()));
      long seq = rosoutSeq.getAndIncrement() & 0xFFFFFFFFL;
      r.publish(
          new Log(new Header(seq, now(), ""), level, name, text, file, function, line, topics));
    } catch (RuntimeException e) {
      LOG.debug("node {}: /rosout publish failed: {}", name, e.toString());
    }
  }

  /** The slave API's {@code shutdown}: runs the handler (once) on its own thread, then closes. */
  void shutdownRequested(String callerId, String reason) {
    ShutdownRequest request = new ShutdownRequest(callerId, reason);
    synchronized (lifecycle) {
      if (closed || shutdownRequest != null) {
        return;
      }
      shutdownRequest = request;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                if (shutdownHandler != null) {
                  shutdownHandler.accept(request);
                }
              } catch (RuntimeException e) {
                LOG.warn("node {}: the shutdown handler failed; closing anyway", name, e);
              } finally {
                close();
              }
            },
            "ros-node-shutdown" + name);
    t.setDaemon(true);
    t.start();
  }

  /** Reads /use_sim_time (best effort) and follows /clock when it is true. */
  private void readSimTime() {
    Optional<Object> v;
    try {
      v = master.getParam("/use_sim_time");
    } catch (IOException e) {
      LOG.debug("node {}: /use_sim_time not read yet: {}", name, e.getMessage());
      return;
    }
    boolean on =
        v.map(
                o ->
                    o instanceof Boolean b
                        ? b
                        : o instanceof String str
                            ? Boolean.parseBoolean(str.strip())
                            : o instanceof Integer i && i != 0)
            .orElse(false);
    Boolean was = simTime;
    simTime = on;
    if (on && !Boolean.TRUE.equals(was)) {
      followClock();
    } else if (!on && Boolean.TRUE.equals(was)) {
      LOG.info("node {}: /use_sim_time is false now; stamps follow the wall clock again", name);
    }
  }

  private void followClock() {
    if (subscribers.containsKey("/clock")) {
      LOG.info("node {}: /use_sim_time is true; following /clock", name);
      return;
    }
    try {
      subscribe(
          "/clock",
          RosMessages.CLOCK,
          new SubscriberOptions(1, true),
          (Clock c) -> simNow = c.clock());
      LOG.info(
          "node {}: /use_sim_time is true: stamps follow /clock (0 until the first message)", name);
    } catch (IllegalStateException e) {
      LOG.debug("node {}: not following /clock: {}", name, e.getMessage());
    }
  }

  /** Unregisters everything (best effort, bounded time), closes every connection and server. */
  @Override
  public void close() {
    Thread w;
    XmlRpcServer x;
    TcprosServer t;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      w = watcher;
      x = xmlRpc;
      t = tcpros;
    }
    if (w != null) {
      w.interrupt();
      if (w != Thread.currentThread()) {
        try {
          w.join(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    MasterClient quick = new MasterClient(masterUri, name, CLOSE_TIMEOUT);
    boolean masterUp = started; // the first unanswered call skips the rest
    for (NodePublisher<?> p : new ArrayList<>(publishers.values())) {
      masterUp = closePublisher(p, quick, masterUp);
    }
    for (NodeSubscriber<?> s : new ArrayList<>(subscribers.values())) {
      masterUp = closeSubscriber(s, quick, masterUp);
    }
    if (t != null) {
      t.close();
    }
    if (x != null) {
      x.close();
    }
    LOG.info("node {} closed", name);
  }

  // ---- publishers and subscribers ----

  void closePublisher(NodePublisher<?> p) {
    closePublisher(p, new MasterClient(masterUri, name, CLOSE_TIMEOUT), true);
  }

  void closeSubscriber(NodeSubscriber<?> s) {
    closeSubscriber(s, new MasterClient(masterUri, name, CLOSE_TIMEOUT), true);
  }

  private boolean closePublisher(NodePublisher<?> p, MasterClient quick, boolean masterUp) {
    synchronized (p) {
      if (p.closed) {
        return masterUp;
      }
      p.closed = true;
    }
    synchronized (lifecycle) {
      publishers.remove(p.topic(), p);
      if (tcpros != null) {
        tcpros.remove(p.topic());
      }
    }
    boolean up = masterUp;
    if (up && p.registered) {
      up =
          bestEffort(
              "unregisterPublisher " + p.topic(),
              () -> quick.unregisterPublisher(p.topic(), slaveUri));
    }
    p.registered = false;
    p.publication.close();
    return up;
  }

  private boolean closeSubscriber(NodeSubscriber<?> s, MasterClient quick, boolean masterUp) {
    synchronized (s) {
      if (s.closed) {
        return masterUp;
      }
      s.closed = true;
    }
    subscribers.remove(s.topic(), s);
    boolean up = masterUp;
    if (up && s.registered) {
      up =
          bestEffort(
              "unregisterSubscriber " + s.topic(),
              () -> quick.unregisterSubscriber(s.topic(), slaveUri));
    }
    s.registered = false;
    s.subscription.close();
    return up;
  }

  private interface MasterCall {
    void run() throws IOException;
  }

  /** Returns false when the master did not answer (so later calls are skipped). */
  private boolean bestEffort(String what, MasterCall call) {
    try {
      call.run();
      return true;
    } catch (RosMasterException e) {
      LOG.debug("node {}: {}: {}", name, what, e.getMessage());
      return true;
    } catch (IOException e) {
      LOG.info("node {}: {} skipped, master not answering: {}", name, what, e.getMessage());
      return false;
    }
  }

  NodePublisher<?> publisherOf(String topic) {
    return publishers.get(topic);
  }

  NodeSubscriber<?> subscriberOf(String topic) {
    return subscribers.get(topic);
  }

  List<NodePublisher<?>> publishers() {
    return new ArrayList<>(publishers.values());
  }

  List<NodeSubscriber<?>> subscribers() {
    return new ArrayList<>(subscribers.values());
  }

  private void requireRunning() {
    if (closed) {
      throw new IllegalStateException("node " + name + " is closed");
    }
    if (!started) {
      throw new IllegalStateException("node " + name + " is not started; call start() first");
    }
  }

  private void checkType(String topic, RosMessageType<?> type) {
    NodePublisher<?> p = publishers.get(topic);
    NodeSubscriber<?> s = subscribers.get(topic);
    String other = p != null ? p.type().type() : s != null ? s.type().type() : null;
    String otherMd5 = p != null ? p.type().md5sum() : s != null ? s.type().md5sum() : null;
    if (other != null && (!other.equals(type.type()) || !otherMd5.equals(type.md5sum()))) {
      throw new IllegalArgumentException(
          "topic "
              + topic
              + " is already used by node "
              + name
              + " with type "
              + other
              + ", not "
              + type.type());
    }
  }

  // ---- registration ----

  private void registerPublisher(NodePublisher<?> p) {
    synchronized (p) {
      if (p.closed || closed) {
        return;
      }
      try {
        List<String> subs = master.registerPublisher(p.topic(), p.type().type(), slaveUri);
        p.registered = true;
        LOG.debug(
            "node {}: registered publisher of {} ({} subscribers)", name, p.topic(), subs.size());
      } catch (IOException e) {
        p.registered = false;
        LOG.debug(
            "node {}: registerPublisher {} failed, will retry: {}",
            name,
            p.topic(),
            e.getMessage());
      }
    }
  }

  private void registerSubscriber(NodeSubscriber<?> s, boolean keepConnected) {
    synchronized (s) {
      if (s.closed || closed) {
        return;
      }
      try {
        List<String> pubs = master.registerSubscriber(s.topic(), s.type().type(), slaveUri);
        Set<String> uris = new LinkedHashSet<>(pubs);
        if (keepConnected) {
          for (BusConnection c : s.subscription.connections()) {
            if (c.connected()) {
              uris.add(c.peer());
            }
          }
        }
        s.subscription.setPublishers(uris);
        s.registered = true;
        LOG.debug("node {}: registered subscriber of {}; publishers {}", name, s.topic(), uris);
      } catch (IOException e) {
        s.registered = false;
        LOG.debug(
            "node {}: registerSubscriber {} failed, will retry: {}",
            name,
            s.topic(),
            e.getMessage());
      }
    }
  }

  /** TCPROS address of {@code topic} at the publisher {@code publisherUri} (slave requestTopic). */
  private InetSocketAddress resolvePublisher(String publisherUri, String topic) throws IOException {
    XmlRpcClient peer = new XmlRpcClient(URI.create(publisherUri), callTimeout);
    Object v =
        RosResponses.value(
            "requestTopic", peer.call("requestTopic", name, topic, List.of(List.of("TCPROS"))));
    if (!(v instanceof List<?> l)
        || l.size() < 3
        || !"TCPROS".equals(l.get(0))
        || !(l.get(1) instanceof String h)
        || !(l.get(2) instanceof Integer port)) {
      throw new IOException(
          "requestTopic "
              + topic
              + " at "
              + publisherUri
              + ": expected [\"TCPROS\", host, port], got "
              + v);
    }
    return new InetSocketAddress(h, port);
  }

  private void watchLoop() {
    while (!closed) {
      try {
        pollMaster();
      } catch (RuntimeException e) {
        LOG.warn("node {}: master watcher failed once; going on", name, e);
      }
      try {
        Thread.sleep(pollPeriod.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One watcher step (see the class doc). */
  private void pollMaster() {
    int pid;
    boolean known = true;
    try {
      pid = master.getPid();
      if (!publishers.isEmpty() || !subscribers.isEmpty()) {
        Optional<URI> me = master.lookupNode(name);
        known = me.isPresent();
        if (me.isPresent() && !me.get().equals(slaveUri) && !warnedForeignUri) {
          warnedForeignUri = true;
          LOG.warn(
              "node {}: the master lists this name at {}, not at {}; another node with"
                  + " the same name may be running",
              name,
              me.get(),
              slaveUri);
        }
      }
    } catch (IOException e) {
      if (closed) {
        // close() interrupted this call: the registrations still stand and close() removes them.
        return;
      }
      if (masterReachable) {
        LOG.warn(
            "node {}: master {} unreachable ({}); will re-register when it answers",
            name,
            masterUri,
            e.getMessage());
      }
      masterReachable = false;
      for (NodePublisher<?> p : publishers.values()) {
        p.registered = false;
      }
      for (NodeSubscriber<?> s : subscribers.values()) {
        s.registered = false;
      }
      return;
    }
    Integer oldPid = masterPid;
    boolean restarted = oldPid != null && oldPid != pid;
    masterPid = pid;
    masterReachable = true;
    if (simTime == null || restarted) {
      readSimTime();
    }
    if (restarted || !known) {
      LOG.info(
          "node {}: master {} {}; re-registering {} publishers and {} subscribers",
          name,
          masterUri,
          restarted ? "restarted (pid " + oldPid + " -> " + pid + ")" : "does not know this node",
          publishers.size(),
          subscribers.size());
      for (NodePublisher<?> p : publishers.values()) {
        p.registered = false;
      }
      for (NodeSubscriber<?> s : subscribers.values()) {
        s.registered = false;
      }
    }
    for (NodePublisher<?> p : publishers.values()) {
      if (!p.registered && !closed) {
        registerPublisher(p);
      }
    }
    for (NodeSubscriber<?> s : subscribers.values()) {
      if (!s.registered && !closed) {
        registerSubscriber(s, true);
      }
    }
  }

  /** The IP address {@code host} resolves to, resolved once for both servers. */
  private static String bindAddress(String host) throws IOException {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new UnknownHostException(
          "cannot resolve this node's ROS host '"
              + host
              + "' (ROS_IP, ROS_HOSTNAME or "
              + "the configured host) to an address to listen on; give this machine's IP on the ROS network");
    }
  }

  private static String uriHost(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** Builds a {@link RosNode}. */
  public static final class Builder {
    String name;
    URI masterUri;
    String host;
    int xmlRpcPort;
    int tcpPort;
    Duration pollPeriod = Duration.ofMillis(500);
    Duration callTimeout = Duration.ofSeconds(2);
    TcprosLimits limits = TcprosLimits.defaults();
    boolean rosout = true;
    Consumer<ShutdownRequest> shutdownHandler;

    /** Required: the node name, e.g. {@code mantis_bridge} or {@code /mantis_bridge}. */
    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    /** Required: the master, e.g. {@code http://localhost:11311/}. */
    public Builder setMasterUri(URI masterUri) {
      this.masterUri = masterUri;
      return this;
    }

    /**
     * Optional: the host name or IP other nodes use to reach this node (ROS_IP/ROS_HOSTNAME), and
     * whose address the node's servers listen on; default: ROS_IP, then ROS_HOSTNAME, then the
     * local host name.
     */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    /** Optional: the slave API (XML-RPC) port; default 0, any free port. */
    public Builder optXmlRpcPort(int port) {
      this.xmlRpcPort = port;
      return this;
    }

    /** Optional: the TCPROS port; default 0, any free port. */
    public Builder optTcpPort(int port) {
      this.tcpPort = port;
      return this;
    }

    /** Optional: how often the master is polled for restarts; default 500 ms. */
    public Builder optMasterPollPeriod(Duration period) {
      this.pollPeriod = period;
      return this;
    }

    /** Optional: the timeout of each master and requestTopic call; default 2 s. */
    public Builder optCallTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** Optional: TCPROS header/message size limits and handshake timeout. */
    public Builder optLimits(TcprosLimits limits) {
      this.limits = limits;
      return this;
    }

    /**
     * Optional: publish {@link RosNode#logger(Class) log lines} on {@code /rosout}, as every rospy
     * and roscpp node does; default true.
     */
    public Builder optRosout(boolean rosout) {
      this.rosout = rosout;
      return this;
    }

    /**
     * Optional: what to do when a peer asks the node to shut down through the slave API ({@code
     * rosnode kill}; the master, when another node registers with this name). The handler runs
     * once, on a thread of its own, while the node is still up (it may publish last messages, e.g.
     * a hold); the node closes when it returns. Default: none, the node closes.
     */
    public Builder optShutdownHandler(Consumer<ShutdownRequest> handler) {
      this.shutdownHandler = handler;
      return this;
    }

    public RosNode build() {
      if (name == null) {
        throw new IllegalArgumentException("node name is required (setName)");
      }
      name = Names.nodeName(name);
      if (masterUri == null) {
        throw new IllegalArgumentException("master URI is required (setMasterUri)");
      }
      if (!"http".equalsIgnoreCase(masterUri.getScheme())
          || masterUri.getHost() == null
          || masterUri.getPort() < 1) {
        throw new IllegalArgumentException(
            "master URI must be http://host:port/, got " + masterUri);
      }
      if (host == null) {
        host = defaultHost();
      }
      if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/')) {
        throw new IllegalArgumentException("host must be a host name or IP, got '" + host + "'");
      }
      checkPort("xmlRpcPort", xmlRpcPort);
      checkPort("tcpPort", tcpPort);
      checkPositive("masterPollPeriod", pollPeriod);
      checkPositive("callTimeout", callTimeout);
      Objects.requireNonNull(limits, "limits");
      return new RosNode(this);
    }

    private static void checkPort(String what, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(what + " must be in [0, 65535], got " + port);
      }
    }

    private static void checkPositive(String what, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
    }

    private static String defaultHost() {
      for (String env : List.of("ROS_IP", "ROS_HOSTNAME")) {
        String v = System.getenv(env);
        if (v != null && !v.isBlank()) {
          return v.trim();
        }
      }
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return "127.0.0.1";
      }
    }
  }
}
