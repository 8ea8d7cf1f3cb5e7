package mantis.server;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Prometheus metrics, in a registry of its own, and the HTTP endpoint serving them in
 * the Prometheus text format at {@code /metrics} (on the loopback interface unless told otherwise).
 */
final class ServerMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerMetrics.class);
  private static final double[] LATENCY_BOUNDS_S = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    2.5
  };

  final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter requests =
      Counter.builder()
          .name("mantis_grpc_requests_total")
          .help("Finished gRPC calls by method and status code")
          .labelNames("rpc", "code")
          .register(registry);
  final Counter authDenied =
      Counter.builder()
          .name("mantis_auth_denied_total")
          .help(
              "gRPC calls refused by authentication (UNAUTHENTICATED) or authorisation (PERMISSION_DENIED)")
          .labelNames("code")
          .register(registry);
  final Counter messages =
      Counter.builder()
          .name("mantis_observations_total")
          .help("Observations received, by RPC and outcome (ok, invalid, policy_error)")
          .labelNames("rpc", "outcome")
          .register(registry);
  final Histogram stageSeconds =
      Histogram.builder()
          .name("mantis_stage_duration_seconds")
          .help(
              "Wall time per pipeline stage (decode, marks, policy, safety, total) per observation")
          .labelNames("stage")
          .classicOnly()
          .classicUpperBounds(LATENCY_BOUNDS_S)
          .register(registry);
  final Counter interventions =
      Counter.builder()
          .name("mantis_safety_interventions_total")
          .help("Safety filter interventions on outgoing chunks, by kind")
          .labelNames("kind")
          .register(registry);

  {
    // Every kind is exported from the start (at 0), so a scrape shows the series before the first
    // intervention and rate() works from the first sample.
    for (mantis.core.safety.InterventionKind kind : mantis.core.safety.InterventionKind.values()) {
      interventions.labelValues(kind.name());
    }
    interventions.labelValues("POLICY_ERROR");
    interventions.labelValues("STALE");
    interventions.labelValues("OVERLOADED");
  }

  /** Requests and streams refused because a limit was reached, by limit. */
  final Counter refusals =
      Counter.builder()
          .name("mantis_admission_refusals_total")
          .help(
              "Requests refused with RESOURCE_EXHAUSTED (or, inside a Control stream, answered with a hold) because a "
                  + "limit was reached: streams_global, streams_per_connection, streams_per_principal, robot_table, "
                  + "decode_per_request, decode_per_second, annotate_decode_per_second, queued_bytes")
          .labelNames("reason")
          .register(registry);

  /** Chunks answered as a hold because they could not reach the client before their valid_until. */
  final Counter staleHolds =
      Counter.builder()
          .name("mantis_stale_holds_total")
          .help(
              "Observations answered with a STALE hold instead of a chunk that would have arrived after its "
                  + "valid_until, by the stage that saw it: queue_full (dropped from a full stream queue), before_decode, "
                  + "after_policy")
          .labelNames("stage")
          .register(registry);

  final Counter decodeBudgetRefusals =
      Counter.builder()
          .name("mantis_decode_budget_refusals_total")
          .help(
              "Requests refused by the decode budget: per_request, per_second (Predict and Control) or "
                  + "annotate_per_second")
          .labelNames("budget")
          .register(registry);
  final Counter robotsExpired =
      Counter.builder()
          .name("mantis_robots_expired_total")
          .help("Robot entries dropped after admission.robot_idle_expiry_ms without use")
          .register(registry);
  final Counter robotsReused =
      Counter.builder()
          .name("mantis_robots_reused_total")
          .help(
              "Robot entries (idle, no stream, no e-stop) given to a new robot because the robot table was full")
          .register(registry);
  final Gauge robotsTracked =
      Gauge.builder()
          .name("mantis_robots_tracked")
          .help("Robot entries (safety state) the server keeps now")
          .register(registry);
  final Counter unparseable =
      Counter.builder()
          .name("mantis_unparseable_requests_total")
          .help(
              "Requests whose bytes were not a valid protobuf message (INVALID_ARGUMENT), by method")
          .labelNames("rpc")
          .register(registry);

  {
    for (String r :
        new String[] {
          "streams_global",
          "streams_per_connection",
          "streams_per_principal",
          "robot_table",
          "decode_per_request",
          "decode_per_second",
          "annotate_decode_per_second",
          "queued_bytes"
        }) {
      refusals.labelValues(r);
    }
    for (String st : new String[] {"queue_full", "before_decode", "after_policy"}) {
      staleHolds.labelValues(st);
    }
    decodeBudgetRefusals.labelValues("per_request");
    decodeBudgetRefusals.labelValues("per_second");
    decodeBudgetRefusals.labelValues("annotate_per_second");
  }

  final Gauge queuedBytes =
      Gauge.builder()
          .name("mantis_control_queued_bytes")
          .help(
              "Serialized bytes of the Control observations waiting in stream queues (admission.max_queued_bytes)")
          .register(registry);
  final Counter idleStreamsEnded =
      Counter.builder()
          .name("mantis_control_streams_idle_ended_total")
          .help(
              "Control streams ended (DEADLINE_EXCEEDED) after admission.control_idle_timeout_ms without an observation")
          .register(registry);

  final Counter watchdogHolds =
      Counter.builder()
          .name("mantis_watchdog_holds_total")
          .help("Hold chunks sent because a Control stream's observations stopped")
          .register(registry);
  final Gauge activeStreams =
      Gauge.builder()
          .name("mantis_control_streams_active")
          .help("Open Control streams")
          .register(registry);
  final Gauge serving =
      Gauge.builder()
          .name("mantis_serving")
          .help("1 while the health status is SERVING")
          .register(registry);

  private HttpServer http;
  private ExecutorService httpExecutor;

  /**
   * Starts the endpoint on {@code host} (null: loopback); port 0 picks a free one. Returns the
   * bound port.
   */
  synchronized int startHttp(String host, int port) throws IOException {
    InetSocketAddress address =
        host == null
            ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
            : new InetSocketAddress(host, port);
    http = HttpServer.create(address, 0);
    httpExecutor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "mantis-metrics-http");
              t.setDaemon(true);
              return t;
            });
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    http.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())
                && !"HEAD".equals(exchange.getRequestMethod())) {
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
            writer.write(body, registry.scrape());
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody()) {
              body.writeTo(out);
            }
          }
        });
    http.setExecutor(httpExecutor);
    http.start();
    int bound = http.getAddress().getPort();
    log.info("Prometheus metrics at http://{}:{}/metrics", address.getHostString(), bound);
    return bound;
  }

  /** The current metrics in the Prometheus text format. */
  String scrapeText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.stop(0);
      httpExecutor.shutdownNow();
      http = null;
    }
  }
}
