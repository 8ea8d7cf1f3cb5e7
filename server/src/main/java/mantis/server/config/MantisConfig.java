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
 * security:                     # see docs/SECURITY.md; --insecure is a flag only, never in this file
 *   tls: {cert_chain: server.pem, private_key: server-key.pem, client_ca: ca.pem}   # client_ca: optional, mTLS
 *   tokens_file: tokens.yaml    # made by 'mantis token create --tokens-file tokens.yaml'
 *   tokens: [{name: lab-arm, role: operator, sha256: 64 hex digits}]               # and/or inline
 *   audit_log: audit.jsonl      # JSON lines: command sources, e-stops, resets, denied calls
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
 * @param security TLS files, tokens and the audit log ({@code security:}; see {@link SecurityConfig})
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
    SecurityConfig security) {
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
    security = security == null ? SecurityConfig.NONE : security;
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
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  public MantisConfig withPort(int v) {
    return new MantisConfig(host, v, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  public MantisConfig withMetricsPort(int v) {
    return new MantisConfig(host, port, metricsHost, v, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  public MantisConfig withMetricsHost(String v) {
    return new MantisConfig(host, port, v, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  /** A copy with other batching settings for learned policies. */
  public MantisConfig withBatching(int workers, int batch, long waitMicros) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad, workers, batch, waitMicros, security);
  }

  public MantisConfig withPolicy(String v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, v, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  public MantisConfig withRobot(Path v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, Optional.ofNullable(v), policyInputPx,
        maxInboundMessageBytes, watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  public MantisConfig withWatchdogTimeoutMs(long v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes, v,
        drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security);
  }

  /** A copy with another security section. */
  public MantisConfig withSecurity(SecurityConfig v) {
    return new MantisConfig(host, port, metricsHost, metricsPort, policy, robot, policyInputPx, maxInboundMessageBytes,
        watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, v);
  }

  /**
   * The {@code security:} section. Paths are as written (relative ones resolve against the working directory, as
   * {@code robot:} does). The token list holds hashes only.
   *
   * @param tlsCertChain PEM certificate chain of the server ({@code tls.cert_chain})
   * @param tlsPrivateKey its PKCS#8 PEM private key ({@code tls.private_key})
   * @param tlsClientCa CA that client certificates must chain to; turns on mutual TLS ({@code tls.client_ca})
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
    public static final SecurityConfig NONE = new SecurityConfig(Optional.empty(), Optional.empty(), Optional.empty(),
        java.util.List.of(), Optional.empty(), Optional.empty());

    public SecurityConfig {
      tlsCertChain = tlsCertChain == null ? Optional.empty() : tlsCertChain;
      tlsPrivateKey = tlsPrivateKey == null ? Optional.empty() : tlsPrivateKey;
      tlsClientCa = tlsClientCa == null ? Optional.empty() : tlsClientCa;
      tokens = tokens == null ? java.util.List.of() : java.util.List.copyOf(tokens);
      tokensFile = tokensFile == null ? Optional.empty() : tokensFile;
      auditLog = auditLog == null ? Optional.empty() : auditLog;
      check(tlsCertChain.isPresent() == tlsPrivateKey.isPresent(),
          "security.tls needs both cert_chain and private_key (--tls-cert and --tls-key), or neither");
      check(tlsClientCa.isEmpty() || tlsCertChain.isPresent(),
          "security.tls.client_ca (--tls-client-ca, mutual TLS) needs the server's own cert_chain and private_key");
      mantis.security.TokenStore.of(tokens); // unique names and tokens
    }

    /** The TLS files as the security module takes them, if configured. */
    public Optional<mantis.security.TlsServerConfig> tls() {
      return tlsCertChain.map(c -> new mantis.security.TlsServerConfig(c, tlsPrivateKey.get(), tlsClientCa));
    }

    /** A copy with these TLS files (null keeps the current one). */
    public SecurityConfig withTls(Path certChain, Path privateKey, Path clientCa) {
      return new SecurityConfig(certChain != null ? Optional.of(certChain) : tlsCertChain,
          privateKey != null ? Optional.of(privateKey) : tlsPrivateKey,
          clientCa != null ? Optional.of(clientCa) : tlsClientCa, tokens, tokensFile, auditLog);
    }

    /** A copy with this tokens file (null keeps the current one). */
    public SecurityConfig withTokensFile(Path file) {
      return new SecurityConfig(tlsCertChain, tlsPrivateKey, tlsClientCa, tokens,
          file != null ? Optional.of(file) : tokensFile, auditLog);
    }

    /** A copy with this audit log (null keeps the current one). */
    public SecurityConfig withAuditLog(Path file) {
      return new SecurityConfig(tlsCertChain, tlsPrivateKey, tlsClientCa, tokens, tokensFile,
          file != null ? Optional.of(file) : auditLog);
    }

    @Override
    public String toString() {
      return tls().map(Object::toString).orElse("no tls") + " tokens=" + tokens.size()
          + tokensFile.map(f -> " tokens_file=" + f).orElse("") + auditLog.map(f -> " audit_log=" + f).orElse("");
    }
  }

  @Override
  public String toString() {
    return "host=" + host + " port=" + port + " metrics_host=" + metricsHost + " metrics_port=" + metricsPort + " policy=" + policy + " robot="
        + robot.map(Path::toString).orElse("(built-in planar3)") + " policy_input_px=" + policyInputPx
        + " max_inbound_message_bytes=" + maxInboundMessageBytes + " watchdog_timeout_ms=" + watchdogTimeoutMs
        + " drain_timeout_ms=" + drainTimeoutMs + " warmup_predictions=" + warmupPredictions
        + " position_margin_rad=" + positionMarginRad + " predictor_workers=" + predictorWorkers + " max_batch="
        + maxBatch + " max_batch_wait_us=" + maxBatchWaitMicros + " security=" + security;
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

    @JsonProperty("security")
    RawSecurity security;

    MantisConfig toConfig() {
      return new MantisConfig(host, port, metricsHost, metricsPort, policy,
          robot == null || robot.isBlank() ? Optional.empty() : Optional.of(Path.of(robot)), policyInputPx,
          maxInboundMessageBytes, watchdogTimeoutMs, drainTimeoutMs, warmupPredictions, positionMarginRad,
        predictorWorkers, maxBatch, maxBatchWaitMicros, security == null ? SecurityConfig.NONE : security.toConfig());
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
            entries.add(new mantis.security.TokenEntry(t.name, mantis.security.Role.parse(t.role), t.sha256));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("security.tokens entry " + (i + 1) + ": " + e.getMessage());
          }
        }
      }
      return new SecurityConfig(path(tls == null ? null : tls.certChain), path(tls == null ? null : tls.privateKey),
          path(tls == null ? null : tls.clientCa), entries, path(tokensFile), path(auditLog));
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
}
