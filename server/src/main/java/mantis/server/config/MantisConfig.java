package mantis.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import mantis.core.spi.PolicyRequest;
import mantis.model.serve.LearnedPolicies;
import mantis.server.policy.Policies;

/**
 * The server's configuration. Loaded from YAML with {@link #load(Path)} (every key optional,
 * unknown keys rejected), defaults from {@link #defaults()}; command-line flags override it through
 * the {@code with*} copies. Validated on construction.
 *
 * <pre>
 * host: 127.0.0.1               # gRPC bind address (0.0.0.0 to accept other machines)
 * port: 50051                   # gRPC port (0 = any free port)
 * metrics_host: 127.0.0.1       # Prometheus endpoint address (0.0.0.0 in a container)
 * metrics_port: 9464            # Prometheus endpoint port (-1 = off, 0 = any free port)
 * policy: mantis                # mantis (the bundled default model) | bundle:DIR | visual-servo | hold | no-op | random
 * robot: null                   # a robot name (planar3, ur5e) or robot YAML; null = planar3
 * policy_input_px: 128          # visual-servo works at this square size (a bundle's card fixes its own)
 * max_inbound_message_bytes: 16777216
 * watchdog_timeout_ms: 100      # hold a Control stream's robot after this much silence
 * drain_timeout_ms: 5000        # graceful shutdown: how long in-flight calls may finish
 * warmup_predictions: 5         # predictions before health turns SERVING
 * position_margin_rad: 0.02     # safety margin inside the joint position limits
 * predictor_workers: 1          # learned policies: predictor threads, each with its own native memory
 * max_batch: 8                  # learned policies: most observations per forward pass
 * max_batch_wait_us: 2000       # learned policies: how long a worker waits to fill a batch
 * security:                     # see docs/SECURITY.md; --insecure is a flag only, never in this file
 *   tls: {cert_chain: server.pem, private_key: server-key.pem, client_ca: ca.pem}   # client_ca: optional, mTLS
 *   tokens_file: tokens.yaml    # made by 'mantis token create --tokens-file tokens.yaml'
 *   tokens: [{name: lab-arm, role: operator, sha256: 64 hex digits}]               # and/or inline
 *   audit_log: audit.jsonl      # JSON lines: command sources, e-stops, resets, denied calls
 * admission:                    # overload protection (see {@link AdmissionConfig}); every key optional
 *   max_control_streams: 128                # open Control streams, server-wide; more: RESOURCE_EXHAUSTED
 *   max_control_streams_per_connection: 32  # open Control streams per client connection
 *   max_control_streams_per_principal: 64   # open Control streams per token (with tokens; all connections together)
 *   control_idle_timeout_ms: 30000          # a Control stream without an observation this long is ended
 *   keepalive_time_ms: 30000                # the server pings a connection silent this long (>= 10000; half-open peers)
 *   keepalive_timeout_ms: 10000             # ... and closes it when the ping is not answered within this
 *   permit_keepalive_time_ms: 10000         # clients may ping this often (also without calls); faster: GOAWAY
 *   max_connection_idle_ms: 300000          # a connection without calls this long is closed (GOAWAY)
 *   max_robots: 1024                        # robot entries (safety state) kept; idle ones are reused; >= max_control_streams
 *   robot_idle_expiry_ms: 300000            # a robot entry unused this long expires (never one streaming or e-stopped)
 *   decode_pixels_per_request: 16777216     # frame pixels one observation may ask to decode (sum over frames)
 *   decode_pixels_per_second: 100000000     # frame pixels decoded per second for Predict and Control (token bucket)
 *   annotate_decode_pixels_per_second: 25000000  # Annotate's own bucket; default a quarter of the above
 *   max_queued_bytes: 268435456             # Control observations waiting, server-wide (serialized bytes); more: OVERLOADED hold
 *   send_margin_ms: 10                      # a chunk left with less validity than this is held as STALE
 *   max_control_period_ms: 1000             # largest control period a stream may declare or be measured at (<= 5000)
 *   annotate_max_side_px: 1024              # Annotate works on frames shrunk to at most this per side
 *   log_interval_ms: 10000                  # per-request warnings: one line per kind per interval
 * </pre>
 *
 * @param host gRPC bind address
 * @param port gRPC port; 0 picks a free one
 * @param metricsHost Prometheus HTTP address
 * @param metricsPort Prometheus HTTP port; negative turns it off, 0 picks a free one
 * @param policy policy: a name the {@link mantis.core.spi.PolicyRegistry} knows ({@code mantis},
 *     {@code bundle:DIR}, {@code visual-servo}, {@code hold}, {@code no-op}, {@code random}; see
 *     {@link Policies#registry()})
 * @param robot a robot name ({@code planar3}, {@code ur5e}) or a robot YAML file (joint limits, or
 *     a URDF with its acceleration limit), empty for the built-in planar arm
 * @param policyInputPx square frame size the policy works at, pixels
 * @param maxInboundMessageBytes largest accepted request, bytes
 * @param watchdogTimeoutMs watchdog timeout, ms
 * @param drainTimeoutMs graceful-shutdown drain time, ms
 * @param warmupPredictions warm-up predictions before SERVING
 * @param positionMarginRad safety margin inside the position limits, rad
 * @param predictorWorkers predictor threads of a learned policy
 * @param maxBatch largest batch of a learned policy's forward pass
 * @param maxBatchWaitMicros how long a predictor waits to fill a batch, microseconds
 * @param security TLS files, tokens and the audit log ({@code security:}; see {@link
 *     SecurityConfig})
 * @param admission admission control and overload settings
 */
