package mantis.ros.bridge;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * states, instruction, e-stop and reset topics, publishes trajectories on {@code <controller>/command}
 * and the heartbeat (latched) on the status topic, streams to the Mantis server, and serves {@code
 * mantis.v1.ArmService} (with gRPC health) when {@code arm_service.port} is set. The logic lives in
 * {@link BridgeCore}; this class only wires it. Constructors start nothing; {@link #start()} does;
 * {@link #close()} publishes a hold before the node goes away.
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
 * else (a refused address or a bad TLS file throws before the node joins the graph): loopback
 * without tokens is open, any other address needs TLS and tokens, or {@code arm_service.insecure}
 * (then a warning, repeated every 10 minutes). Every ArmService and health call passes an {@link
 * AuthInterceptor} with the default roles. With {@code bridge.audit_log} the bridge appends JSON
 * lines: its ArmService starting and stopping, command sources, e-stops and resets from gRPC and
 * ROS (with the publisher's caller id), holds, and refused calls.
 */
public final class BridgeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeNode.class);
  /** Image messages are big: keep only the newest few. */
  private static final SubscriberOptions IMAGES = new SubscriberOptions(2, true);
  /** How long closing waits for the final hold to be written to the controllers, ms. */
  private static final long FLUSH_MS = 500;

  private final BridgeConfig config;
  private final MonotonicClock clock;
  private final ServerBuilder<?> armServerBuilder;
  private final ScheduledExecutorService givenScheduler;
  private final List<RosSubscriber<?>> subscribers = new ArrayList<>();
  private final CompletableFuture<String> stopped = new CompletableFuture<>();
  private volatile Logger log = LOG;
  private RosNode node;
  private RosPublisher<JointTrajectory> command;
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
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the ArmService's exposure and TLS files and opens the audit log, then joins the ROS graph,
   * starts the ArmService (if enabled) and the control loop.
   *
   * @throws IllegalStateException when the ArmService may not serve its address (not loopback, and
   *     neither TLS and tokens nor {@code insecure}); nothing was started
   * @throws IllegalArgumentException naming the file when an ArmService TLS file is unusable
   * @throws IOException when the audit log cannot be opened, or the node cannot start
   */
  public synchronized void start() throws IOException {
    if (started || closed) {
      throw new IllegalStateException(closed ? "bridge is closed" : "bridge already started");
    }
    started = true;
    // Security first: nothing joins the graph or binds when the ArmService may not serve its address.
    boolean serveArm = config.armService().enabled() || armServerBuilder != null;
    ServerSecurity armSecurity = null;
    ExposurePolicy.Decision exposure = null;
    ServerCredentials armCredentials = null;
    if (serveArm) {
      armSecurity = config.armService().security(AuditLog.none());
      if (armServerBuilder == null) {
        exposure = armSecurity.check(config.armService().host());
        if (!exposure.allowed()) {
          throw new IllegalStateException("arm_service: " + exposure.message());
        }
        try {
          armCredentials = armSecurity.serverCredentials().orElse(null);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("arm_service.tls: " + e.getMessage(), e);
        }
      }
    }
    if (config.bridge().auditLog().isPresent()) {
      audit = AuditLog.open(config.bridge().auditLog().get());
    }
    BridgeConfig.Topics topics = config.topics();
    RosNode.Builder nb = RosNode.builder().setName(config.ros().nodeName()).setMasterUri(config.ros().masterUri())
        .optShutdownHandler(this::shutdownRequested);
    config.ros().host().ifPresent(nb::optHost);
    node = nb.build();
    node.start();
    log = node.logger(BridgeNode.class);
    RosPublisher<JointTrajectory> command =
        node.advertise(topics.command(), RosMessages.JOINT_TRAJECTORY, PublisherOptions.defaults());
    this.command = command;
    RosPublisher<RosString> status = node.advertise(topics.status(), RosMessages.STRING, PublisherOptions.latched());
    BridgePort port = new BridgePort() {
      @Override
      public void publishTrajectory(JointTrajectory trajectory) {
        command.publish(trajectory);
      }

      @Override
      public void publishStatus(String text) {
        status.publish(new RosString(text));
      }
    };
    channel = newChannel(config);
    scheduler = givenScheduler != null ? givenScheduler : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mantis-bridge");
      t.setDaemon(true);
      return t;
    });
    core = BridgeCore.builder()
        .setConfig(config)
        .setPort(port)
        .setChannel(channel)
        .optClock(clock)
        .optScheduler(scheduler)
        .optLogger(node.logger(BridgeCore.class))
        .optStampClock(() -> node.now().toNanos())
        .optAuditLog(audit)
        .build();
    BridgeCore c = core;
    topics.image().ifPresent(t -> subscribers.add(node.subscribe(t, RosMessages.IMAGE, IMAGES, c::onImage)));
    topics.compressedImage().ifPresent(t ->
        subscribers.add(node.subscribe(t, RosMessages.COMPRESSED_IMAGE, IMAGES, c::onCompressedImage)));
    subscribers.add(node.subscribe(topics.jointStates(), RosMessages.JOINT_STATE, SubscriberOptions.defaults(),
        c::onJointState));
    subscribers.add(node.subscribe(topics.instruction(), RosMessages.STRING, SubscriberOptions.defaults(),
        c::onInstruction));
    subscribers.add(node.subscribeWithOrigin(topics.estop(), RosMessages.BOOL, SubscriberOptions.defaults(),
        c::onEstop));
    subscribers.add(node.subscribeWithOrigin(topics.reset(), RosMessages.EMPTY, SubscriberOptions.defaults(),
        (m, from) -> c.onReset(from)));
    if (serveArm) {
      ServerSecurity sec = armSecurity.withAuditLog(audit);
      ServerBuilder<?> sb = armServerBuilder;
      if (sb == null) {
        InetSocketAddress address = new InetSocketAddress(config.armService().host(), config.armService().port());
        sb = armCredentials == null ? NettyServerBuilder.forAddress(address)
            : NettyServerBuilder.forAddress(address, armCredentials);
      }
      AuthInterceptor auth = sec.interceptor(exposure, null);
      health = new HealthStatusManager();
      armServer = BridgeArmService.serve(core, clock, sb, health, auth);
      logArmExposure(exposure, sec);
      audit.record(AuditEvent.of(AuditEvent.SERVER_START)
          .detail("bridge " + node.name() + " ArmService on " + armServer.getListenSockets())
          .robot(config.robot().id())
          .field("mode", exposure == null ? "custom listener" : exposure.mode().name())
          .field("tls", sec.tls().isPresent())
          .field("mtls", sec.tls().map(t -> t.mutual()).orElse(false))
          .field("tokens", sec.tokens().size()));
    }
    core.start();
    log.info("bridge {} started: master {}, server {} ({}), trajectories on {}{}{}", node.name(),
        config.ros().masterUri(), config.server().target(), config.server().security(), topics.command(),
        armServer == null ? "" : ", ArmService on port " + armServer.getPort(),
        node.isSimTime() ? ", stamps from /clock (use_sim_time)" : "");
  }

  /** Says once how the ArmService is protected; when insecure, repeats the warning every 10 minutes. */
  private void logArmExposure(ExposurePolicy.Decision exposure, ServerSecurity sec) {
    if (exposure == null) {
      log.info("ArmService security: {} on a custom listener", sec.tokens().isEmpty() ? "no auth" : "tokens enforced");
      return;
    }
    switch (exposure.mode()) {
      case INSECURE:
        log.warn("ArmService security: {}", exposure.message());
        insecureReminder = scheduler.scheduleAtFixedRate(
            () -> log.warn("ArmService security (reminder): {}", exposure.message()), 10, 10, TimeUnit.MINUTES);
        break;
      case OPEN_LOOPBACK:
        log.info("ArmService security: {}", exposure.message());
        break;
      default:
        log.info("ArmService security: {} ({} token(s){})", exposure.message(), sec.tokens().size(),
            sec.tls().map(t -> t.mutual() ? ", client certificates required" : "").orElse(""));
        break;
    }
  }

  /**
   * The channel to the Mantis server, with {@code server.tls} and the bearer token of the config
   * (this is the only place the bridge builds it). Unary calls set their own deadline
   * ({@code server.deadline_ms}); the Control stream has none and is watched by {@code
   * stream_idle_timeout_ms} instead. No client keepalive: grpc-java servers refuse pings more often
   * than every 5 minutes by default (GOAWAY too_many_pings), and a dead stream is found by {@code
   * stream_idle_timeout_ms} while an observation awaits its chunk.
   */
  static ManagedChannel newChannel(BridgeConfig config) {
    return NettyChannelBuilder.forAddress(config.server().host(), config.server().port(),
        config.server().security().channelCredentials()).build();
  }

  /** The slave API's shutdown (rosnode kill): hold, flush, leave the graph. */
  private void shutdownRequested(ShutdownRequest request) {
    log.warn("shutdown requested by {}: holding the arm and leaving the graph", request);
    close("shutdown requested by " + request);
  }

  /**
   * Blocks until the bridge has stopped: {@link #close()} ran (the CLI's SIGTERM hook calls it),
   * or a peer asked the node to shut down ({@code rosnode kill}) and the hold was published.
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
   * Publishes a hold, stops the loop and the ArmService, waits (at most 500 ms)
   * until the hold is written to every connected controller, then closes the node and the
   * channel. Idempotent.
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
      audit.record(AuditEvent.of(AuditEvent.SERVER_STOP).robot(config.robot().id())
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

    private Builder() {}

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
