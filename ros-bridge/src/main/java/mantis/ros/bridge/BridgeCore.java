package mantis.ros.bridge;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import mantis.core.ActionChunk;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.safety.SafetyFilter;
import mantis.core.safety.SafetyResult;
import mantis.core.safety.Watchdog;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.DescribeRequest;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyInfo;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.ros.msg.CompressedImage;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.RosBool;
import mantis.ros.msg.RosString;
import mantis.ros.tcpros.MessageOrigin;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.Principal;
import mantis.security.Role;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's logic, without ROS: inputs arrive as method calls ({@link #onImage}, {@link
 * #onJointState}, ...), trajectories and the heartbeat leave through a {@link BridgePort}, and the
 * server is reached over an injected gRPC {@link ManagedChannel}. All timing reads the {@link
 * MonotonicClock} and happens in {@link #tick()}, which {@link #start()} runs every tick period on
 * the given scheduler (tests leave the scheduler out and call {@code tick()} after moving a fake
 * clock).
 *
 * <p>Policy loop: one {@code PolicyService.Control} stream per episode. An observation is sent when
 * a frame newer than the last one sent, a joint state and an instruction are all at hand, the frame
 * and the joint state arrived within {@code max_input_age_ms}, one control period passed since the
 * previous observation, and no earlier observation still awaits its chunk (at most one in flight,
 * so a slow server never builds a queue). Each chunk's validity is re-expressed on the bridge's
 * clock as the send time of its observation plus {@code valid_for_nanos}; it goes through the
 * {@link SafetyFilter} with the latest joint state and is published as a trajectory unless it has
 * expired, is older than the last chunk published (never replayed), the e-stop is latched, or an
 * ArmService client is in control.
 *
 * <p>Holds: a one-point trajectory at the measured position (clamped into the limits by {@link
 * SafetyFilter#hold}), reached after {@code hold_time_from_start_ms} (or the braking time, if
 * longer); an empty trajectory (which joint_trajectory_controller treats as "stop here") when no
 * joint state was ever measured. A hold is published once per event: when the server stream fails,
 * ends or goes idle (then it reconnects with exponential backoff, on a new stream with a new
 * episode id), when the current chunk's validity ends without a successor, when the watchdog fires,
 * when the e-stop latches, on an ArmService Hold, and on {@link #close()}. While holding, further
 * events of the first kinds publish nothing more; e-stop, Hold and close always publish.
 *
 * <p>Reconnecting: a failed stream is opened again after a backoff ({@code reconnect_min_ms}
 * doubling to {@code reconnect_max_ms}, reset by a chunk), which paces retries against a server
 * that is up but failing the call. Whether the server is reachable at all is the channel's
 * business, and gRPC's own connect backoff grows to two minutes during a long outage; so while a
 * stream is due, every 500 ms ({@code PROBE_MS}) the bridge asks the channel to connect and cuts
 * its connect backoff short ({@link ManagedChannel#resetConnectBackoff()}, also done before each
 * stream opens), and the moment the channel turns READY the stream opens without waiting for the
 * rest of the backoff. A server back after any outage gets its stream within about 500 ms plus one
 * connect.
 *
 * <p>Time: all safety timing (watchdogs, chunk validity, input ages) reads the monotonic clock;
 * only trajectory header stamps read the stamp clock (ROS time: the wall clock, or {@code /clock}
 * under {@code /use_sim_time}).
 *
 * <p>Watchdog (invariant 4): observations go out once per control period, so a fresh chunk is due
 * once per period; the watchdog holds when none came for one control period plus {@code
 * watchdog_timeout_ms} (150 ms at the defaults). A trajectory is also held at its chunk's {@code
 * valid_until} at the latest, which for the server's chunks is the tighter bound.
 *
 * <p>ArmService priority: while an ArmService StreamCommands call is open and its last command came
 * within {@code watchdog_timeout_ms}, policy chunks are not published (counted as dropped);
 * commands go through the same filter and hold rules.
 *
 * <p>Refused by the server: a Control stream that ends with {@code UNAUTHENTICATED} or {@code
 * PERMISSION_DENIED} (no token, a wrong one, or one whose role is below operator) is lost like any
 * other: the arm holds and the stream is retried at the normal backoff, never faster. Instead of
 * the usual WARN, one ERROR "server refused the bridge's token: ..." is logged at most every
 * {@value #AUTH_ERROR_PERIOD_MS} ms (with the number held back), and the heartbeat says {@code
 * state=server_refused} until a chunk arrives.
 *
 * <p>Audit ({@link Builder#optAuditLog}): the policy taking command of the arm (the first chunk
 * published from a Control stream, and again after an ArmService client had it) and losing it,
 * every e-stop and reset with who asked ({@link Principal}; a ROS topic is {@code ros:<topic>} with
 * the publisher's caller id as peer), and ArmService holds. Thread-safe.
 */
final class BridgeCore implements AutoCloseable {
  /** Default period of {@link #tick()} when a scheduler runs it. */
  static final long DEFAULT_TICK_NANOS = 5_000_000L;

  /** Observations whose send time is remembered for their chunk; more in flight is a server bug. */
  private static final int MAX_PENDING = 16;

  /** While a stream is due, how often the channel is asked to connect, ms. */
  static final long PROBE_MS = 500;

  /** At most one "server refused the bridge's token" ERROR per this period, ms. */
  static final long AUTH_ERROR_PERIOD_MS = 60_000;

  private final Logger log;
  private final BridgeConfig config;
  private final BridgePort port;
  private final ManagedChannel channel;
  private final PolicyServiceGrpc.PolicyServiceStub stub;
  private final MonotonicClock clock;
  private final LongSupplier wallNanos;
  private final LongSupplier stampNanos;
  private final ScheduledExecutorService scheduler;
  private final long tickNanos;
  private final SafetyFilter filter;
  private final List<String> rosNames;
  private final long periodNanos;
  private final long maxAgeNanos;
  private final long holdTfsNanos;
  private final long idleNanos;
  private final long armWatchdogNanos;
  private final long heartbeatNanos;
  private final WarnLimiter warn;
  private final Watchdog policyWatchdog;
  private final Watchdog armWatchdog;
  private final List<Consumer<JointState>> stateListeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private final AuditLog audit;
  private final Principal policyPrincipal;

  // Guarded by lock.
  private boolean started;
  private boolean closed;
  private ScheduledFuture<?> ticking;
  private mantis.proto.v1.Frame frame;
  private long frameArrivalNanos;
  private long frameSeq;
  private long sentFrameSeq;
  private JointState state;
  private long stateArrivalNanos;
  private String instruction;
  private Stream stream;
  private long generation;
  private long nextConnectNanos;
  private long nextProbeNanos;
  private long backoffNanos;
  private boolean everConnected;
  private long lastObservationNanos = Long.MIN_VALUE / 2;
  private boolean holding;
  private String holdReason = "not started";
  private ActionChunk current;
  private long lastChunkNanos = Long.MIN_VALUE;
  private long nextHeartbeatNanos;
  private int armStreams;
  private long armLastCommandNanos = Long.MIN_VALUE / 2;
  private boolean armCommanded;
  private boolean describedMismatch;
  private boolean policyCommanding;
  private boolean serverRefused;
  private long nextAuthErrorNanos = Long.MIN_VALUE;
  private long authRefusalsHeld;
  private String lastRosEstopSource;
  private String lastRosResetSource;
  // Counters.
  private long observationsSent;
  private long chunksPublished;
  private long holds;
  private long interventions;
  private long reconnects;
  private long chunksDropped;
  private long serverWatchdogHolds;

  /** One Control call. */
  private static final class Stream {
    final long generation;
    final String episodeId;
    final Map<Long, Long> pending = new LinkedHashMap<>();
    final Object sendLock = new Object();
    StreamObserver<Observation> requests;
    ClientCallStreamObserver<Observation> call;
    long nextStep;
    long lastPublishedStep = -1;
    long lastActivityNanos;

    Stream(long generation, String episodeId, long now) {
      this.generation = generation;
      this.episodeId = episodeId;
      this.lastActivityNanos = now;
    }
  }

  private BridgeCore(Builder b) {
    this.config = b.config;
    this.port = b.port;
    this.log = b.log;
    this.channel = b.channel;
    this.stub = PolicyServiceGrpc.newStub(b.channel);
    this.clock = b.clock;
    this.wallNanos = b.wallNanos;
    this.stampNanos = b.stampNanos != null ? b.stampNanos : b.wallNanos;
    this.scheduler = b.scheduler;
    this.tickNanos = b.tickNanos;
    this.filter = SafetyFilter.builder().setRobot(config.robot().spec()).optClock(clock).build();
    this.rosNames = config.robot().joints();
    this.periodNanos = config.server().controlPeriodNanos();
    this.maxAgeNanos = config.bridge().maxInputAgeMs() * 1_000_000L;
    this.holdTfsNanos = config.bridge().holdTimeFromStartMs() * 1_000_000L;
    this.idleNanos = config.server().streamIdleTimeoutMs() * 1_000_000L;
    this.armWatchdogNanos = config.server().watchdogTimeoutMs() * 1_000_000L;
    this.heartbeatNanos = Math.round(1e9 / config.bridge().heartbeatHz());
    this.warn = new WarnLimiter(log, clock, 5_000_000_000L);
    this.instruction = config.bridge().defaultInstruction().orElse(null);
    this.backoffNanos = config.server().reconnectMinMs() * 1_000_000L;
    this.audit = b.audit;
    this.policyPrincipal = new Principal(POLICY_PRINCIPAL, Role.OPERATOR, config.server().target());
    this.policyWatchdog =
        Watchdog.builder()
            .setTimeoutNanos(periodNanos + armWatchdogNanos)
            .setClock(clock)
            .setOnHold(
                () ->
                    hold(
                        "watchdog: no fresh chunk for "
                            + (periodNanos + armWatchdogNanos) / 1_000_000
                            + " ms",
                        false))
            .build();
    this.armWatchdog =
        Watchdog.builder()
            .setTimeoutNanos(armWatchdogNanos)
            .setClock(clock)
            .setOnHold(
                () ->
                    hold(
                        "arm service: no command for " + armWatchdogNanos / 1_000_000 + " ms",
                        false))
            .build();
  }

  /** The principal name of the policy stream in the audit log. */
  static final String POLICY_PRINCIPAL = "policy";

  static Builder builder() {
    return new Builder();
  }

  /** Where audit events go. */
  AuditLog audit() {
    return audit;
  }

  /** The filter every chunk passes; its e-stop latch is the bridge's. */
  SafetyFilter filter() {
    return filter;
  }

  BridgeConfig config() {
    return config;
  }

  /**
   * Opens the first stream at the next tick and starts ticking on the scheduler, if one was given.
   */
  void start() {
    synchronized (lock) {
      if (closed || started) {
        throw new IllegalStateException(closed ? "bridge is closed" : "bridge already started");
      }
      started = true;
      long now = clock.nanoTime();
      nextConnectNanos = now;
      nextHeartbeatNanos = now;
      if (scheduler != null) {
        ticking =
            scheduler.scheduleAtFixedRate(this::tickSafely, 0, tickNanos, TimeUnit.NANOSECONDS);
      }
    }
    watchChannel(channel.getState(false));
  }

  /**
   * Re-arms itself on every state change; READY while a stream is due opens it at the next tick.
   */
  private void watchChannel(ConnectivityState seen) {
    channel.notifyWhenStateChanged(
        seen,
        () -> {
          ConnectivityState state = channel.getState(false);
          synchronized (lock) {
            if (closed) {
              return;
            }
            long now = clock.nanoTime();
            if (state == ConnectivityState.READY && stream == null && nextConnectNanos > now) {
              log.info(
                  "server {} reachable again: opening a Control stream now",
                  config.server().target());
              nextConnectNanos = now;
            }
          }
          if (state != ConnectivityState.SHUTDOWN) {
            watchChannel(state);
          }
        });
  }

  /** Asks the channel to connect now: leaves IDLE, and cuts a TRANSIENT_FAILURE backoff short. */
  private void probeChannel() {
    ConnectivityState state = channel.getState(true);
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("bridge tick failed", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs.

  void onImage(Image image) {
    try {
      mantis.proto.v1.Frame f = Convert.frame(image);
      acceptFrame(f);
    } catch (IllegalArgumentException e) {
      warn.warn(
          "image",
          "image on " + config.topics().image().orElse("?") + " rejected: " + e.getMessage());
    }
  }

  void onCompressedImage(CompressedImage image) {
    try {
      mantis.proto.v1.Frame f = Convert.frame(image);
      acceptFrame(f);
    } catch (IllegalArgumentException e) {
      warn.warn(
          "image",
          "image on "
              + config.topics().compressedImage().orElse("?")
              + " rejected: "
              + e.getMessage());
    }
  }

  private void acceptFrame(mantis.proto.v1.Frame f) {
    synchronized (lock) {
      frame = f;
      frameArrivalNanos = clock.nanoTime();
      frameSeq++;
    }
  }

  void onJointState(mantis.ros.msg.JointState msg) {
    JointState js;
    try {
      js = Convert.jointState(msg, rosNames, config.robot().spec().jointNames(), clock.nanoTime());
    } catch (IllegalArgumentException e) {
      warn.warn(
          "joint_state",
          "joint state on " + config.topics().jointStates() + " rejected: " + e.getMessage());
      return;
    }
    synchronized (lock) {
      state = js;
      stateArrivalNanos = js.stampNanos();
    }
    for (Consumer<JointState> l : stateListeners) {
      try {
        l.accept(js);
      } catch (RuntimeException e) {
        log.warn("joint state listener failed", e);
      }
    }
  }

  void onInstruction(RosString msg) {
    String text = msg.data().strip();
    if (text.isEmpty()) {
      warn.warn(
          "instruction", "blank instruction on " + config.topics().instruction() + " ignored");
      return;
    }
    synchronized (lock) {
      if (!text.equals(instruction)) {
        log.info("instruction: \"{}\"", text);
      }
      instruction = text;
    }
  }

  /**
   * {@code true} latches the e-stop (and holds); {@code false} does nothing: only a reset clears
   * it.
   */
  void onEstop(RosBool msg) {
    onEstop(msg, null);
  }

  /** {@link #onEstop(RosBool)} from a known publisher (for the audit log), or null when unknown. */
  void onEstop(RosBool msg, MessageOrigin from) {
    if (msg.data()) {
      estop(
          "e-stop topic " + config.topics().estop(),
          rosPrincipal(config.topics().estop(), Role.VIEWER, from));
    } else {
      log.debug(
          "false on {} ignored: the e-stop is cleared only by a reset ({})",
          config.topics().estop(),
          config.topics().reset().map(t -> "ArmService Reset or " + t).orElse("ArmService Reset"));
    }
  }

  void onReset() {
    onReset(null);
  }

  /**
   * A message on the reset topic from a known publisher (for the audit log), or null when unknown.
   */
  void onReset(MessageOrigin from) {
    reset(rosPrincipal(config.topics().reset().orElse("(reset topic off)"), Role.ADMIN, from));
  }

  /**
   * The audit principal of a ROS topic: {@code ros:<topic>}, with the role the action needs (every
   * node on the ROS graph has it: ROS 1 has no authentication), the publisher as peer.
   */
  private static Principal rosPrincipal(String topic, Role role, MessageOrigin from) {
    return new Principal("ros:" + topic, role, from == null ? "" : from.toString());
  }

  private static boolean isRos(Principal p) {
    return p.name().startsWith("ros:");
  }

  /** Latches the e-stop; the first latch publishes a hold. */
  void estop(String reason) {
    estop(reason, Principal.current());
  }

  /**
   * Latches the e-stop on behalf of {@code by} (written to the audit log); the first latch
   * publishes a hold. A ROS publisher repeating an e-stop that is already latched is written once,
   * not per message.
   */
  void estop(String reason, Principal by) {
    boolean was;
    boolean record;
    synchronized (lock) {
      was = filter.isEstopped();
      filter.estop(reason);
      if (!was) {
        hold("e-stop: " + reason, true);
      }
      record = auditOnce(by, was, true);
    }
    if (record) {
      audit.record(
          AuditEvent.of(AuditEvent.ESTOP)
              .principal(by)
              .robot(config.robot().id())
              .detail(reason)
              .field("already_latched", was));
    }
  }

  /** Clears the e-stop latch; the arm stays holding until the next chunk. */
  void reset() {
    reset(Principal.current());
  }

  /**
   * {@link #reset()} on behalf of {@code by}, written to the audit log (ROS repeats that change
   * nothing: once).
   */
  void reset(Principal by) {
    boolean was;
    boolean record;
    synchronized (lock) {
      was = filter.isEstopped();
      filter.reset();
      record = auditOnce(by, !was, false);
    }
    if (record) {
      audit.record(
          AuditEvent.of(AuditEvent.RESET)
              .principal(by)
              .robot(config.robot().id())
              .detail(was ? "e-stop cleared" : "no e-stop to clear"));
    }
  }

  /**
   * Guarded by lock. Whether to audit an e-stop (or reset) by {@code by}: always for gRPC callers;
   * for a ROS topic, unless it changes nothing and the same publisher was the last one recorded.
   */
  private boolean auditOnce(Principal by, boolean changesNothing, boolean estop) {
    if (!isRos(by)) {
      return true;
    }
    String source = by.name() + " " + by.peer();
    String last = estop ? lastRosEstopSource : lastRosResetSource;
    if (estop) {
      lastRosEstopSource = source;
    } else {
      lastRosResetSource = source;
    }
    return !changesNothing || !source.equals(last);
  }

  // ---------------------------------------------------------------------------------------------
  // ArmService side.

  void addJointStateListener(Consumer<JointState> l) {
    stateListeners.add(l);
  }

  void removeJointStateListener(Consumer<JointState> l) {
    stateListeners.remove(l);
  }

  void armStreamOpened() {
    synchronized (lock) {
      armStreams++;
    }
  }

  void armStreamClosed() {
    synchronized (lock) {
      armStreams--;
      if (armStreams == 0 && armCommanded) {
        armCommanded = false;
        hold("last arm service command stream closed", false);
      }
    }
  }

  /** A chunk from an ArmService client, its validity already on this clock. */
  void armCommand(ActionChunk chunk) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      armCommanded = true;
      armLastCommandNanos = clock.nanoTime();
      armWatchdog.feed();
      policyCommanding = false;
      if (filter.isEstopped()) {
        chunksDropped++;
        return;
      }
      publishChunk(chunk);
    }
  }

  /** ArmService Hold: always publishes. */
  void armHold(String reason) {
    armHold(reason, Principal.current());
  }

  /** ArmService Hold on behalf of {@code by} (written to the audit log): always publishes. */
  void armHold(String reason, Principal by) {
    synchronized (lock) {
      hold(reason, true);
    }
    audit.record(
        AuditEvent.of(AuditEvent.HOLD).principal(by).robot(config.robot().id()).detail(reason));
  }

  boolean isHolding() {
    synchronized (lock) {
      return holding;
    }
  }

  long interventions() {
    synchronized (lock) {
      return interventions;
    }
  }

  JointState latestJointState() {
    synchronized (lock) {
      return state;
    }
  }

  private boolean armInControl(long now) {
    return armStreams > 0 && armCommanded && now - armLastCommandNanos <= armWatchdogNanos;
  }

  // ---------------------------------------------------------------------------------------------
  // Time.

  /**
   * Everything time-driven: connect, idle and expiry checks, watchdogs, observations, heartbeat.
   */
  void tick() {
    Stream toOpen = null;
    Stream toCancel = null;
    Observation obs = null;
    Stream sendOn = null;
    boolean probe = false;
    synchronized (lock) {
      if (closed || !started) {
        return;
      }
      long now = clock.nanoTime();
      if (stream == null && now < nextConnectNanos && now >= nextProbeNanos) {
        nextProbeNanos = now + PROBE_MS * 1_000_000L;
        probe = true;
      }
      if (stream == null && now >= nextConnectNanos) {
        generation++;
        if (everConnected) {
          reconnects++;
        }
        everConnected = true;
        String episode =
            config.robot().id() + "-" + (wallNanos.getAsLong() / 1_000_000L) + "-" + generation;
        stream = new Stream(generation, episode, now);
        toOpen = stream;
      }
      if (stream != null
          && !stream.pending.isEmpty()
          && now - stream.lastActivityNanos > idleNanos) {
        toCancel = stream;
        streamLost(stream, "no chunk for " + idleNanos / 1_000_000 + " ms");
      }
      if (current != null && !holding && now >= current.validUntilNanos()) {
        hold("chunk expired without a successor", false);
      }
      policyWatchdog.poll();
      armWatchdog.poll();
      Stream s = stream;
      if (s != null
          && toOpen == null
          && s.requests != null
          && s.pending.isEmpty()
          && now - lastObservationNanos >= periodNanos
          && ready(now)) {
        long step = s.nextStep++;
        obs =
            Observation.newBuilder()
                .setRobotId(config.robot().id())
                .setEpisodeId(s.episodeId)
                .setStep(step)
                .addFrames(frame)
                .setInstruction(instruction)
                .setJointState(ProtoMapping.toProto(state))
                .setCaptureTimeNanos(frameArrivalNanos)
                .setSendTimeNanos(now)
                .build();
        s.pending.put(step, now);
        s.lastActivityNanos = now;
        sentFrameSeq = frameSeq;
        lastObservationNanos = now;
        observationsSent++;
        sendOn = s;
      }
      if (now >= nextHeartbeatNanos) {
        nextHeartbeatNanos = now + heartbeatNanos;
        port.publishStatus(statusLine(now));
      }
    }
    if (toCancel != null && toCancel.call != null) {
      toCancel.call.cancel("stream idle", null);
    }
    if (probe) {
      probeChannel();
    }
    if (toOpen != null) {
      open(toOpen);
    }
    if (sendOn != null) {
      synchronized (sendOn.sendLock) {
        try {
          sendOn.requests.onNext(obs);
        } catch (RuntimeException e) {
          log.debug("sending an observation failed: {}", e.toString());
        }
      }
    }
  }

  private boolean ready(long now) {
    return frame != null
        && frameSeq != sentFrameSeq
        && now - frameArrivalNanos <= maxAgeNanos
        && state != null
        && now - stateArrivalNanos <= maxAgeNanos
        && instruction != null
        && !instruction.isBlank();
  }

  private void open(Stream s) {
    log.info("opening Control stream to {} (episode {})", config.server().target(), s.episodeId);
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff(); // else the call fails at once until gRPC's own backoff ends
    }
    StreamObserver<Observation> requests =
        stub.control(
            new ClientResponseObserver<Observation, mantis.proto.v1.ActionChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<Observation> call) {
                s.call = call;
              }

              @Override
              public void onNext(mantis.proto.v1.ActionChunk chunk) {
                onChunk(s, chunk);
              }

              @Override
              public void onError(Throwable t) {
                Status st = Status.fromThrowable(t);
                synchronized (lock) {
                  if (st.getCode() == Status.Code.UNAUTHENTICATED
                      || st.getCode() == Status.Code.PERMISSION_DENIED) {
                    refused(s, st);
                  } else {
                    streamLost(
                        s,
                        "Control failed: "
                            + st.getCode()
                            + (st.getDescription() == null ? "" : " " + st.getDescription()));
                  }
                }
              }

              @Override
              public void onCompleted() {
                synchronized (lock) {
                  streamLost(s, "server ended the Control stream");
                }
              }
            });
    synchronized (lock) {
      s.requests = requests;
    }
    describe();
  }

  /** Checks, once per connection and without blocking, that the server's joints are the robot's. */
  private void describe() {
    stub.withDeadlineAfter(config.server().deadlineMs(), TimeUnit.MILLISECONDS)
        .describe(
            DescribeRequest.getDefaultInstance(),
            new StreamObserver<PolicyInfo>() {
              @Override
              public void onNext(PolicyInfo info) {
                List<String> expected = config.robot().spec().jointNames();
                if (!info.getJointNamesList().isEmpty()
                    && !info.getJointNamesList().equals(expected)) {
                  synchronized (lock) {
                    if (describedMismatch) {
                      return;
                    }
                    describedMismatch = true;
                  }
                  log.error(
                      "the server's joints {} are not robot spec {}'s joints {}: every chunk will be held",
                      info.getJointNamesList(),
                      config.robot().spec().name(),
                      expected);
                }
              }

              @Override
              public void onError(Throwable t) {
                log.debug("Describe failed: {}", Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {}
            });
  }

  /** Guarded by lock. Forgets {@code s} if it is current, schedules a reconnect, holds. */
  private void streamLost(Stream s, String why) {
    streamLost(s, why, false);
  }

  /**
   * Guarded by lock. The server refused the bridge's credentials on {@code s}: lost like any stream
   * (hold, retry at the normal backoff), with one rate-limited ERROR instead of the WARN.
   */
  private void refused(Stream s, Status st) {
    if (s != stream || closed) {
      return;
    }
    serverRefused = true;
    long now = clock.nanoTime();
    String what = st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription());
    if (now - nextAuthErrorNanos >= 0 || nextAuthErrorNanos == Long.MIN_VALUE) {
      nextAuthErrorNanos = now + AUTH_ERROR_PERIOD_MS * 1_000_000L;
      long held = authRefusalsHeld;
      authRefusalsHeld = 0;
      log.error(
          "server refused the bridge's token: {} ({}). The arm holds; retrying with the reconnect backoff "
              + "(up to {} ms between tries){}. Check server.token_file (or $MANTIS_TOKEN): the token must be one of {}'s, "
              + "with role operator or admin",
          what,
          config
              .server()
              .security()
              .token()
              .map(
                  t ->
                      "token sha256 "
                          + t.hashPrefix()
                          + "..., from "
                          + config.server().tokenSource())
              .orElse("no token configured"),
          config.server().reconnectMaxMs(),
          held == 0 ? "" : " (" + held + " more refusals since the last such line)",
          config.server().target());
    } else {
      authRefusalsHeld++;
    }
    streamLost(s, "refused: " + what, true);
  }

  private void streamLost(Stream s, String why, boolean quiet) {
    if (s != stream) {
      return;
    }
    stream = null;
    if (policyCommanding) {
      policyCommanding = false;
      audit.record(
          AuditEvent.of(AuditEvent.COMMAND_SOURCE_END)
              .principal(policyPrincipal)
              .robot(config.robot().id())
              .detail("policy Control stream (episode " + s.episodeId + ") lost: " + why)
              .field("episode", s.episodeId));
    }
    if (closed) {
      return;
    }
    long now = clock.nanoTime();
    long max = config.server().reconnectMaxMs() * 1_000_000L;
    nextConnectNanos = now + backoffNanos;
    nextProbeNanos = now;
    if (quiet) {
      log.debug("server stream lost ({}); reconnecting in {} ms", why, backoffNanos / 1_000_000);
    } else {
      serverRefused = false;
      log.warn(
          "server stream lost ({}); reconnecting in {} ms, or as soon as the server answers",
          why,
          backoffNanos / 1_000_000);
    }
    backoffNanos = Math.min(max, backoffNanos * 2);
    hold("server lost: " + why, false);
  }

  private void onChunk(Stream s, mantis.proto.v1.ActionChunk wire) {
    synchronized (lock) {
      if (s != stream || closed) {
        return;
      }
      long now = clock.nanoTime();
      s.lastActivityNanos = now;
      backoffNanos = config.server().reconnectMinMs() * 1_000_000L;
      if (serverRefused) {
        serverRefused = false;
        log.info("server {} accepts the bridge's token again", config.server().target());
      }
      if (wire.getSource() == ChunkSource.CHUNK_SOURCE_WATCHDOG) {
        serverWatchdogHolds++;
        log.debug(
            "server watchdog hold ignored: the bridge's own watchdog and expiry hold the arm");
        return;
      }
      if (wire.getSource() == ChunkSource.CHUNK_SOURCE_SHUTDOWN) {
        hold("server shutting down", false);
        return;
      }
      Long sentAt = s.pending.remove(wire.getStep());
      if (sentAt == null) {
        chunksDropped++;
        warn.warn(
            "unknown_step",
            "chunk for step " + wire.getStep() + " answers no observation in flight; dropped");
        return;
      }
      if (wire.getStep() <= s.lastPublishedStep) {
        chunksDropped++;
        return;
      }
      s.lastPublishedStep = wire.getStep();
      interventions += wire.getInterventionsCount();
      if (wire.getHeld()) {
        hold(
            "server held"
                + (wire.getInterventionsCount() > 0
                    ? ": " + wire.getInterventions(0).getKind()
                    : ""),
            false);
        return;
      }
      if (armInControl(now) || filter.isEstopped()) {
        chunksDropped++;
        return;
      }
      if (publishChunk(ProtoMapping.chunkFromProto(wire, sentAt))) {
        policyWatchdog.feed();
        if (!policyCommanding) {
          policyCommanding = true;
          audit.record(
              AuditEvent.of(AuditEvent.COMMAND_SOURCE)
                  .principal(policyPrincipal)
                  .robot(config.robot().id())
                  .detail("policy Control stream (episode " + s.episodeId + ") commands the arm")
                  .field("episode", s.episodeId));
        }
      }
    }
  }

  /**
   * Guarded by lock. Filters and publishes; holds instead when the chunk is expired or unusable.
   */
  private boolean publishChunk(ActionChunk chunk) {
    long now = clock.nanoTime();
    if (now >= chunk.validUntilNanos()) {
      chunksDropped++;
      hold(
          "chunk expired "
              + (now - chunk.validUntilNanos()) / 1_000_000
              + " ms before it could be published",
          false);
      return false;
    }
    SafetyResult safe = filter.filter(chunk, state);
    interventions += safe.interventions().size();
    if (safe.held()) {
      chunksDropped++;
      hold("safety filter held: " + safe.interventions(), false);
      return false;
    }
    if (!safe.interventions().isEmpty()) {
      log.debug("safety filter: {}", safe.interventions());
    }
    JointTrajectory t;
    try {
      t = Convert.trajectory(safe.chunk(), rosNames, stampNanos.getAsLong());
    } catch (RuntimeException e) {
      log.error("cannot publish a filtered chunk", e);
      hold("chunk could not be converted", false);
      return false;
    }
    port.publishTrajectory(t);
    current = safe.chunk();
    lastChunkNanos = now;
    holding = false;
    chunksPublished++;
    return true;
  }

  /** Guarded by lock. Publishes a hold unless already holding ({@code always}: publish anyway). */
  private void hold(String reason, boolean always) {
    if (holding && !always) {
      return;
    }
    long stamp = stampNanos.getAsLong();
    JointTrajectory t;
    if (state == null) {
      t = Convert.stop(rosNames, stamp);
    } else {
      ActionChunk h = filter.hold(state);
      long tfs = Math.max(holdTfsNanos, h.points().get(0).timeFromStartNanos());
      t = Convert.hold(h.points().get(0).positionsRad(), tfs, rosNames, stamp);
    }
    port.publishHold(t, reason);
    holding = true;
    holdReason = reason;
    current = null;
    holds++;
    log.info("hold: {}", reason);
  }

  private String statusLine(long now) {
    String st;
    if (filter.isEstopped()) {
      st = "estopped";
    } else if (serverRefused) {
      st = "server_refused";
    } else if (stream == null) {
      st = "server_lost";
    } else if (holding || current == null) {
      st = "holding";
    } else {
      st = "running";
    }
    return "state="
        + st
        + " robot="
        + config.robot().id()
        + " episode="
        + (stream == null ? "-" : stream.episodeId)
        + " last_chunk_age_ms="
        + (lastChunkNanos == Long.MIN_VALUE
            ? "-"
            : String.valueOf((now - lastChunkNanos) / 1_000_000))
        + " observations="
        + observationsSent
        + " chunks="
        + chunksPublished
        + " dropped="
        + chunksDropped
        + " holds="
        + holds
        + " interventions="
        + interventions
        + " reconnects="
        + reconnects
        + " server_watchdog_holds="
        + serverWatchdogHolds
        + " arm_streams="
        + armStreams
        + (holding ? " hold_reason=\"" + holdReason.replace('"', '\'') + "\"" : "");
  }

  /** The heartbeat text now. */
  String status() {
    synchronized (lock) {
      return statusLine(clock.nanoTime());
    }
  }

  /** Counters, for tests and logs. */
  record Counts(
      long observationsSent,
      long chunksPublished,
      long holds,
      long interventions,
      long reconnects,
      long chunksDropped) {}

  Counts counts() {
    synchronized (lock) {
      return new Counts(
          observationsSent, chunksPublished, holds, interventions, reconnects, chunksDropped);
    }
  }

  /**
   * Publishes a hold (always), stops ticking and cancels the stream. Call before closing the node.
   */
  @Override
  public void close() {
    close("closed");
  }

  /** {@link #close()}, naming why in the hold's log line. */
  void close(String why) {
    Stream s;
    synchronized (lock) {
      if (closed) {
        return;
      }
      hold("bridge closing: " + why, true);
      closed = true;
      if (ticking != null) {
        ticking.cancel(false);
      }
      s = stream;
      stream = null;
      if (policyCommanding && s != null) {
        policyCommanding = false;
        audit.record(
            AuditEvent.of(AuditEvent.COMMAND_SOURCE_END)
                .principal(policyPrincipal)
                .robot(config.robot().id())
                .detail(
                    "policy Control stream (episode "
                        + s.episodeId
                        + ") ended: bridge closing: "
                        + why)
                .field("episode", s.episodeId));
      }
    }
    policyWatchdog.close();
    armWatchdog.close();
    if (s != null && s.call != null) {
      s.call.cancel("bridge closing", null);
    }
  }

  /** Builds a {@link BridgeCore}; {@code set*} required, {@code opt*} optional. */
  static final class Builder {
    private BridgeConfig config;
    private BridgePort port;
    private ManagedChannel channel;
    private Logger log = LoggerFactory.getLogger(BridgeCore.class);
    private LongSupplier stampNanos;
    private MonotonicClock clock = MonotonicClock.system();
    private LongSupplier wallNanos =
        () -> {
          java.time.Instant t = java.time.Instant.now();
          return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        };
    private ScheduledExecutorService scheduler;
    private long tickNanos = DEFAULT_TICK_NANOS;
    private AuditLog audit = AuditLog.none();

    private Builder() {}

    /** Where command sources, e-stops, resets and holds are recorded; default none. */
    Builder optAuditLog(AuditLog audit) {
      this.audit = audit;
      return this;
    }

    Builder setConfig(BridgeConfig config) {
      this.config = config;
      return this;
    }

    Builder setPort(BridgePort port) {
      this.port = port;
      return this;
    }

    /** The channel to the Mantis server (its state is watched to reconnect promptly). */
    Builder setChannel(ManagedChannel channel) {
      this.channel = channel;
      return this;
    }

    /** Where the core logs (e.g. a {@code RosNode.logger} that also feeds /rosout). */
    Builder optLogger(Logger log) {
      this.log = log;
      return this;
    }

    /**
     * ROS time, ns since the epoch, for trajectory header stamps (the node's clock: sim time under
     * {@code /use_sim_time}); default the wall clock.
     */
    Builder optStampClock(LongSupplier stampNanos) {
      this.stampNanos = stampNanos;
      return this;
    }

    Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Wall-clock time since the epoch, ns, for episode ids (and stamps, unless optStampClock). */
    Builder optWallClock(LongSupplier wallNanos) {
      this.wallNanos = wallNanos;
      return this;
    }

    /** Runs {@link #tick()}; null (the default) means the caller drives it. */
    Builder optScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    Builder optTickNanos(long tickNanos) {
      this.tickNanos = tickNanos;
      return this;
    }

    BridgeCore build() {
      Objects.requireNonNull(config, "setConfig is required");
      Objects.requireNonNull(port, "setPort is required");
      Objects.requireNonNull(channel, "setChannel is required");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(wallNanos, "wallNanos");
      Objects.requireNonNull(log, "log");
      Objects.requireNonNull(audit, "audit");
      if (!config.robot().resolved()) {
        throw new IllegalStateException(
            "robot.from_parameter: the robot is not read from the parameter server yet"
                + " (BridgeNode.start() reads it)");
      }
      if (tickNanos < 100_000L || tickNanos > 100_000_000L) {
        throw new IllegalArgumentException(
            "tick period must be in [0.1 ms, 100 ms], got " + tickNanos + " ns");
      }
      return new BridgeCore(this);
    }
  }
}
