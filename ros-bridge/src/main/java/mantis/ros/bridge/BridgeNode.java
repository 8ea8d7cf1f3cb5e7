package mantis.ros.bridge;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.ros.master.MasterClient;
import mantis.ros.msg.ActionMessages;
import mantis.ros.msg.FollowJointTrajectoryActionGoal;
import mantis.ros.msg.GoalId;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.node.PublisherOptions;
import mantis.ros.node.RosNode;
import mantis.ros.node.RosPublisher;
import mantis.ros.node.RosSubscriber;
import mantis.ros.node.ShutdownRequest;
import mantis.ros.node.SubscriberOptions;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.AuthInterceptor;
import mantis.security.ExposurePolicy;
import mantis.security.ServerSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge as a ROS node: joins the graph with a {@link RosNode}, subscribes to the camera, joint
 * states, instruction, e-stop and reset topics, publishes trajectories on {@code
 * <controller>/command} and the heartbeat (latched) on the status topic, streams to the Mantis
 * server, and serves {@code mantis.v1.ArmService} (with gRPC health) when {@code arm_service.port}
 * is set. The logic lives in {@link BridgeCore}; this class only wires it. Constructors start
 * nothing; {@link #start()} does; {@link #close()} publishes a hold before the node goes away.
 *
 * <p>Shutdown: {@link #close()} (the CLI calls it on SIGTERM) and a peer's slave API {@code
 * shutdown} ({@code rosnode kill /mantis_bridge}, or the master when another node registers the
 * same name) both publish a one-point hold at the measured position on {@code
 * <controller>/command}, wait until it is written to every connected controller (at most 500 ms),
 * then leave the graph. {@link #awaitShutdown()} returns why, for a caller that should then exit
 * (the {@code mantis bridge} command exits 0).
 *
 * <p>ROS integration: the bridge's own log lines (INFO and up) also go to {@code /rosout} (see
 * {@link RosNode#logger}); trajectory stamps are {@link RosNode#now()}, so they follow {@code
 * /clock} when the master's {@code /use_sim_time} is true (0 until the first clock message; holds
 * are never delayed waiting for one). Safety timing stays on the monotonic clock.
 *
 * <p>Security (docs/SECURITY.md, "Bridge"): the channel to the server ({@link #newChannel}) uses
 * {@code server.tls} and the bearer token of {@code server.token_file} or {@code $MANTIS_TOKEN}.
 * The ArmService follows the server's exposure rule, checked in {@link #start()} before anything
 * else on the address its host resolves to (resolved once: the address judged is the address bound;
 * a refused address or a bad TLS file throws before the node joins the graph): loopback without
 * tokens is open, any other address needs TLS and tokens, or {@code mantis bridge --insecure} (then
 * a warning, repeated every 10 minutes). It is bound before the node joins the graph, so a port in
 * use fails the start with one line ({@link ArmServiceBindException}). At most {@code
 * arm_service.max_streams} StreamCommands calls are open at once. Every ArmService and health call
 * passes an {@link AuthInterceptor} with the default roles. With {@code bridge.audit_log} the
 * bridge appends JSON lines: its ArmService starting and stopping, command sources, e-stops and
 * resets from gRPC and ROS (with the publisher's caller id), holds, and refused calls. The reset
 * topic, which any ROS node can publish, is subscribed only when {@code topics.reset} is on (see
 * {@link BridgeConfig}).
 */
public final class BridgeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeNode.class);

  /** Image messages are big: keep only the newest few. */
  private static final SubscriberOptions IMAGES = new SubscriberOptions(2, true);

  /** How long closing waits for the final hold to be written to the controllers, ms. */
  private static final long FLUSH_MS = 500;

  private BridgeConfig config;
  private final MonotonicClock clock;
  private final ServerBuilder<?> armServerBuilder;
  private final ScheduledExecutorService givenScheduler;
  private final HostResolver resolver;
  private final List<RosSubscriber<?>> subscribers = new ArrayList<>();
  private final CompletableFuture<String> stopped = new CompletableFuture<>();
  private volatile Logger log = LOG;
  private RosNode node;
  private RosPublisher<?> command;
  private FollowJointTrajectoryClient action;
  private ManagedChannel channel;
  private ScheduledExecutorService scheduler;
  private BridgeCore core;
  private Server armServer;
  private HealthStatusManager health;
  private AuditLog audit = AuditLog.none();
  private ScheduledFuture<?> insecureReminder;
  private boolean started;
  private boolean closed;

  private BridgeNode(Builder b) {
    this.config = b.config;
    this.clock = b.clock;
    this.armServerBuilder = b.armServerBuilder;
    this.givenScheduler = b.scheduler;
    this.resolver = b.resolver;
  }

  /** How the ArmService's host becomes an address ({@link InetAddress#getByName} outside tests). */
  interface HostResolver {
    InetAddress resolve(String host) throws UnknownHostException;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the ArmService's exposure and TLS files and opens the audit log, binds the ArmService
   * (if enabled), then joins the ROS graph and starts the control loop. Nothing joins the graph
   * when the ArmService may not, or cannot, listen on its address.
   *
   * @throws IllegalStateException when the ArmService may not serve its address (not loopback, and
   *     neither TLS and tokens nor {@code --insecure}, or a name that does not resolve); nothing
   *     was started
   * @throws IllegalArgumentException naming the file when an ArmService TLS file is unusable
   * @throws ArmServiceBindException when the ArmService cannot listen on its address (one line
   *     naming it)
   * @throws IOException when the audit log cannot be opened, or the node cannot start
   */
  public synchronized void start() throws IOException {
    if (started || closed) {
      throw new IllegalStateException(closed ? "bridge is closed" : "bridge already started");
    }
    started = true;
    // Security first: nothing joins the graph or binds when the ArmService may not serve its
    // address.
    boolean serveArm = config.armService().enabled() || armServerBuilder != null;
    ServerSecurity armSecurity = null;
    ExposurePolicy.Decision exposure = null;
    ServerCredentials armCredentials = null;
    InetSocketAddress armAddress = null;
    if (serveArm) {
      armSecurity = config.armService().security(AuditLog.none());
      if (armServerBuilder == null) {
        // Resolved once: the address judged by the exposure rule is the address bound.
        String host = config.armService().host();
        InetAddress resolved;
        try {
          resolved = resolver.resolve(host);
        } catch (UnknownHostException e) {
          throw new IllegalStateException(
              "arm_service: cannot resolve the bind address '"
                  + host
                  + "'; give an IP address such as 127.0.0.1");
        }
        exposure = armSecurity.check(host, resolved);
        if (!exposure.allowed()) {
          throw new IllegalStateException("arm_service: " + exposure.message());
        }
        try {
          armCredentials = armSecurity.serverCredentials().orElse(null);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("arm_service.tls: " + e.getMessage(), e);
        }
        armAddress = new InetSocketAddress(resolved, config.armService().port());
      }
    }
    if (!config.robot().resolved()) {
      // robot.from_parameter: the URDF on the parameter server decides the joints and limits.
      String name = config.ros().nodeName();
      MasterClient master =
          new MasterClient(
              config.ros().masterUri(),
              name.startsWith("/") ? name : "/" + name,
              Duration.ofSeconds(5));
      config =
          config.withRobot(
              RobotDescription.resolve(
                  config.robot(), master::getParam, config.ros().masterUri().toString()));
      LOG.info(
          "robot {}: {} with joints {}",
          config.robot().id(),
          config.robot().specSource(),
          config.robot().joints());
    }
    if (config.bridge().auditLog().isPresent()) {
      audit = AuditLog.open(config.bridge().auditLog().get());
    }
    BridgeConfig.Topics topics = config.topics();
    RosNode.Builder nb =
        RosNode.builder()
            .setName(config.ros().nodeName())
            .setMasterUri(config.ros().masterUri())
            .optShutdownHandler(this::shutdownRequested);
    config.ros().host().ifPresent(nb::optHost);
    node = nb.build(); // built, not started: its loggers reach /rosout once it is
    RosNode n = node;
    LatePort port = new LatePort();
    channel = newChannel(config);
    scheduler =
        givenScheduler != null
            ? givenScheduler
            : Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "mantis-bridge");
                  t.setDaemon(true);
                  return t;
                });
    core =
        BridgeCore.builder()
            .setConfig(config)
            .setPort(port)
            .setChannel(channel)
            .optClock(clock)
            .optScheduler(scheduler)
            .optLogger(n.logger(BridgeCore.class))
            .optStampClock(() -> n.now().toNanos())
            .optAuditLog(audit)
            .build();
    BridgeCore c = core;
    ServerSecurity sec = null;
    if (serveArm) {
      // Bound before the node joins the graph: a port in use stops the bridge before any ROS node
      // sees it.
      sec = armSecurity.withAuditLog(audit);
      ServerBuilder<?> sb = armServerBuilder;
      if (sb == null) {
        sb =
            armCredentials == null
                ? NettyServerBuilder.forAddress(armAddress)
                : NettyServerBuilder.forAddress(armAddress, armCredentials);
      }
      AuthInterceptor auth = sec.interceptor(exposure, null);
      health = new HealthStatusManager();
      try {
        armServer = BridgeArmService.serve(core, clock, sb, health, auth, false);
      } catch (IOException e) {
        if (armServerBuilder != null) {
          throw e;
        }
        throw new ArmServiceBindException(
            hostPort(config.armService().host(), config.armService().port()), e);
      }
    }
    node.start();
    log = node.logger(BridgeNode.class);
    if (config.controller().action()) {
      startAction(port);
    } else {
      RosPublisher<JointTrajectory> command =
          node.advertise(
              topics.command(), RosMessages.JOINT_TRAJECTORY, PublisherOptions.defaults());
      this.command = command;
      port.command = command;
    }
    RosPublisher<RosString> status =
        node.advertise(topics.status(), RosMessages.STRING, PublisherOptions.latched());
    port.status = status;
    topics
        .image()
        .ifPresent(t -> subscribers.add(node.subscribe(t, RosMessages.IMAGE, IMAGES, c::onImage)));
    topics
        .compressedImage()
        .ifPresent(
            t ->
                subscribers.add(
                    node.subscribe(t, RosMessages.COMPRESSED_IMAGE, IMAGES, c::onCompressedImage)));
    subscribers.add(
        node.subscribe(
            topics.jointStates(),
            RosMessages.JOINT_STATE,
            SubscriberOptions.defaults(),
            c::onJointState));
    subscribers.add(
        node.subscribe(
            topics.instruction(),
            RosMessages.STRING,
            SubscriberOptions.defaults(),
            c::onInstruction));
    subscribers.add(
        node.subscribeWithOrigin(
            topics.estop(), RosMessages.BOOL, SubscriberOptions.defaults(), c::onEstop));
    if (topics.reset().isPresent()) {
      subscribers.add(
          node.subscribeWithOrigin(
              topics.reset().get(),
              RosMessages.EMPTY,
              SubscriberOptions.defaults(),
              (m, from) -> c.onReset(from)));
      log.warn(
          "the reset topic {} is on: any node on the ROS graph can clear the e-stop (ROS 1 has no "
              + "authentication{}); leave topics.reset out to clear it only through the ArmService's Reset",
          topics.reset().get(),
          config.armService().tokens().isEmpty()
              ? ""
              : ", while the ArmService asks an " + "admin token for Reset");
    } else {
      log.info(
          "no reset topic (topics.reset not set): the e-stop is cleared only by the ArmService's Reset");
    }
    if (serveArm) {
      logArmExposure(exposure, sec);
      audit.record(
          AuditEvent.of(AuditEvent.SERVER_START)
              .detail("bridge " + node.name() + " ArmService on " + armServer.getListenSockets())
              .robot(config.robot().id())
              .field("mode", exposure == null ? "custom listener" : exposure.mode().name())
              .field("tls", sec.tls().isPresent())
              .field("mtls", sec.tls().map(t -> t.mutual()).orElse(false))
              .field("tokens", sec.tokens().size())
              .field("max_streams", config.armService().maxStreams()));
    }
    core.start();
    if (health != null) {
      health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
      health.setStatus(ArmServiceGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
    }
    log.info(
        "bridge {} started: master {}, server {} ({}), trajectories to {}{}{}",
        node.name(),
        config.ros().masterUri(),
        config.server().target(),
        config.server().security(),
        config.trajectoryTarget(),
        armServer == null ? "" : ", ArmService on " + armServer.getListenSockets(),
        node.isSimTime() ? ", stamps from /clock (use_sim_time)" : "");
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * {@code controller.interface: follow_joint_trajectory}: the goal and cancel publishers, the
   * status, feedback and result subscribers, and the client between them and the core.
   */
  private void startAction(LatePort port) {
    String ns = config.controller().actionNs().orElseThrow();
    String base = ns.endsWith("/") ? ns.substring(0, ns.length() - 1) : ns;
    RosPublisher<FollowJointTrajectoryActionGoal> goals =
        node.advertise(
            base + "/goal",
            ActionMessages.FOLLOW_JOINT_TRAJECTORY_ACTION_GOAL,
            PublisherOptions.defaults());
    RosPublisher<GoalId> cancels =
        node.advertise(base + "/cancel", ActionMessages.GOAL_ID, PublisherOptions.defaults());
    RosNode n = node;
    FollowJointTrajectoryClient client =
        new FollowJointTrajectoryClient(
            node.name(),
            config.controller(),
            goals::publish,
            cancels::publish,
            () -> n.now().toNanos(),
            node.logger(FollowJointTrajectoryClient.class));
    subscribers.add(
        node.subscribe(
            base + "/status",
            ActionMessages.GOAL_STATUS_ARRAY,
            SubscriberOptions.defaults(),
            client::onStatus));
    subscribers.add(
        node.subscribe(
            base + "/feedback",
            ActionMessages.FOLLOW_JOINT_TRAJECTORY_ACTION_FEEDBACK,
            SubscriberOptions.defaults(),
            client::onFeedback));
    subscribers.add(
        node.subscribe(
            base + "/result",
            ActionMessages.FOLLOW_JOINT_TRAJECTORY_ACTION_RESULT,
            SubscriberOptions.defaults(),
            client::onResult));
    this.action = client;
    this.command = cancels; // flushed on close: the last cancel must reach the server
    port.goals = goals;
    port.log = log;
    port.action = client;
  }

  /** The FollowJointTrajectory client, when {@code controller.interface} asks for the action. */
  synchronized Optional<FollowJointTrajectoryClient> actionClient() {
    return Optional.ofNullable(action);
  }

  /** The config in use: after {@link #start()}, with the robot read from the parameter server. */
  public synchronized BridgeConfig config() {
    return config;
  }

  /**
   * The core's outputs before the node has joined the graph: dropped (the core is not started yet,
   * so only an early ArmService EStop or Hold could publish, and the arm is not commanded by this
   * bridge then). With the FollowJointTrajectory action, trajectories become goals and holds cancel
   * the active goal, and the heartbeat carries the action's counters.
   */
  private static final class LatePort implements BridgePort {
    volatile RosPublisher<JointTrajectory> command;
    volatile RosPublisher<RosString> status;
    volatile RosPublisher<FollowJointTrajectoryActionGoal> goals;
    volatile FollowJointTrajectoryClient action;
    volatile Logger log = LOG;
    private volatile boolean warnedUnconnected;

    @Override
    public void publishTrajectory(JointTrajectory trajectory) {
      FollowJointTrajectoryClient a = action;
      if (a != null) {
        if (goals.subscriberCount() == 0) {
          // Published to no one, a goal would be lost yet still count as sent (its id taken, a
          // cancel owed for it): it is dropped here instead, like every trajectory until the
          // action server's goal subscriber has connected.
          if (!warnedUnconnected) {
            warnedUnconnected = true;
            log.warn(
                "no FollowJointTrajectory action server is connected to {}/goal yet: goals are"
                    + " dropped until one is",
                a.namespace());
          }
          return;
        }
        warnedUnconnected = false;
        try {
          a.send(trajectory);
        } catch (IllegalArgumentException e) {
          log.error("cannot send a FollowJointTrajectory goal: {}", e.getMessage());
        }
        return;
      }
      RosPublisher<JointTrajectory> p = command;
      if (p != null) {
        p.publish(trajectory);
      }
    }

    @Override
    public void publishHold(JointTrajectory hold, String reason) {
      FollowJointTrajectoryClient a = action;
      if (a != null) {
        a.cancel(reason);
        return;
      }
      publishTrajectory(hold);
    }

    @Override
    public void publishStatus(String text) {
      RosPublisher<RosString> p = status;
      if (p != null) {
        FollowJointTrajectoryClient a = action;
        p.publish(
            new RosString(
                a == null
                    ? text
                    : text
                        + " "
                        + a.statusText()
                        + " action_server="
                        + (goals.subscriberCount() > 0 ? "connected" : "not_connected")));
      }
    }
  }

  /**
   * Says once how the ArmService is protected; when insecure, repeats the warning every 10 minutes.
   */
  private void logArmExposure(ExposurePolicy.Decision exposure, ServerSecurity sec) {
    if (exposure == null) {
      log.info(
          "ArmService security: {} on a custom listener",
          sec.tokens().isEmpty() ? "no auth" : "tokens enforced");
      return;
    }
    switch (exposure.mode()) {
      case INSECURE:
        log.warn("ArmService security: {}", exposure.message());
        insecureReminder =
            scheduler.scheduleAtFixedRate(
                () -> log.warn("ArmService security (reminder): {}", exposure.message()),
                10,
                10,
                TimeUnit.MINUTES);
        break;
      case OPEN_LOOPBACK:
        log.info("ArmService security: {}", exposure.message());
        break;
      default:
        log.info(
            "ArmService security: {} ({} token(s){})",
            exposure.message(),
            sec.tokens().size(),
            sec.tls().map(t -> t.mutual() ? ", client certificates required" : "").orElse(""));
        break;
    }
  }

  /**
   * The channel to the Mantis server, with {@code server.tls} and the bearer token of the config
   * (this is the only place the bridge builds it). Unary calls set their own deadline ({@code
   * server.deadline_ms}); the Control stream has none and is watched by {@code
   * stream_idle_timeout_ms} while an observation awaits its chunk, and by client keepalive pings
   * otherwise: every {@code server.keepalive_time_ms} (30 s) without traffic on a connection with a
   * call open, a ping that must be answered within {@code server.keepalive_timeout_ms} (10 s), so a
   * dead server connection is noticed within about 40 s even while no camera frame comes. The
   * Mantis server permits pings every 10 s or more (grpc-java's default, 5 minutes, would answer
   * GOAWAY too_many_pings); {@code keepalive_time_ms} cannot go below that.
   */
  static ManagedChannel newChannel(BridgeConfig config) {
    return NettyChannelBuilder.forAddress(
            config.server().host(),
            config.server().port(),
            config.server().security().channelCredentials())
        .keepAliveTime(config.server().keepaliveTimeMs(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(config.server().keepaliveTimeoutMs(), TimeUnit.MILLISECONDS)
        .build();
  }

  /** The slave API's shutdown (rosnode kill): hold, flush, leave the graph. */
  private void shutdownRequested(ShutdownRequest request) {
    log.warn("shutdown requested by {}: holding the arm and leaving the graph", request);
    close("shutdown requested by " + request);
  }

  /**
   * Blocks until the bridge has stopped: {@link #close()} ran (the CLI's SIGTERM hook calls it), or
   * a peer asked the node to shut down ({@code rosnode kill}) and the hold was published.
   *
   * @return why it stopped, e.g. {@code "shutdown requested by /rosnode (user request)"}
   */
  public String awaitShutdown() throws InterruptedException {
    try {
      return stopped.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** {@link #awaitShutdown()}, waiting at most {@code timeout}; empty if still running then. */
  public Optional<String> awaitShutdown(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(stopped.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** True once the bridge has stopped (see {@link #awaitShutdown()}). */
  public boolean isStopped() {
    return stopped.isDone();
  }

  /** The ArmService's port, or -1 when it is not served (or not started). */
  public synchronized int armServicePort() {
    return armServer == null ? -1 : armServer.getPort();
  }

  /** The node's global name (after {@link #start()}). */
  public synchronized String nodeName() {
    return node == null ? config.ros().nodeName() : node.name();
  }

  /**
   * Publishes a hold, stops the loop and the ArmService, waits (at most 500 ms) until the hold is
   * written to every connected controller, then closes the node and the channel. Idempotent.
   */
  @Override
  public void close() {
    close("closed by the application");
  }

  /** {@link #close()}, with the reason {@link #awaitShutdown()} returns and the logs name. */
  public synchronized void close(String why) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closeAll(why);
    } finally {
      stopped.complete(why);
    }
  }

  private void closeAll(String why) {
    if (core != null) {
      core.close(why);
    }
    if (insecureReminder != null) {
      insecureReminder.cancel(false);
    }
    if (health != null) {
      health.enterTerminalState();
    }
    if (armServer != null) {
      armServer.shutdownNow();
      audit.record(
          AuditEvent.of(AuditEvent.SERVER_STOP)
              .robot(config.robot().id())
              .detail("bridge ArmService stopped: " + why));
    }
    if (node != null) {
      try {
        if (command != null && !command.flush(Duration.ofMillis(FLUSH_MS))) {
          log.warn("the final hold was not written to every controller within {} ms", FLUSH_MS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (RosSubscriber<?> s : subscribers) {
        s.close();
      }
      node.close();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    if (scheduler != null && scheduler != givenScheduler) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    audit.close();
    LOG.info("bridge closed: {}", why);
  }

  /** Builds a {@link BridgeNode}. */
  public static final class Builder {
    private BridgeConfig config;
    private MonotonicClock clock = MonotonicClock.system();
    private ServerBuilder<?> armServerBuilder;
    private ScheduledExecutorService scheduler;
    private HostResolver resolver = InetAddress::getByName;

    private Builder() {}

    /** Tests: how the ArmService's host is resolved (default {@link InetAddress#getByName}). */
    Builder optResolver(HostResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Optional: the scheduler that runs the bridge's control loop (every 5 ms); default a private
     * daemon thread. A given scheduler is not shut down by {@link BridgeNode#close()}.
     */
    public Builder optScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Required: the configuration. */
    public Builder setConfig(BridgeConfig config) {
      this.config = config;
      return this;
    }

    /** Optional: the clock (default the system clock). */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Optional: where to serve ArmService (e.g. an in-process server builder in tests); default a
     * Netty server on {@code arm_service.host:port} when the port is not 0. A given builder has no
     * address the bind rule could judge, and {@code arm_service.tls} does not apply to it; the
     * tokens of {@code arm_service} do (without tokens its calls run open).
     */
    public Builder optArmServerBuilder(ServerBuilder<?> armServerBuilder) {
      this.armServerBuilder = armServerBuilder;
      return this;
    }

    public BridgeNode build() {
      if (config == null) {
        throw new IllegalStateException("setConfig is required");
      }
      Objects.requireNonNull(clock, "clock");
      return new BridgeNode(this);
    }
  }
}
