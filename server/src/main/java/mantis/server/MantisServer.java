package mantis.server;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import mantis.core.LogLimiter;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpec;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.AuditEvent;
import mantis.security.AuthInterceptor;
import mantis.security.ExposurePolicy;
import mantis.security.Principal;
import mantis.security.ServerSecurity;
import mantis.server.config.MantisConfig;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Mantis policy server: {@code mantis.v1.PolicyService}, standard gRPC health and reflection,
 * and a Prometheus endpoint. Health stays NOT_SERVING until the policy has answered a few warm-up
 * observations. Every outgoing chunk passes the robot's {@link SafetyFilter}.
 *
 * <pre>{@code
 * try (MantisServer server = MantisServer.builder().setPolicy(policy).setRobot(robot).optPort(50051).build()) {
 *   server.start();
 *   server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Security ({@link Builder#optSecurity}): before binding, {@link ServerSecurity#check} decides
 * whether the address may be served (loopback may stay open; any other address needs TLS and
 * tokens, or {@code --insecure}); {@link #start()} refuses with {@link IllegalStateException}
 * otherwise. Every service of the network listener (PolicyService, health, reflection) passes an
 * {@link AuthInterceptor}. The in-process listener ({@link Builder#optInProcessName}) is trusted:
 * only code in this JVM can reach it (the teleop dashboard's shadow policy, which authenticates its
 * own HTTP users), so its calls run as {@value Principal#IN_PROCESS} with the operator role. The
 * audit log gets SERVER_START/SERVER_STOP, the command sources of Control streams and first
 * Predicts, e-stops and resets.
 *
 * <p>The constructor starts nothing; {@link #start()} binds and warms up; {@link #close()} shuts
 * down gracefully: health goes NOT_SERVING, new calls are refused, every open Control stream gets a
 * final hold chunk, in-flight calls drain for up to the drain timeout, then the rest are cancelled.
 *
 * <p>Warm-up refuses a policy whose output is not finite (e.g. a bundle with NaN weights): health
 * stays NOT_SERVING for good and {@link #warmUpProblem()} says why (at serving time every such
 * chunk is a hold with a NON_FINITE intervention anyway). Admission control ({@link
 * #optAdmission}): Control stream limits (server and per connection), a bounded robot table that
 * cannot lock robots out, a decode budget, STALE holds instead of chunks that would arrive expired,
 * and rate-limited per-request logging; unparseable requests are answered INVALID_ARGUMENT. A
 * listener that cannot bind fails {@link #start()} with a {@link BindFailedException} naming the
 * address.
 */
public final class MantisServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MantisServer.class);

  /** The service name reported by health checks besides the empty (whole server) name. */
  public static final String SERVICE_NAME = PolicyServiceGrpc.SERVICE_NAME;

  private final Builder cfg;
  private final ServerMetrics metrics = new ServerMetrics();
  private final HealthStatusManager health = new HealthStatusManager();
  private final CountDownLatch warmedUp = new CountDownLatch(1);
  private ScheduledExecutorService scheduler;
  private boolean ownsScheduler;
  private PolicyServiceImpl service;
  private PolicyPipeline pipeline;
  private Server server;
  private Server inProcess;
  private Thread warmupThread;
  private ExecutorService ownControlExecutor;
  private int metricsPort = -1;
  private ScheduledFuture<?> insecureReminder;
  private ScheduledFuture<?> idleSweep;
  private String listening;
  private volatile boolean closed;
  private volatile String warmUpProblem;

  private MantisServer(Builder b) {
    this.cfg = b;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the gRPC server (and the metrics endpoint), then warms the policy up in the background.
   */
  public synchronized MantisServer start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    // Security first: nothing is created or bound for an address the exposure rule refuses.
    ExposurePolicy.Decision exposure = null;
    ServerBuilder<?> sb;
    if (cfg.serverBuilder != null) {
      sb = cfg.serverBuilder;
    } else {
      InetSocketAddress address = new InetSocketAddress(cfg.host, cfg.port);
      exposure =
          address.isUnresolved()
              ? ExposurePolicy.decide(cfg.host, false, false, false)
              : cfg.security.check(cfg.host, address.getAddress());
      if (!exposure.allowed()) {
        throw new IllegalStateException(exposure.message());
      }
      ServerCredentials creds = cfg.security.serverCredentials().orElse(null);
      NettyServerBuilder netty =
          creds == null
              ? NettyServerBuilder.forAddress(address)
              : NettyServerBuilder.forAddress(address, creds);
      sb = keepAlive(netty, cfg.admission);
    }
    health.setStatus("", ServingStatus.NOT_SERVING);
    health.setStatus(SERVICE_NAME, ServingStatus.NOT_SERVING);
    scheduler = cfg.scheduler;
    if (scheduler == null) {
      ownsScheduler = true;
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "mantis-watchdog");
                t.setDaemon(true);
                return t;
              });
    }
    PolicyInfo info = cfg.policy.info();
    MantisConfig.AdmissionConfig adm = cfg.admission;
    LogLimiter logs =
        LogLimiter.create(
            LoggerFactory.getLogger(PolicyServiceImpl.class),
            cfg.clock,
            adm.logIntervalMs() * 1_000_000L);
    DecodeBudget budget =
        new DecodeBudget(
            adm.decodePixelsPerRequest(), adm.decodePixelsPerSecond(), cfg.clock, metrics);
    ObservationDecoder decoder =
        new ObservationDecoder(
            cfg.robot,
            new FrameDecoder(cfg.maxFrameSidePx, cfg.maxFramePixels),
            cfg.resizeToPolicyInput ? info.inputWidthPx() : 0,
            cfg.resizeToPolicyInput ? info.inputHeightPx() : 0,
            budget,
            DecodeBudget.forAnnotate(
                adm.decodePixelsPerRequest(),
                adm.annotateDecodePixelsPerSecond(),
                cfg.clock,
                metrics));
    RobotTable robots =
        new RobotTable(
            adm.maxRobots(),
            adm.robotIdleExpiryMs() * 1_000_000L,
            id -> newFilter(),
            cfg.clock,
            metrics);
    pipeline =
        new PolicyPipeline(
            cfg.policy,
            cfg.robot,
            decoder,
            robots,
            cfg.clock,
            metrics,
            adm.sendMarginMs() * 1_000_000L,
            logs);
    java.util.concurrent.Executor controlExecutor = cfg.executor;
    if (controlExecutor == null) {
      java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
      ownControlExecutor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "mantis-control-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      controlExecutor = ownControlExecutor;
    }
    service =
        new PolicyServiceImpl(
            pipeline,
            cfg.clock,
            metrics,
            scheduler,
            cfg.watchdogTimeoutNanos,
            cfg.maxInboundMessageBytes,
            controlExecutor,
            adm.maxControlPeriodMs() * 1_000_000L,
            adm.annotateMaxSidePx(),
            logs,
            adm.controlIdleTimeoutMs() * 1_000_000L,
            adm.maxQueuedBytes());
    StreamAdmission admission =
        new StreamAdmission(
            Set.of(PolicyServiceGrpc.getControlMethod().getFullMethodName()),
            adm.maxControlStreams(),
            adm.maxControlStreamsPerConnection(),
            adm.maxControlStreamsPerPrincipal(),
            metrics);

    if (cfg.executor != null) {
      sb.executor(cfg.executor);
    }
    MetricsInterceptor counting = new MetricsInterceptor(metrics);
    AuthInterceptor auth =
        cfg.security.interceptor(
            exposure, (method, code) -> metrics.authDenied.labelValues(code.name()).inc());
    CommandAuditInterceptor commandAudit =
        new CommandAuditInterceptor(cfg.security.auditLog(), cfg.clock);
    ServerServiceDefinition policyService = ParseGuard.guard(service.bindService(), metrics, logs);
    ServerServiceDefinition healthService =
        ParseGuard.guard(health.getHealthService().bindService(), metrics, logs);
    // Interceptors run last-listed first: count every call, then authenticate it (so an
    // unauthenticated call never
    // takes a stream slot), then admit it against the stream limits, then audit who commands.
    sb.maxInboundMessageSize(cfg.maxInboundMessageBytes)
        .addTransportFilter(admission)
        .addService(
            ServerInterceptors.intercept(policyService, commandAudit, admission, auth, counting))
        .addService(ServerInterceptors.intercept(healthService, auth, counting))
        .addService(
            ServerInterceptors.intercept(
                ParseGuard.guard(
                    ProtoReflectionServiceV1.newInstance().bindService(), metrics, logs),
                auth,
                counting));
    addLegacyReflection(sb, auth, counting);
    try {
      server = sb.build().start();
    } catch (IOException e) {
      stopAfterFailedStart();
      if (cfg.serverBuilder != null) {
        throw e;
      }
      throw new BindFailedException("", cfg.host + ":" + cfg.port, e);
    }
    try {
      if (cfg.inProcessName != null) {
        // A second listener on the same services for clients inside this JVM (the teleop
        // dashboard's
        // shadow policy), so they need no network address. Trusted: nothing outside this JVM can
        // reach it.
        AuthInterceptor trusted = cfg.security.inProcessInterceptor();
        inProcess =
            InProcessServerBuilder.forName(cfg.inProcessName)
                .maxInboundMessageSize(cfg.maxInboundMessageBytes)
                .addTransportFilter(admission)
                .addService(
                    ServerInterceptors.intercept(
                        policyService, commandAudit, admission, trusted, counting))
                .addService(ServerInterceptors.intercept(healthService, trusted, counting))
                .build()
                .start();
      }
      logExposure(exposure);
      if (cfg.metricsPort >= 0) {
        try {
          metricsPort = metrics.startHttp(cfg.metricsHost, cfg.metricsPort);
        } catch (IOException e) {
          throw new BindFailedException(
              "the metrics endpoint",
              (cfg.metricsHost == null ? "127.0.0.1" : cfg.metricsHost) + ":" + cfg.metricsPort,
              e);
        }
      }
    } catch (IOException | RuntimeException e) {
      stopAfterFailedStart();
      throw e;
    }
    log.info(
        "Mantis server listening on {} (policy {} {}, robot {}, max inbound {} bytes, watchdog {} ms; "
            + "admission: {})",
        server.getListenSockets(),
        info.name(),
        info.version(),
        cfg.robot.name(),
        cfg.maxInboundMessageBytes,
        cfg.watchdogTimeoutNanos / 1_000_000,
        adm);
    listening = String.valueOf(server.getListenSockets());
    cfg.security
        .auditLog()
        .record(
            AuditEvent.of(AuditEvent.SERVER_START)
                .detail(listening)
                .field("mode", exposure == null ? "custom listener" : exposure.mode().name())
                .field("tls", cfg.security.tls().isPresent())
                .field("mtls", cfg.security.tls().map(t -> t.mutual()).orElse(false))
                .field("tokens", cfg.security.tokens().size())
                .field("policy", info.name() + " " + info.version()));
    long sweepMs = Math.max(10, Math.min(1000, adm.controlIdleTimeoutMs() / 4));
    idleSweep =
        scheduler.scheduleWithFixedDelay(
            service::endIdleStreams, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    warmupThread = new Thread(this::warmUp, "mantis-warmup");
    warmupThread.setDaemon(true);
    warmupThread.start();
    return this;
  }

  /**
   * Undoes a start that failed part-way, so the ports are free again; {@link #close()} still closes
   * the policy.
   */
  private void stopAfterFailedStart() {
    if (server != null) {
      server.shutdownNow();
      server = null;
    }
    if (inProcess != null) {
      inProcess.shutdownNow();
      inProcess = null;
    }
    cancelScheduledTasks();
    metrics.close();
    if (ownsScheduler && scheduler != null) {
      scheduler.shutdownNow();
    }
    if (ownControlExecutor != null) {
      ownControlExecutor.shutdownNow();
    }
  }

  /**
   * Cancels the server's own tasks on the scheduler (which may be the caller's and outlive the
   * server).
   */
  private void cancelScheduledTasks() {
    if (insecureReminder != null) {
      insecureReminder.cancel(false);
      insecureReminder = null;
    }
    if (idleSweep != null) {
      idleSweep.cancel(false);
      idleSweep = null;
    }
  }

  /**
   * Server keepalive on the network listener: a connection silent for {@code keepalive_time_ms} is
   * pinged and closed when the ping is not answered within {@code keepalive_timeout_ms} (a robot
   * whose network dropped leaves a half-open connection that would otherwise keep its Control
   * streams for hours); clients may ping every {@code permit_keepalive_time_ms}, with or without
   * calls (the ROS bridge pings every 20 s or more); a connection without calls for {@code
   * max_connection_idle_ms} is closed with GOAWAY.
   */
  static NettyServerBuilder keepAlive(NettyServerBuilder b, MantisConfig.AdmissionConfig adm) {
    return b.keepAliveTime(adm.keepAliveTimeMs(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(adm.keepAliveTimeoutMs(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(adm.permitKeepAliveTimeMs(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(adm.maxConnectionIdleMs(), TimeUnit.MILLISECONDS);
  }

  @SuppressWarnings("deprecation")
  private static void addLegacyReflection(ServerBuilder<?> sb, ServerInterceptor... interceptors) {
    // v1alpha for older tools (grpcurl < 1.9, grpc_cli); v1 is registered too.
    sb.addService(
        ServerInterceptors.intercept(
            io.grpc.protobuf.services.ProtoReflectionService.newInstance(), interceptors));
  }

  /**
   * Says once how the listener is protected; with --insecure, repeats the warning every 10 minutes.
   */
  private void logExposure(ExposurePolicy.Decision exposure) {
    if (exposure == null) {
      log.info(
          "gRPC security: {} on a custom listener",
          cfg.security.tokens().isEmpty() ? "no auth" : "tokens enforced");
      return;
    }
    switch (exposure.mode()) {
      case OPEN_LOOPBACK:
        log.info("gRPC security: {}", exposure.message());
        break;
      case INSECURE:
        log.warn("gRPC security: {}", exposure.message());
        insecureReminder =
            scheduler.scheduleAtFixedRate(
                () -> log.warn("gRPC security (reminder): {}", exposure.message()),
                10,
                10,
                TimeUnit.MINUTES);
        break;
      default:
        log.info(
            "gRPC security: {} ({} token(s){})",
            exposure.message(),
            cfg.security.tokens().size(),
            cfg.security
                .tls()
                .map(t -> t.mutual() ? ", client certificates required" : "")
                .orElse(""));
        break;
    }
  }

  private SafetyFilter newFilter() {
    SafetyFilter.Builder b =
        SafetyFilter.builder()
            .setRobot(cfg.robot)
            .optClock(cfg.clock)
            .optPositionMarginRad(cfg.positionMarginRad);
    if (cfg.holdValidityNanos > 0) {
      b.optHoldValidityNanos(cfg.holdValidityNanos);
    }
    return b.build();
  }

  private void warmUp() {
    long t0 = System.nanoTime();
    String problem = null;
    try {
      service.warmUp();
      Observation obs =
          cfg.warmupObservation != null ? cfg.warmupObservation : defaultWarmupObservation();
      for (int i = 0; i < cfg.warmupPredictions && !closed && problem == null; i++) {
        Observation step =
            new Observation(
                "warmup",
                "warmup",
                i,
                obs.frames(),
                obs.instruction(),
                obs.jointState(),
                obs.captureTimeNanos(),
                obs.sendTimeNanos());
        mantis.proto.v1.Observation wire = ProtoMapping.toProto(step, cfg.clock.nanoTime());
        long receive = cfg.clock.nanoTime();
        PolicyPipeline.Result r =
            pipeline.run("Warmup", wire, PolicyPipeline.Arrival.at(receive), null);
        if (r.policyNonFinite() != null) {
          problem =
              "its output is not finite at warm-up prediction "
                  + (i + 1)
                  + " of "
                  + cfg.warmupPredictions
                  + " ("
                  + r.policyNonFinite()
                  + "); are its weights NaN?";
        }
      }
    } catch (InvalidInputException | OverloadedException | RuntimeException e) {
      log.warn("warm-up observation failed ({}); serving anyway", e.getMessage());
    } finally {
      pipeline.forget("warmup");
    }
    synchronized (this) {
      PolicyInfo info = cfg.policy.info();
      if (problem != null) {
        warmUpProblem = "policy " + info.name() + " (" + info.version() + ") refused: " + problem;
        health.setStatus("", ServingStatus.NOT_SERVING);
        health.setStatus(SERVICE_NAME, ServingStatus.NOT_SERVING);
        metrics.serving.set(0);
        log.error("{}; health stays NOT_SERVING", warmUpProblem);
      } else if (!closed) {
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SERVICE_NAME, ServingStatus.SERVING);
        metrics.serving.set(1);
        log.info(
            "SERVING after {} warm-up predictions in {} ms",
            cfg.warmupPredictions,
            (System.nanoTime() - t0) / 1_000_000);
      }
    }
    warmedUp.countDown();
  }

  private Observation defaultWarmupObservation() {
    PolicyInfo info = cfg.policy.info();
    int w = info.inputWidthPx() > 0 ? info.inputWidthPx() : 128;
    int h = info.inputHeightPx() > 0 ? info.inputHeightPx() : 128;
    return WarmupScene.observation(cfg.robot, w, h);
  }

  /**
   * The PolicyService implementation (after {@link #start()}), for tests that drive it without a
   * transport.
   */
  PolicyServiceImpl policyService() {
    return service;
  }

  /**
   * Blocks until warm-up finished (health SERVING) or the timeout passed; true when warmed up and
   * serving.
   */
  public boolean awaitServing(long timeout, TimeUnit unit) throws InterruptedException {
    return warmedUp.await(timeout, unit) && !closed && warmUpProblem == null;
  }

  /**
   * Blocks until warm-up has ended, however it ended (or the server closed); returns why the policy
   * was refused, empty when it serves.
   */
  public Optional<String> awaitWarmUp() throws InterruptedException {
    warmedUp.await();
    return warmUpProblem();
  }

  /** Why warm-up refused the policy (health then stays NOT_SERVING), or empty. */
  public Optional<String> warmUpProblem() {
    return Optional.ofNullable(warmUpProblem);
  }

  /** The bound gRPC port (-1 for in-process servers). */
  public int port() {
    return server == null ? -1 : server.getPort();
  }

  /** The bound metrics port, or -1 when the endpoint is off. */
  public int metricsPort() {
    return metricsPort;
  }

  /** The current metrics in the Prometheus text format (what {@code /metrics} serves). */
  public String scrapeMetrics() {
    return metrics.scrapeText();
  }

  /**
   * Latches the e-stop of one robot: every chunk for it becomes a hold until {@link #resetEstop}.
   */
  public void estop(String robotId, String reason) {
    estop(robotId, reason, Principal.current());
  }

  /**
   * Latches the e-stop of one robot on behalf of {@code by} (written to the audit log): every chunk
   * for it becomes a hold until {@link #resetEstop}.
   */
  public void estop(String robotId, String reason, Principal by) {
    try {
      pipeline.filter(robotId).estop(reason);
    } catch (OverloadedException e) {
      throw new IllegalStateException(e.getMessage());
    } finally {
      cfg.security
          .auditLog()
          .record(AuditEvent.of(AuditEvent.ESTOP).principal(by).robot(robotId).detail(reason));
    }
  }

  /** Clears one robot's e-stop. */
  public void resetEstop(String robotId) {
    resetEstop(robotId, Principal.current());
  }

  /** Clears one robot's e-stop on behalf of {@code by} (written to the audit log). */
  public void resetEstop(String robotId, Principal by) {
    SafetyFilter f = pipeline.robots().existing(robotId);
    if (f != null) {
      f.reset();
    }
    cfg.security
        .auditLog()
        .record(
            AuditEvent.of(AuditEvent.RESET)
                .principal(by)
                .robot(robotId)
                .detail(f == null ? "no e-stop to clear: robot unknown" : "e-stop cleared"));
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    Server s;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
    }
    if (s != null) {
      log.info(
          "shutting down: health NOT_SERVING, holding {} open control stream(s), draining for up to {} ms",
          service.activeStreams(),
          cfg.drainTimeoutNanos / 1_000_000);
      metrics.serving.set(0);
      health.enterTerminalState();
      s.shutdown();
      if (inProcess != null) {
        inProcess.shutdown();
      }
      service.holdAndEndAllStreams("server shutting down");
      try {
        if (!s.awaitTermination(cfg.drainTimeoutNanos, TimeUnit.NANOSECONDS)) {
          log.warn("calls still running after the drain timeout; cancelling them");
          s.shutdownNow();
          s.awaitTermination(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        s.shutdownNow();
        Thread.currentThread().interrupt();
      }
      if (inProcess != null) {
        inProcess.shutdownNow();
      }
    }
    if (warmupThread != null) {
      warmupThread.interrupt();
    }
    synchronized (this) {
      cancelScheduledTasks();
    }
    if (ownsScheduler && scheduler != null) {
      scheduler.shutdownNow();
    }
    if (ownControlExecutor != null) {
      ownControlExecutor.shutdownNow();
    }
    metrics.close();
    cfg.policy.close();
    if (s != null) {
      cfg.security.auditLog().record(AuditEvent.of(AuditEvent.SERVER_STOP).detail(listening));
      log.info("server stopped");
    }
  }

  /** Builds a {@link MantisServer}; {@code set*} are required, {@code opt*} optional. */
  public static final class Builder {
    private Policy policy;
    private RobotSpec robot;
    private ServerBuilder<?> serverBuilder;
    private String host = MantisConfig.DEFAULT_HOST;
    private int port = MantisConfig.DEFAULT_PORT;
    private MonotonicClock clock = MonotonicClock.system();
    private int maxInboundMessageBytes = MantisConfig.DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private long watchdogTimeoutNanos = MantisConfig.DEFAULT_WATCHDOG_TIMEOUT_MS * 1_000_000L;
    private ScheduledExecutorService scheduler;
    private long drainTimeoutNanos = MantisConfig.DEFAULT_DRAIN_TIMEOUT_MS * 1_000_000L;
    private int warmupPredictions = MantisConfig.DEFAULT_WARMUP_PREDICTIONS;
    private Observation warmupObservation;
    private int metricsPort = -1;
    private String metricsHost;
    private double positionMarginRad = MantisConfig.DEFAULT_POSITION_MARGIN_RAD;
    private long holdValidityNanos;
    private int maxFrameSidePx = 8192;
    private long maxFramePixels = 4096L * 4096L;
    private boolean resizeToPolicyInput = true;
    private java.util.concurrent.Executor executor;
    private String inProcessName;
    private ServerSecurity security = ServerSecurity.none();
    private MantisConfig.AdmissionConfig admission = MantisConfig.AdmissionConfig.defaults();

    private Builder() {}

    /**
     * Tokens, TLS, audit log and the {@code --insecure} flag; default {@link ServerSecurity#none()}
     * (no auth, plain text: loopback addresses only). The server does not close the audit log.
     */
    public Builder optSecurity(ServerSecurity security) {
      this.security = Objects.requireNonNull(security, "security");
      return this;
    }

    /**
     * Admission control and overload settings (stream limits, robot table, decode budget, ...);
     * default the YAML defaults of {@link MantisConfig.AdmissionConfig}.
     */
    public Builder optAdmission(MantisConfig.AdmissionConfig admission) {
      this.admission = Objects.requireNonNull(admission, "admission");
      return this;
    }

    /**
     * Also serve the same services in-process under {@code name} ({@code
     * InProcessChannelBuilder.forName(name)}), besides the main listener; off by default.
     */
    public Builder optInProcessName(String name) {
      this.inProcessName = name;
      return this;
    }

    /**
     * Executor for call handling (decode, policy, safety), Control streams' work included; default
     * gRPC's shared cached pool for calls and a cached pool of the server's own for Control
     * streams. The caller owns it and shuts it down after {@link #close()}.
     */
    public Builder optExecutor(java.util.concurrent.Executor executor) {
      this.executor = executor;
      return this;
    }

    /** The policy to serve; the server closes it. Required. */
    public Builder setPolicy(Policy policy) {
      this.policy = policy;
      return this;
    }

    /** The served robot: joint count, names and limits. Required. */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** Serve on this builder (e.g. an in-process one) instead of Netty on host:port. */
    public Builder optServerBuilder(ServerBuilder<?> serverBuilder) {
      this.serverBuilder = serverBuilder;
      return this;
    }

    /**
     * Address to bind; default {@value MantisConfig#DEFAULT_HOST} (others need TLS and tokens in
     * {@link #optSecurity}, or --insecure).
     */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    /** gRPC port; 0 picks a free one; default {@value MantisConfig#DEFAULT_PORT}. */
    public Builder optPort(int port) {
      this.port = port;
      return this;
    }

    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Largest accepted request, bytes; default 16 MiB (a raw 1920x1080 RGB frame is 6.2 MB). */
    public Builder optMaxInboundMessageBytes(int bytes) {
      this.maxInboundMessageBytes = bytes;
      return this;
    }

    /**
     * Hold a Control stream's robot when observations stop for this long; default {@value
     * MantisConfig#DEFAULT_WATCHDOG_TIMEOUT_MS} ms.
     */
    public Builder optWatchdogTimeoutNanos(long nanos) {
      this.watchdogTimeoutNanos = nanos;
      return this;
    }

    /** Scheduler that polls the watchdogs; default a daemon thread owned by the server. */
    public Builder optWatchdogScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * How long {@link #close()} lets in-flight calls finish; default {@value
     * MantisConfig#DEFAULT_DRAIN_TIMEOUT_MS} ms.
     */
    public Builder optDrainTimeoutNanos(long nanos) {
      this.drainTimeoutNanos = nanos;
      return this;
    }

    /**
     * Predictions run before health turns SERVING; default {@value
     * MantisConfig#DEFAULT_WARMUP_PREDICTIONS}.
     */
    public Builder optWarmupPredictions(int n) {
      this.warmupPredictions = n;
      return this;
    }

    /** The observation used for warm-up; default a grey frame at the policy's input size. */
    public Builder optWarmupObservation(Observation observation) {
      this.warmupObservation = observation;
      return this;
    }

    /**
     * Serve Prometheus metrics at this port (see {@link #optMetricsHost}); 0 picks one; negative
     * (default) is off.
     */
    public Builder optMetricsPort(int port) {
      this.metricsPort = port;
      return this;
    }

    /**
     * Address of the metrics endpoint; default the loopback interface (use 0.0.0.0 in a container).
     */
    public Builder optMetricsHost(String host) {
      this.metricsHost = host;
      return this;
    }

    /**
     * Safety margin inside the position limits, rad; default {@value
     * MantisConfig#DEFAULT_POSITION_MARGIN_RAD}.
     */
    public Builder optPositionMarginRad(double marginRad) {
      this.positionMarginRad = marginRad;
      return this;
    }

    /** How long a hold chunk stays valid, ns; default the safety filter's own. */
    public Builder optHoldValidityNanos(long nanos) {
      this.holdValidityNanos = nanos;
      return this;
    }

    /** Largest accepted frame: per side and in total, pixels; default 8192 and 4096*4096. */
    public Builder optMaxFrameSize(int maxSidePx, long maxPixels) {
      this.maxFrameSidePx = maxSidePx;
      this.maxFramePixels = maxPixels;
      return this;
    }

    /** Resize frames to the policy's declared input size (default true). */
    public Builder optResizeToPolicyInput(boolean resize) {
      this.resizeToPolicyInput = resize;
      return this;
    }

    public MantisServer build() {
      Objects.requireNonNull(policy, "setPolicy is required");
      Objects.requireNonNull(robot, "setRobot is required");
      Objects.requireNonNull(clock, "clock");
      if (serverBuilder != null && security.tls().isPresent()) {
        throw new IllegalArgumentException(
            "TLS needs the server's own Netty listener; optServerBuilder and TLS in "
                + "optSecurity do not go together");
      }
      if (serverBuilder == null && (port < 0 || port > 65535)) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (maxInboundMessageBytes < 1024) {
        throw new IllegalArgumentException("max inbound message size must be >= 1024 bytes");
      }
      if (watchdogTimeoutNanos <= 0) {
        throw new IllegalArgumentException("watchdog timeout must be > 0");
      }
      if (drainTimeoutNanos < 0 || warmupPredictions < 0) {
        throw new IllegalArgumentException("drain timeout and warm-up predictions must be >= 0");
      }
      if (!(positionMarginRad >= 0)) {
        throw new IllegalArgumentException("position margin must be >= 0");
      }
      if (admission.maxQueuedBytes() < maxInboundMessageBytes) {
        throw new IllegalArgumentException(
            "admission max_queued_bytes ("
                + admission.maxQueuedBytes()
                + ") must be at least the max inbound message size ("
                + maxInboundMessageBytes
                + ")");
      }
      if (maxFrameSidePx < 1 || maxFramePixels < 1) {
        throw new IllegalArgumentException("frame limits must be >= 1");
      }
      if (!policy.info().jointNames().isEmpty()
          && !policy.info().jointNames().equals(robot.jointNames())) {
        throw new IllegalArgumentException(
            "policy "
                + policy.info().name()
                + " drives joints "
                + policy.info().jointNames()
                + " but robot "
                + robot.name()
                + " has "
                + robot.jointNames());
      }
      return new MantisServer(this);
    }
  }
}
