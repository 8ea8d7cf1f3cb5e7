package mantis.app;

import io.grpc.ServerBuilder;
import mantis.calibration.kinematics.RobotModels;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.spi.PolicyRequest;
import mantis.security.AuditLog;
import mantis.security.ServerSecurity;
import mantis.security.TokenStore;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.server.policy.Policies;

/** Builds a {@link MantisServer} from a {@link MantisConfig}. */
final class ServerFactory {
  private ServerFactory() {}

  static RobotSpec robot(MantisConfig cfg) {
    return cfg.robot()
        .map(p -> RobotModels.resolve(p.toString()))
        .orElseGet(RobotSpecs::mantisPlanar3);
  }

  /**
   * A server for {@code cfg}; {@code serverBuilder} null means Netty on the configured host and
   * port. The server warms up on its own drawn tabletop scene, so the policy's whole path
   * (detection included) is exercised.
   */
  static MantisServer build(MantisConfig cfg, ServerBuilder<?> serverBuilder) {
    return build(cfg, serverBuilder, null);
  }

  /**
   * Like {@link #build(MantisConfig, ServerBuilder)}, also listening in-process as {@code
   * inProcessName} if not null.
   */
  static MantisServer build(
      MantisConfig cfg, ServerBuilder<?> serverBuilder, String inProcessName) {
    return build(cfg, serverBuilder, inProcessName, ServerSecurity.none());
  }

  /** Like {@link #build(MantisConfig, ServerBuilder, String)} protected by {@code security}. */
  static MantisServer build(
      MantisConfig cfg,
      ServerBuilder<?> serverBuilder,
      String inProcessName,
      ServerSecurity security) {
    MonotonicClock clock = MonotonicClock.system();
    RobotSpec robot = robot(cfg);
    return build(
        cfg,
        serverBuilder,
        Policies.create(
            cfg.policy(),
            robot,
            cfg.policyInputPx(),
            clock,
            new PolicyRequest.Serving(
                cfg.predictorWorkers(), cfg.maxBatch(), cfg.maxBatchWaitMicros())),
        clock,
        inProcessName,
        security);
  }

  /**
   * The server's security from the config's {@code security:} section (tokens listed there plus
   * those of its tokens file, TLS files), the {@code --insecure} flag and an opened audit log.
   *
   * @throws IllegalArgumentException when the tokens file is unusable or a token is configured
   *     twice
   */
  static ServerSecurity security(MantisConfig cfg, boolean insecure, AuditLog audit) {
    MantisConfig.SecurityConfig sec = cfg.security();
    TokenStore tokens = TokenStore.of(sec.tokens());
    if (sec.tokensFile().isPresent()) {
      TokenStore fromFile = TokenStore.load(sec.tokensFile().get());
      try {
        tokens = tokens.with(fromFile.entries());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "security.tokens and " + sec.tokensFile().get() + ": " + e.getMessage());
      }
    }
    return ServerSecurity.builder()
        .optTokens(tokens)
        .optTls(sec.tls().orElse(null))
        .optAuditLog(audit)
        .optInsecure(insecure)
        .build();
  }

  /**
   * Like {@link #build(MantisConfig, ServerBuilder)} serving {@code policy} (the server closes it).
   */
  static MantisServer build(
      MantisConfig cfg, ServerBuilder<?> serverBuilder, Policy policy, MonotonicClock clock) {
    return build(cfg, serverBuilder, policy, clock, null, ServerSecurity.none());
  }

  /**
   * Like {@link #build(MantisConfig, ServerBuilder, Policy, MonotonicClock)} for {@code robot}
   * instead of the config's.
   */
  static MantisServer build(
      MantisConfig cfg,
      ServerBuilder<?> serverBuilder,
      Policy policy,
      MonotonicClock clock,
      RobotSpec robot) {
    return build(cfg, serverBuilder, policy, clock, null, ServerSecurity.none(), robot);
  }

  private static MantisServer build(
      MantisConfig cfg,
      ServerBuilder<?> serverBuilder,
      Policy policy,
      MonotonicClock clock,
      String inProcessName,
      ServerSecurity security) {
    return build(cfg, serverBuilder, policy, clock, inProcessName, security, robot(cfg));
  }

  private static MantisServer build(
      MantisConfig cfg,
      ServerBuilder<?> serverBuilder,
      Policy policy,
      MonotonicClock clock,
      String inProcessName,
      ServerSecurity security,
      RobotSpec robot) {
    MantisServer.Builder b =
        MantisServer.builder()
            .setPolicy(policy)
            .setRobot(robot)
            .optClock(clock)
            .optHost(cfg.host())
            .optPort(cfg.port())
            .optMetricsHost(cfg.metricsHost())
            .optMetricsPort(cfg.metricsPort())
            .optMaxInboundMessageBytes(cfg.maxInboundMessageBytes())
            .optWatchdogTimeoutNanos(cfg.watchdogTimeoutMs() * 1_000_000L)
            .optDrainTimeoutNanos(cfg.drainTimeoutMs() * 1_000_000L)
            .optWarmupPredictions(cfg.warmupPredictions())
            .optPositionMarginRad(cfg.positionMarginRad())
            .optSecurity(security)
            .optAdmission(cfg.admission());
    if (serverBuilder != null) {
      b.optServerBuilder(serverBuilder);
    }
    if (inProcessName != null) {
      b.optInProcessName(inProcessName);
    }
    return b.build();
  }
}
