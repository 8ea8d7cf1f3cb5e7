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

/**
 * The server's configuration. Loaded from YAML with {@link #load(Path)} (every key optional, unknown
 * keys rejected), defaults from {@link #defaults()}; command-line flags override it through the
 * {@code with*} copies. Validated on construction.
 *
 * <pre>
 * host: 127.0.0.1               # gRPC bind address (0.0.0.0 to accept other machines)
 * port: 50051                   # gRPC port (0 = any free port)
 * metrics_host: 127.0.0.1       # Prometheus endpoint address (0.0.0.0 in a container)
 * metrics_port: 9464            # Prometheus endpoint port (-1 = off, 0 = any free port)
 * policy: mantis                # mantis (the bundled default model) | bundle:DIR | visual-servo | hold | random
 * robot: null                   # robot description YAML; null = the built-in planar3.yaml
 * policy_input_px: 128          # visual-servo works at this square size (a bundle's card fixes its own)
 * max_inbound_message_bytes: 16777216
 * watchdog_timeout_ms: 100      # hold a Control stream's robot after this much silence
 * drain_timeout_ms: 5000        # graceful shutdown: how long in-flight calls may finish
 * warmup_predictions: 5         # predictions before health turns SERVING
 * position_margin_rad: 0.02     # safety margin inside the joint position limits
 * predictor_workers: 1          # learned policies: predictor threads, each with its own native memory
 * max_batch: 8                  # learned policies: most observations per forward pass
 * max_batch_wait_us: 2000       # learned policies: how long a worker waits to fill a batch
 * </pre>
 *
 * @param host gRPC bind address
 * @param port gRPC port; 0 picks a free one
 * @param metricsHost Prometheus HTTP address
 * @param metricsPort Prometheus HTTP port; negative turns it off, 0 picks a free one
 * @param policy policy: {@code mantis}, {@code bundle:DIR}, {@code visual-servo}, {@code hold} or {@code random}
 * @param robot robot description YAML, empty for the built-in planar arm
 * @param policyInputPx square frame size the policy works at, pixels
 * @param maxInboundMessageBytes largest accepted request, bytes
 * @param watchdogTimeoutMs watchdog timeout, ms
 * @param drainTimeoutMs graceful-shutdown drain time, ms
 * @param warmupPredictions warm-up predictions before SERVING
 * @param positionMarginRad safety margin inside the position limits, rad
 * @param predictorWorkers predictor threads of a learned policy
 * @param maxBatch largest batch of a learned policy's forward pass
 * @param maxBatchWaitMicros how long a predictor waits to fill a batch, microseconds
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
    long maxBatchWaitMicros) {
  /** Policies the server knows by name. */
  public static final java.util.List<String> POLICIES = java.util.List.of("mantis", "visual-servo", "hold", "random");
  /** Prefix of a policy given as a bundle directory. */
  public static final String BUNDLE_PREFIX = "bundle:";

  public MantisConfig {
    check(host != null && !host.isBlank(), "host must not be empty");
    check(port >= 0 && port <= 65535, "port must be 0..65535, got " + port);
    check(metricsHost != null && !metricsHost.isBlank(), "metrics_host must not be empty");
    check(metricsPort <= 65535, "metrics_port must be <= 65535, got " + metricsPort);
    check(policy != null && (POLICIES.contains(policy)
        || policy.startsWith(BUNDLE_PREFIX) && policy.length() > BUNDLE_PREFIX.length()),
        "policy must be one of " + POLICIES + " or bundle:DIR, got " + policy);
    robot = robot == null ? Optional.empty() : robot;
    check(policyInputPx >= 16 && policyInputPx <= 4096, "policy_input_px must be 16..4096, got " + policyInputPx);
    check(maxInboundMessageBytes >= 1 << 20, "max_inbound_message_bytes must be >= 1 MiB, got " + maxInboundMessageBytes);
    check(watchdogTimeoutMs >= 1, "watchdog_timeout_ms must be >= 1, got " + watchdogTimeoutMs);
    check(drainTimeoutMs >= 0, "drain_timeout_ms must be >= 0, got " + drainTimeoutMs);
    check(warmupPredictions >= 0, "warmup_predictions must be >= 0, got " + warmupPredictions);
    check(positionMarginRad >= 0 && positionMarginRad < 0.5, "position_margin_rad must be in [0, 0.5), got " + positionMarginRad);
    check(predictorWorkers >= 1 && predictorWorkers <= 64, "predictor_workers must be 1..64, got " + predictorWorkers);
    check(maxBatch >= 1 && maxBatch <= 1024, "max_batch must be 1..1024, got " + maxBatch);
    check(maxBatchWaitMicros >= 0 && maxBatchWaitMicros <= 1_000_000,
        "max_batch_wait_us must be 0..1000000, got " + maxBatchWaitMicros);
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
      throw new IllegalArgumentException(yaml + ": unknown key '" + e.getPropertyName() + "'; known keys: "
          + e.getKnownPropertyIds(), e);
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
    return new MantisConfig(v, port, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  public MantisConfig withPort(int v) {
    return new MantisConfig(host, v, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  public MantisConfig withMetricsPort(int v) {
    return new MantisConfig(host, port, metricsHost, v, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  public MantisConfig withMetricsHost(String v) {
    return new MantisConfig(host, port, v, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  /** A copy with other batching settings for learned policies. */
  public MantisConfig withBatching(int workers, int batch, long waitMicros) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad, workers, batch, waitMicros);
  }

  public MantisConfig withPolicy(String v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, v, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  public MantisConfig withRobot(Path v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, Optional.ofNullable(v), policyInputPx,
        maxInboundMessageBytes, watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  public MantisConfig withWatchdogTimeoutMs(long v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes, v,
        drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
  }

  @Override
  public String toString() {
    return "host=" + host + " port=" + port + " metrics_host=" + metricsHost + " metrics_port=" + metricsPort + " policy=" + policy + " robot="
        + robot.map(Path::toString).orElse("(built-in planar3)") + " policy_input_px=" + policyInputPx
        + " max_inbound_message_bytes=" + maxInboundMessageBytes + " watchdog_timeout_ms=" + watchdogTimeoutMs
        + " drain_timeout_ms=" + drainTimeoutMs + " warmup_predictions=" + warmupPredictions
        + " position_margin_rad=" + positionMarginRad + " predictor_workers=" + predictorWorkers + " max_batch="
        + maxBatch + " max_batch_wait_us=" + maxBatchWaitMicros;
  }

  /** The YAML shape, with defaults. */
  static final class Raw {
    @JsonProperty("host")
    String host = "127.0.0.1";

    @JsonProperty("port")
    int port = 50051;

    @JsonProperty("metrics_host")
    String metricsHost = "127.0.0.1";

    @JsonProperty("metrics_port")
    int metricsPort = 9464;

    @JsonProperty("policy")
    String policy = "mantis";

    @JsonProperty("robot")
    String robot;

    @JsonProperty("policy_input_px")
    int policyInputPx = 128;

    @JsonProperty("max_inbound_message_bytes")
    int maxInboundMessageBytes = 16 * 1024 * 1024;

    @JsonProperty("watchdog_timeout_ms")
    long watchdogTimeoutMs = 100;

    @JsonProperty("drain_timeout_ms")
    long drainTimeoutMs = 5000;

    @JsonProperty("warmup_predictions")
    int warmupPredictions = 5;

    @JsonProperty("position_margin_rad")
    double positionMarginRad = 0.02;

    @JsonProperty("predictor_workers")
    int predictorWorkers = 1;

    @JsonProperty("max_batch")
    int maxBatch = 8;

    @JsonProperty("max_batch_wait_us")
    long maxBatchWaitMicros = 2000;

    MantisConfig toConfig() {
      return new MantisConfig(host, port, metricsHost, metricsPort, policy,
          robot == null || robot.isBlank() ? Optional.empty() : Optional.of(Path.of(robot)), policyInputPx,
          maxInboundMessageBytes, watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros);
    }
  }
}
