package mantis.ros.bridge;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosString;
import mantis.ros.node.PublisherOptions;
import mantis.ros.node.RosNode;
import mantis.ros.node.RosPublisher;
import mantis.ros.node.RosSubscriber;
import mantis.ros.node.SubscriberOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge as a ROS node: joins the graph with a {@link RosNode}, subscribes to the camera, joint
 * states, instruction, e-stop and reset topics, publishes trajectories on {@code <controller>/command}
 * and the heartbeat (latched) on the status topic, streams to the Mantis server, and serves {@code
 * mantis.v1.ArmService} (with gRPC health) when {@code arm_service.port} is set. The logic lives in
 * {@link BridgeCore}; this class only wires it. Constructors start nothing; {@link #start()} does;
 * {@link #close()} publishes a hold before the node goes away.
 */
public final class BridgeNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BridgeNode.class);
  /** Image messages are big: keep only the newest few. */
  private static final SubscriberOptions IMAGES = new SubscriberOptions(2, true);
  /** How long {@link #close()} lets the final hold reach the controller before closing the node, ms. */
  private static final long FLUSH_MS = 200;

  private final BridgeConfig config;
  private final MonotonicClock clock;
  private final ServerBuilder<?> armServerBuilder;
  private final ScheduledExecutorService givenScheduler;
  private final List<RosSubscriber<?>> subscribers = new ArrayList<>();
  private RosNode node;
  private ManagedChannel channel;
  private ScheduledExecutorService scheduler;
  private BridgeCore core;
  private Server armServer;
  private HealthStatusManager health;
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

  /** Joins the ROS graph, starts the ArmService (if enabled) and the control loop. */
  public synchronized void start() throws IOException {
    if (started || closed) {
      throw new IllegalStateException(closed ? "bridge is closed" : "bridge already started");
    }
    started = true;
    BridgeConfig.Topics topics = config.topics();
    RosNode.Builder nb = RosNode.builder().setName(config.ros().nodeName()).setMasterUri(config.ros().masterUri());
    config.ros().host().ifPresent(nb::optHost);
    node = nb.build();
    node.start();
    RosPublisher<JointTrajectory> command =
        node.advertise(topics.command(), RosMessages.JOINT_TRAJECTORY, PublisherOptions.defaults());
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
    channel = NettyChannelBuilder.forAddress(config.server().host(), config.server().port()).usePlaintext().build();
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
        .build();
    BridgeCore c = core;
    topics.image().ifPresent(t -> subscribers.add(node.subscribe(t, RosMessages.IMAGE, IMAGES, c::onImage)));
    topics.compressedImage().ifPresent(t ->
        subscribers.add(node.subscribe(t, RosMessages.COMPRESSED_IMAGE, IMAGES, c::onCompressedImage)));
    subscribers.add(node.subscribe(topics.jointStates(), RosMessages.JOINT_STATE, SubscriberOptions.defaults(),
        c::onJointState));
    subscribers.add(node.subscribe(topics.instruction(), RosMessages.STRING, SubscriberOptions.defaults(),
        c::onInstruction));
    subscribers.add(node.subscribe(topics.estop(), RosMessages.BOOL, SubscriberOptions.defaults(), c::onEstop));
    subscribers.add(node.subscribe(topics.reset(), RosMessages.EMPTY, SubscriberOptions.defaults(),
        m -> c.onReset()));
    if (config.armService().enabled() || armServerBuilder != null) {
      ServerBuilder<?> sb = armServerBuilder != null ? armServerBuilder
          : NettyServerBuilder.forAddress(new InetSocketAddress(config.armService().host(), config.armService().port()));
      health = new HealthStatusManager();
      armServer = BridgeArmService.serve(core, clock, sb, health);
    }
    core.start();
    log.info("bridge {} started: master {}, server {}, trajectories on {}{}", node.name(), config.ros().masterUri(),
        config.server().target(), topics.command(),
        armServer == null ? "" : ", ArmService on port " + armServer.getPort());
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
   * Publishes a hold, stops the loop and the ArmService, lets the hold reach the controller, then
   * closes the node and the channel. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (core != null) {
      core.close();
    }
    if (health != null) {
      health.enterTerminalState();
    }
    if (armServer != null) {
      armServer.shutdownNow();
    }
    if (node != null) {
      try {
        Thread.sleep(FLUSH_MS);
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
    log.info("bridge closed");
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
     * Netty server on {@code arm_service.host:port} when the port is not 0.
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