public record MantisConfig(
    String host,
    int port,
    String metricsHost,
    int metricsPort,
    String policy,
    Optional<Path> robot,
    int policyInputPx,
    int maxInboundMessageBytes,
    long watchdogTimeoutMs,
    long drainTimeoutMs,
    int warmupPredictions,
    double positionMarginRad,
    int predictorWorkers,
    int maxBatch,
    long maxBatchWaitMicros,
    SecurityConfig security,
    AdmissionConfig admission) {
  /** Default gRPC bind address: this machine only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Default gRPC port. */
  public static final int DEFAULT_PORT = 50051;

  /** Default Prometheus endpoint port. */
  public static final int DEFAULT_METRICS_PORT = 9464;

  /** Default largest accepted request: 16 MiB. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** Default watchdog timeout, ms: a Control stream's robot is held after this much silence. */
  public static final long DEFAULT_WATCHDOG_TIMEOUT_MS = 100;

  /** Default graceful-shutdown drain time, ms. */
  public static final long DEFAULT_DRAIN_TIMEOUT_MS = 5000;

  /** Default warm-up predictions before health turns SERVING. */
  public static final int DEFAULT_WARMUP_PREDICTIONS = 5;

  /** Default safety margin inside the joint position limits, rad. */
  public static final double DEFAULT_POSITION_MARGIN_RAD = 0.02;

  public MantisConfig {
    check(host != null && !host.isBlank(), "host must not be empty");
    check(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
    check(metricsHost != null && !metricsHost.isBlank(), "metrics_host must not be empty");
    check(metricsPort <= 65535, "metrics_port must be <= 65535, got " + metricsPort);
    check(
        policy != null && Policies.registry().isKnown(policy),
        "policy must be one of " + Policies.registry().names() + ", got " + policy);
    robot = robot == null ? Optional.empty() : robot;
    check(
        policyInputPx >= 16 && policyInputPx <= 4096,
        "policy_input_px must be 16..4096, got " + policyInputPx);
    check(
        maxInboundMessageBytes >= 1 << 20,
        "max_inbound_message_bytes must be >= 1 MiB, got " + maxInboundMessageBytes);
    check(watchdogTimeoutMs >= 1, "watchdog_timeout_ms must be >= 1, got " + watchdogTimeoutMs);
    check(drainTimeoutMs >= 0, "drain_timeout_ms must be >= 0, got " + drainTimeoutMs);
    check(warmupPredictions >= 0, "warmup_predictions must be >= 0, got " + warmupPredictions);
    check(
        positionMarginRad >= 0 && positionMarginRad < 0.5,
        "position_margin_rad must be in [0, 0.5), got " + positionMarginRad);
    check(
        predictorWorkers >= 1 && predictorWorkers <= 64,
        "predictor_workers must be 1..64, got " + predictorWorkers);
    check(maxBatch >= 1 && maxBatch <= 1024, "max_batch must be 1..1024, got " + maxBatch);
    check(
        maxBatchWaitMicros >= 0 && maxBatchWaitMicros <= 1_000_000,
        "max_batch_wait_us must be 0..1000000, got " + maxBatchWaitMicros);
    security = security == null ? SecurityConfig.NONE : security;
    admission = admission == null ? AdmissionConfig.defaults() : admission;
    check(
        admission.maxQueuedBytes() >= maxInboundMessageBytes,
        "admission.max_queued_bytes ("
            + admission.maxQueuedBytes()
            + ") must be at least max_inbound_message_bytes ("
            + maxInboundMessageBytes
            + "): an observation of the largest accepted size could never be queued");
  }

  /**
   * Admission control and overload protection (YAML key {@code admission:}).
   *
   * <p>Robot entries: the server keeps one entry (the safety filter, whose only state is the
   * latched e-stop) per robot id. An entry unused for {@code robotIdleExpiryMs} expires; when the
   * table is full a new robot takes the slot of the least recently used entry that is neither
   * streaming nor e-stopped. Such an entry holds no state (no e-stop latched), so reusing it
   * changes nothing for its robot. An entry with an open Control stream or a latched e-stop never
   * expires or is reused: an e-stopped robot stays e-stopped until its reset (only the server's
   * operator can latch one, so they are few). Only when every entry is streaming or e-stopped is a
   * new robot refused, with RESOURCE_EXHAUSTED; {@code maxRobots} may not be below {@code
   * maxControlStreams}, so open streams alone cannot fill the table while stream slots are left.
   *
   * <p>Control streams: both the per-connection and (for token-authenticated callers) the
   * per-principal limit apply, besides the server-wide one. A stream that sends no observation for
   * {@code controlIdleTimeoutMs} is ended (DEADLINE_EXCEEDED, after a final hold when it ever sent
   * a joint state), and the network listener pings silent connections ({@code keepAliveTimeMs},
   * {@code keepAliveTimeoutMs}), so neither empty streams nor half-open connections (a robot whose
   * network dropped) keep their slots.
   *
   * @param maxControlStreams open Control streams, server-wide
   * @param maxControlStreamsPerConnection open Control streams per client connection (one TCP
   *     connection, or one in-process channel transport)
   * @param maxControlStreamsPerPrincipal open Control streams per token-authenticated principal
   *     (every connection of the token together); callers without a token ({@code local (no auth)},
   *     {@code insecure (no auth)}, the in-process listener) are limited per connection only
   * @param controlIdleTimeoutMs a Control stream that sends no observation for this long is ended,
   *     ms (on the server's monotonic clock); more than {@code maxControlPeriodMs}
   * @param keepAliveTimeMs the network listener pings a connection that was silent this long, ms
   * @param keepAliveTimeoutMs ... and closes it when the ping is not answered within this, ms (its
   *     calls end, their stream slots free)
   * @param permitKeepAliveTimeMs clients may send keepalive pings this often, with or without
   *     calls, ms; a client pinging faster is sent GOAWAY (ENHANCE_YOUR_CALM)
   * @param maxConnectionIdleMs a connection without calls this long is closed gracefully (GOAWAY),
   *     ms
   * @param maxRobots robot entries kept; at least {@code maxControlStreams}
   * @param robotIdleExpiryMs a robot entry unused this long expires, ms
   * @param decodePixelsPerRequest frame pixels (width x height, summed over an observation's
   *     frames) one request may ask to decode
   * @param decodePixelsPerSecond frame pixels decoded per second for Predict and Control, across
   *     the server (a token bucket holding one second's worth, or one request's worth if larger)
   * @param annotateDecodePixelsPerSecond frame pixels decoded per second for Annotate (viewers), a
   *     bucket of its own so that Annotate cannot starve the robots' Predict and Control; YAML
   *     default a quarter of {@code decodePixelsPerSecond}
   * @param maxQueuedBytes serialized bytes of the Control observations waiting in stream queues,
   *     server-wide; an observation that would go over is answered with an OVERLOADED hold without
   *     being queued
   * @param sendMarginMs estimated time to send a chunk; one left with less validity than this is
   *     held (STALE)
   * @param maxControlPeriodMs the largest control period a Control stream may declare ({@code
   *     control_period_ms}) or be measured at; the watchdog holds after period + watchdog timeout.
   *     At most 5000: a chunk lasts about a second, so a client observing less often than every few
   *     seconds is not in closed-loop control, and a longer allowed period would only delay the
   *     watchdog's hold of a client that stopped
   * @param annotateMaxSidePx Annotate decodes frames shrunk to at most this many pixels per side
   * @param logIntervalMs per-request warnings log one line per kind per this interval, with a count
   */
  public record AdmissionConfig(
      int maxControlStreams,
      int maxControlStreamsPerConnection,
      int maxControlStreamsPerPrincipal,
      long controlIdleTimeoutMs,
      long keepAliveTimeMs,
      long keepAliveTimeoutMs,
      long permitKeepAliveTimeMs,
      long maxConnectionIdleMs,
      int maxRobots,
      long robotIdleExpiryMs,
      long decodePixelsPerRequest,
      long decodePixelsPerSecond,
      long annotateDecodePixelsPerSecond,
      long maxQueuedBytes,
      long sendMarginMs,
      long maxControlPeriodMs,
      int annotateMaxSidePx,
      long logIntervalMs) {
    /** The largest {@code max_control_period_ms} accepted. */
    public static final long MAX_CONTROL_PERIOD_LIMIT_MS = 5000;

    public AdmissionConfig {
      check(
          maxControlStreams >= 1 && maxControlStreams <= 100_000,
          "admission.max_control_streams must be 1..100000, got " + maxControlStreams);
      check(
          maxControlStreamsPerConnection >= 1
              && maxControlStreamsPerConnection <= maxControlStreams,
          "admission.max_control_streams_per_connection must be 1..max_control_streams ("
              + maxControlStreams
              + "), got "
              + maxControlStreamsPerConnection);
      check(
          maxControlStreamsPerPrincipal >= 1 && maxControlStreamsPerPrincipal <= 100_000,
          "admission.max_control_streams_per_principal must be 1..100000, got "
              + maxControlStreamsPerPrincipal);
      check(
          maxControlPeriodMs >= 0 && maxControlPeriodMs <= MAX_CONTROL_PERIOD_LIMIT_MS,
          "admission.max_control_period_ms must be 0.."
              + MAX_CONTROL_PERIOD_LIMIT_MS
              + " (a longer period would "
              + "only delay the watchdog's hold of a client that stopped), got "
              + maxControlPeriodMs);
      check(
          controlIdleTimeoutMs > maxControlPeriodMs
              && controlIdleTimeoutMs >= 1000
              && controlIdleTimeoutMs <= 3_600_000,
          "admission.control_idle_timeout_ms must be 1000..3600000 and more than max_control_period_ms ("
              + maxControlPeriodMs
              + "), got "
              + controlIdleTimeoutMs);
      check(
          keepAliveTimeMs >= 10_000,
          "admission.keepalive_time_ms must be >= 10000 (gRPC raises shorter times to "
              + "10 s), got "
              + keepAliveTimeMs);
      check(
          keepAliveTimeoutMs >= 100,
          "admission.keepalive_timeout_ms must be >= 100, got " + keepAliveTimeoutMs);
      check(
          permitKeepAliveTimeMs >= 0,
          "admission.permit_keepalive_time_ms must be >= 0, got " + permitKeepAliveTimeMs);
      check(
          maxConnectionIdleMs >= 1000,
          "admission.max_connection_idle_ms must be >= 1000, got " + maxConnectionIdleMs);
      check(
          maxRobots >= 1 && maxRobots <= 1_000_000,
          "admission.max_robots must be 1..1000000, got " + maxRobots);
      check(
          maxRobots >= maxControlStreams,
          "admission.max_robots ("
              + maxRobots
              + ") must be at least "
              + "admission.max_control_streams ("
              + maxControlStreams
              + "): otherwise open Control streams alone could "
              + "fill the robot table and every new robot would be refused while stream slots are left");
      check(
          robotIdleExpiryMs >= 1,
          "admission.robot_idle_expiry_ms must be >= 1, got " + robotIdleExpiryMs);
      check(
          decodePixelsPerRequest >= 1,
          "admission.decode_pixels_per_request must be >= 1, got " + decodePixelsPerRequest);
      check(
          decodePixelsPerSecond >= 1,
          "admission.decode_pixels_per_second must be >= 1, got " + decodePixelsPerSecond);
      check(
          annotateDecodePixelsPerSecond >= 1,
          "admission.annotate_decode_pixels_per_second must be >= 1, got "
              + annotateDecodePixelsPerSecond);
      check(
          maxQueuedBytes >= 1 << 20,
          "admission.max_queued_bytes must be >= 1 MiB (1048576), got " + maxQueuedBytes);
      check(
          sendMarginMs >= 0 && sendMarginMs <= 10_000,
          "admission.send_margin_ms must be 0..10000, got " + sendMarginMs);
      check(
          annotateMaxSidePx >= 16 && annotateMaxSidePx <= 16384,
          "admission.annotate_max_side_px must be 16..16384, got " + annotateMaxSidePx);
      check(logIntervalMs >= 1, "admission.log_interval_ms must be >= 1, got " + logIntervalMs);
    }

    /** The defaults of the YAML block above. */
    public static AdmissionConfig defaults() {
      return new RawAdmission().toConfig();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    @Override
    public String toString() {
      return "max_control_streams="
          + maxControlStreams
          + " max_control_streams_per_connection="
          + maxControlStreamsPerConnection
          + " max_control_streams_per_principal="
          + maxControlStreamsPerPrincipal
          + " control_idle_timeout_ms="
          + controlIdleTimeoutMs
          + " keepalive_time_ms="
          + keepAliveTimeMs
          + " keepalive_timeout_ms="
          + keepAliveTimeoutMs
          + " permit_keepalive_time_ms="
          + permitKeepAliveTimeMs
          + " max_connection_idle_ms="
          + maxConnectionIdleMs
          + " max_robots="
          + maxRobots
          + " robot_idle_expiry_ms="
          + robotIdleExpiryMs
          + " decode_pixels_per_request="
          + decodePixelsPerRequest
          + " decode_pixels_per_second="
          + decodePixelsPerSecond
          + " annotate_decode_pixels_per_second="
          + annotateDecodePixelsPerSecond
          + " max_queued_bytes="
          + maxQueuedBytes
          + " send_margin_ms="
          + sendMarginMs
          + " max_control_period_ms="
          + maxControlPeriodMs
          + " annotate_max_side_px="
          + annotateMaxSidePx
          + " log_interval_ms="
          + logIntervalMs;
    }

    /**
     * Changes some settings of an {@link AdmissionConfig}; {@link #build()} validates. Every
     * setting is optional.
     */
    public static final class Builder {
      private int maxControlStreams;
      private int maxControlStreamsPerConnection;
      private int maxControlStreamsPerPrincipal;
      private long controlIdleTimeoutMs;
      private long keepAliveTimeMs;
      private long keepAliveTimeoutMs;
      private long permitKeepAliveTimeMs;
      private long maxConnectionIdleMs;
      private int maxRobots;
      private long robotIdleExpiryMs;
      private long decodePixelsPerRequest;
      private long decodePixelsPerSecond;
      private long annotateDecodePixelsPerSecond;
      private long maxQueuedBytes;
      private long sendMarginMs;
      private long maxControlPeriodMs;
      private int annotateMaxSidePx;
      private long logIntervalMs;

      private Builder(AdmissionConfig c) {
        maxControlStreams = c.maxControlStreams;
        maxControlStreamsPerConnection = c.maxControlStreamsPerConnection;
        maxControlStreamsPerPrincipal = c.maxControlStreamsPerPrincipal;
        controlIdleTimeoutMs = c.controlIdleTimeoutMs;
        keepAliveTimeMs = c.keepAliveTimeMs;
        keepAliveTimeoutMs = c.keepAliveTimeoutMs;
        permitKeepAliveTimeMs = c.permitKeepAliveTimeMs;
        maxConnectionIdleMs = c.maxConnectionIdleMs;
        maxRobots = c.maxRobots;
        robotIdleExpiryMs = c.robotIdleExpiryMs;
        decodePixelsPerRequest = c.decodePixelsPerRequest;
        decodePixelsPerSecond = c.decodePixelsPerSecond;
        annotateDecodePixelsPerSecond = c.annotateDecodePixelsPerSecond;
        maxQueuedBytes = c.maxQueuedBytes;
        sendMarginMs = c.sendMarginMs;
        maxControlPeriodMs = c.maxControlPeriodMs;
        annotateMaxSidePx = c.annotateMaxSidePx;
        logIntervalMs = c.logIntervalMs;
      }

      /** Open Control streams: server-wide, per connection and per principal. */
      public Builder optControlStreams(int max, int perConnection, int perPrincipal) {
        maxControlStreams = max;
        maxControlStreamsPerConnection = perConnection;
        maxControlStreamsPerPrincipal = perPrincipal;
        return this;
      }

      public Builder optControlIdleTimeoutMs(long v) {
        controlIdleTimeoutMs = v;
        return this;
      }

      /**
       * Server keepalive: ping after {@code timeMs} of silence, close when unanswered after {@code
       * timeoutMs}.
       */
      public Builder optKeepAlive(long timeMs, long timeoutMs) {
        keepAliveTimeMs = timeMs;
        keepAliveTimeoutMs = timeoutMs;
        return this;
      }

      public Builder optPermitKeepAliveTimeMs(long v) {
        permitKeepAliveTimeMs = v;
        return this;
      }

      public Builder optMaxConnectionIdleMs(long v) {
        maxConnectionIdleMs = v;
        return this;
      }

      public Builder optMaxRobots(int v) {
        maxRobots = v;
        return this;
      }

      public Builder optRobotIdleExpiryMs(long v) {
        robotIdleExpiryMs = v;
        return this;
      }

      /**
       * Decode budgets: per request, per second for Predict and Control, per second for Annotate.
       */
      public Builder optDecodePixels(long perRequest, long perSecond, long annotatePerSecond) {
        decodePixelsPerRequest = perRequest;
        decodePixelsPerSecond = perSecond;
        annotateDecodePixelsPerSecond = annotatePerSecond;
        return this;
      }

      public Builder optMaxQueuedBytes(long v) {
        maxQueuedBytes = v;
        return this;
      }

      public Builder optSendMarginMs(long v) {
        sendMarginMs = v;
        return this;
      }

      public Builder optMaxControlPeriodMs(long v) {
        maxControlPeriodMs = v;
        return this;
      }

      public Builder optAnnotateMaxSidePx(int v) {
        annotateMaxSidePx = v;
        return this;
      }

      public Builder optLogIntervalMs(long v) {
        logIntervalMs = v;
        return this;
      }

      /** The settings, validated. */
      public AdmissionConfig build() {
        return new AdmissionConfig(
            maxControlStreams,
            maxControlStreamsPerConnection,
            maxControlStreamsPerPrincipal,
            controlIdleTimeoutMs,
            keepAliveTimeMs,
            keepAliveTimeoutMs,
            permitKeepAliveTimeMs,
            maxConnectionIdleMs,
            maxRobots,
            robotIdleExpiryMs,
            decodePixelsPerRequest,
            decodePixelsPerSecond,
            annotateDecodePixelsPerSecond,
            maxQueuedBytes,
            sendMarginMs,
            maxControlPeriodMs,
            annotateMaxSidePx,
            logIntervalMs);
      }
    }
  }

  /** A copy with other admission settings. */
  public MantisConfig withAdmission(AdmissionConfig v) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        v);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public static MantisConfig defaults() {
    return new Raw().toConfig();
  }

  /** Reads a YAML file; every key is optional, unknown keys are an error naming the key. */
  public static MantisConfig load(Path yaml) throws IOException {
    String text = Files.readString(yaml, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return new Raw().toConfig();
    }
    try {
      Raw raw = mapper().readValue(text, Raw.class);
      return (raw == null ? new Raw() : raw).toConfig();
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          yaml
              + ": unknown key '"
              + e.getPropertyName()
              + "'; known keys: "
              + e.getKnownPropertyIds(),
          e);
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException(yaml + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(yaml + ": " + e.getMessage(), e);
    }
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  public MantisConfig withHost(String v) {
    return new MantisConfig(
        v,
        port,
        metricsHost,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  public MantisConfig withPort(int v) {
    return new MantisConfig(
        host,
        v,
        metricsHost,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  public MantisConfig withMetricsPort(int v) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        v,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  public MantisConfig withMetricsHost(String v) {
    return new MantisConfig(
        host,
        port,
        v,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  /** A copy with other batching settings for learned policies. */
  public MantisConfig withBatching(int workers, int batch, long waitMicros) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        workers,
        batch,
        waitMicros,
        security,
        admission);
  }

  public MantisConfig withPolicy(String v) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        metricsPort,
        v,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  public MantisConfig withRobot(Path v) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        metricsPort,
        policy,
        Optional.ofNullable(v),
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  public MantisConfig withWatchdogTimeoutMs(long v) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        v,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        security,
        admission);
  }

  /** A copy with another security section. */
  public MantisConfig withSecurity(SecurityConfig v) {
    return new MantisConfig(
        host,
        port,
        metricsHost,
        metricsPort,
        policy,
        robot,
        policyInputPx,
        maxInboundMessageBytes,
        watchdogTimeoutMs,
        drainTimeoutMs,
        warmupPredictions,
        positionMarginRad,
        predictorWorkers,
        maxBatch,
        maxBatchWaitMicros,
        v,
        admission);
  }

  /**
   * The {@code security:} section. Paths are as written (relative ones resolve against the working
   * directory, as {@code robot:} does). The token list holds hashes only.
   *
   * @param tlsCertChain PEM certificate chain of the server ({@code tls.cert_chain})
   * @param tlsPrivateKey its PKCS#8 PEM private key ({@code tls.private_key})
   * @param tlsClientCa CA that client certificates must chain to; turns on mutual TLS ({@code
   *     tls.client_ca})
   * @param tokens tokens listed in the config ({@code tokens:})
   * @param tokensFile a tokens file, read at start ({@code tokens_file:})
   * @param auditLog where audit events are appended ({@code audit_log:})
   */
  public record SecurityConfig(
      Optional<Path> tlsCertChain,
      Optional<Path> tlsPrivateKey,
      Optional<Path> tlsClientCa,
      java.util.List<mantis.security.TokenEntry> tokens,
      Optional<Path> tokensFile,
      Optional<Path> auditLog) {
    /** No TLS, no tokens, no audit log. */
    public static final SecurityConfig NONE =
        new SecurityConfig(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            java.util.List.of(),
            Optional.empty(),
            Optional.empty());

    public SecurityConfig {
      tlsCertChain = tlsCertChain == null ? Optional.empty() : tlsCertChain;
      tlsPrivateKey = tlsPrivateKey == null ? Optional.empty() : tlsPrivateKey;
      tlsClientCa = tlsClientCa == null ? Optional.empty() : tlsClientCa;
      tokens = tokens == null ? java.util.List.of() : java.util.List.copyOf(tokens);
      tokensFile = tokensFile == null ? Optional.empty() : tokensFile;
      auditLog = auditLog == null ? Optional.empty() : auditLog;
      check(
          tlsCertChain.isPresent() == tlsPrivateKey.isPresent(),
          "security.tls needs both cert_chain and private_key (--tls-cert and --tls-key), or neither");
      check(
          tlsClientCa.isEmpty() || tlsCertChain.isPresent(),
          "security.tls.client_ca (--tls-client-ca, mutual TLS) needs the server's own cert_chain and private_key");
      mantis.security.TokenStore.of(tokens); // unique names and tokens
    }

    /** The TLS files as the security module takes them, if configured. */
    public Optional<mantis.security.TlsServerConfig> tls() {
      return tlsCertChain.map(
          c -> new mantis.security.TlsServerConfig(c, tlsPrivateKey.get(), tlsClientCa));
    }

    /** A copy with these TLS files (null keeps the current one). */
    public SecurityConfig withTls(Path certChain, Path privateKey, Path clientCa) {
      return new SecurityConfig(
          certChain != null ? Optional.of(certChain) : tlsCertChain,
          privateKey != null ? Optional.of(privateKey) : tlsPrivateKey,
          clientCa != null ? Optional.of(clientCa) : tlsClientCa,
          tokens,
          tokensFile,
          auditLog);
    }

    /** A copy with this tokens file (null keeps the current one). */
    public SecurityConfig withTokensFile(Path file) {
      return new SecurityConfig(
          tlsCertChain,
          tlsPrivateKey,
          tlsClientCa,
          tokens,
          file != null ? Optional.of(file) : tokensFile,
          auditLog);
    }

    /** A copy with this audit log (null keeps the current one). */
    public SecurityConfig withAuditLog(Path file) {
      return new SecurityConfig(
          tlsCertChain,
          tlsPrivateKey,
          tlsClientCa,
          tokens,
          tokensFile,
          file != null ? Optional.of(file) : auditLog);
    }

    @Override
    public String toString() {
      return tls().map(Object::toString).orElse("no tls")
          + " tokens="
          + tokens.size()
          + tokensFile.map(f -> " tokens_file=" + f).orElse("")
          + auditLog.map(f -> " audit_log=" + f).orElse("");
    }
  }

  @Override
  public String toString() {
    return "host="
        + host
        + " port="
        + port
        + " metrics_host="
        + metricsHost
        + " metrics_port="
        + metricsPort
        + " policy="
        + policy
        + " robot="
        + robot.map(Path::toString).orElse("(built-in planar3)")
        + " policy_input_px="
        + policyInputPx
        + " max_inbound_message_bytes="
        + maxInboundMessageBytes
        + " watchdog_timeout_ms="
        + watchdogTimeoutMs
        + " drain_timeout_ms="
        + drainTimeoutMs
        + " warmup_predictions="
        + warmupPredictions
        + " position_margin_rad="
        + positionMarginRad
        + " predictor_workers="
        + predictorWorkers
        + " max_batch="
        + maxBatch
        + " max_batch_wait_us="
        + maxBatchWaitMicros
        + " security="
        + security
        + " admission={"
        + admission
        + "}";
  }

  /** The YAML shape, with defaults. */
  static final class Raw {
    @JsonProperty("host")
    String host = DEFAULT_HOST;

    @JsonProperty("port")
    int port = DEFAULT_PORT;

    @JsonProperty("metrics_host")
    String metricsHost = DEFAULT_HOST;

    @JsonProperty("metrics_port")
    int metricsPort = DEFAULT_METRICS_PORT;

    @JsonProperty("policy")
    String policy = LearnedPolicies.DEFAULT_NAME;

    @JsonProperty("robot")
    String robot;

    @JsonProperty("policy_input_px")
    int policyInputPx = PolicyRequest.DEFAULT_INPUT_PX;

    @JsonProperty("max_inbound_message_bytes")
    int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;

    @JsonProperty("watchdog_timeout_ms")
    long watchdogTimeoutMs = DEFAULT_WATCHDOG_TIMEOUT_MS;

    @JsonProperty("drain_timeout_ms")
    long drainTimeoutMs = DEFAULT_DRAIN_TIMEOUT_MS;

    @JsonProperty("warmup_predictions")
    int warmupPredictions = DEFAULT_WARMUP_PREDICTIONS;

    @JsonProperty("position_margin_rad")
    double positionMarginRad = DEFAULT_POSITION_MARGIN_RAD;

    @JsonProperty("predictor_workers")
    int predictorWorkers = PolicyRequest.Serving.DEFAULT_WORKERS;

    @JsonProperty("max_batch")
    int maxBatch = PolicyRequest.Serving.DEFAULT_MAX_BATCH;

    @JsonProperty("max_batch_wait_us")
    long maxBatchWaitMicros = PolicyRequest.Serving.DEFAULT_MAX_WAIT_MICROS;

    @JsonProperty("security")
    RawSecurity security;

    @JsonProperty("admission")
    RawAdmission admission;

    MantisConfig toConfig() {
      return new MantisConfig(
          host,
          port,
          metricsHost,
          metricsPort,
          policy,
          robot == null || robot.isBlank() ? Optional.empty() : Optional.of(Path.of(robot)),
          policyInputPx,
          maxInboundMessageBytes,
          watchdogTimeoutMs,
          drainTimeoutMs,
          warmupPredictions,
          positionMarginRad,
          predictorWorkers,
          maxBatch,
          maxBatchWaitMicros,
          security == null ? SecurityConfig.NONE : security.toConfig(),
          (admission == null ? new RawAdmission() : admission).toConfig());
    }
  }

  /** The YAML shape of {@code security:}. */
  static final class RawSecurity {
    @JsonProperty("tls")
    RawTls tls;

    @JsonProperty("tokens")
    java.util.List<RawToken> tokens;

    @JsonProperty("tokens_file")
    String tokensFile;

    @JsonProperty("audit_log")
    String auditLog;

    SecurityConfig toConfig() {
      java.util.List<mantis.security.TokenEntry> entries = new java.util.ArrayList<>();
      if (tokens != null) {
        for (int i = 0; i < tokens.size(); i++) {
          RawToken t = tokens.get(i);
          try {
            if (t == null || t.role == null) {
              throw new IllegalArgumentException("name, role and sha256 are required");
            }
            entries.add(
                new mantis.security.TokenEntry(
                    t.name, mantis.security.Role.parse(t.role), t.sha256));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                "security.tokens entry " + (i + 1) + ": " + e.getMessage());
          }
        }
      }
      return new SecurityConfig(
          path(tls == null ? null : tls.certChain),
          path(tls == null ? null : tls.privateKey),
          path(tls == null ? null : tls.clientCa),
          entries,
          path(tokensFile),
          path(auditLog));
    }

    private static Optional<Path> path(String s) {
      return s == null || s.isBlank() ? Optional.empty() : Optional.of(Path.of(s));
    }
  }

  /** The YAML shape of {@code security.tls:}. */
  static final class RawTls {
    @JsonProperty("cert_chain")
    String certChain;

    @JsonProperty("private_key")
    String privateKey;

    @JsonProperty("client_ca")
    String clientCa;
  }

  /** The YAML shape of one {@code security.tokens:} entry. */
  static final class RawToken {
    @JsonProperty("name")
    String name;

    @JsonProperty("role")
    String role;

    @JsonProperty("sha256")
    String sha256;
  }

  /** The YAML shape of {@code admission:}, with defaults. */
  static final class RawAdmission {
    @JsonProperty("max_control_streams")
    int maxControlStreams = 128;

    @JsonProperty("max_control_streams_per_connection")
    int maxControlStreamsPerConnection = 32;

    @JsonProperty("max_control_streams_per_principal")
    int maxControlStreamsPerPrincipal = 64;

    @JsonProperty("control_idle_timeout_ms")
    long controlIdleTimeoutMs = 30_000;

    @JsonProperty("keepalive_time_ms")
    long keepAliveTimeMs = 30_000;

    @JsonProperty("keepalive_timeout_ms")
    long keepAliveTimeoutMs = 10_000;

    @JsonProperty("permit_keepalive_time_ms")
    long permitKeepAliveTimeMs = 10_000;

    @JsonProperty("max_connection_idle_ms")
    long maxConnectionIdleMs = 300_000;

    @JsonProperty("max_robots")
    int maxRobots = 1024;

    @JsonProperty("robot_idle_expiry_ms")
    long robotIdleExpiryMs = 300_000;

    @JsonProperty("decode_pixels_per_request")
    long decodePixelsPerRequest = 4096L * 4096L;

    @JsonProperty("decode_pixels_per_second")
    long decodePixelsPerSecond = 100_000_000L;

    /** Null: a quarter of decode_pixels_per_second. */
    @JsonProperty("annotate_decode_pixels_per_second")
    Long annotateDecodePixelsPerSecond;

    @JsonProperty("max_queued_bytes")
    long maxQueuedBytes = 256L << 20;

    @JsonProperty("send_margin_ms")
    long sendMarginMs = 10;

    @JsonProperty("max_control_period_ms")
    long maxControlPeriodMs = 1000;

    @JsonProperty("annotate_max_side_px")
    int annotateMaxSidePx = 1024;

    @JsonProperty("log_interval_ms")
    long logIntervalMs = 10_000;

    AdmissionConfig toConfig() {
      return new AdmissionConfig(
          maxControlStreams,
          maxControlStreamsPerConnection,
          maxControlStreamsPerPrincipal,
          controlIdleTimeoutMs,
          keepAliveTimeMs,
          keepAliveTimeoutMs,
          permitKeepAliveTimeMs,
          maxConnectionIdleMs,
          maxRobots,
          robotIdleExpiryMs,
          decodePixelsPerRequest,
          decodePixelsPerSecond,
          annotateDecodePixelsPerSecond != null
              ? annotateDecodePixelsPerSecond
              : Math.max(1, decodePixelsPerSecond / 4),
          maxQueuedBytes,
          sendMarginMs,
          maxControlPeriodMs,
          annotateMaxSidePx,
          logIntervalMs);
    }
  }
}
