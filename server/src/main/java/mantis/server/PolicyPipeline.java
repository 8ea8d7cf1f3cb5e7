package mantis.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import mantis.core.ActionChunk;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.safety.Intervention;
import mantis.core.safety.SafetyFilter;
import mantis.core.safety.SafetyResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request, end to end: decode and validate, run the policy, run the robot's safety filter, encode.
 * Keeps one {@link SafetyFilter} per robot id, so an e-stop of one robot leaves the others alone.
 * Thread-safe.
 */
final class PolicyPipeline {
  private static final Logger log = LoggerFactory.getLogger(PolicyPipeline.class);
  static final int MAX_ROBOTS = 1024;

  private final Policy policy;
  private final RobotSpec robot;
  private final ObservationDecoder decoder;
  private final Function<String, SafetyFilter> filterFactory;
  private final MonotonicClock clock;
  private final ServerMetrics metrics;
  private final Map<String, SafetyFilter> filters = new ConcurrentHashMap<>();

  PolicyPipeline(
      Policy policy,
      RobotSpec robot,
      ObservationDecoder decoder,
      Function<String, SafetyFilter> filterFactory,
      MonotonicClock clock,
      ServerMetrics metrics) {
    this.policy = policy;
    this.robot = robot;
    this.decoder = decoder;
    this.filterFactory = filterFactory;
    this.clock = clock;
    this.metrics = metrics;
  }

  RobotSpec robot() {
    return robot;
  }

  Policy policy() {
    return policy;
  }

  Observation decode(mantis.proto.v1.Observation wire) throws InvalidInputException {
    return decoder.decode(wire);
  }

  SafetyFilter filter(String robotId) throws InvalidInputException {
    SafetyFilter f = filters.get(robotId);
    if (f != null) {
      return f;
    }
    if (filters.size() >= MAX_ROBOTS) {
      throw new InvalidInputException(
          "robot_id " + robotId + " is new but this server already tracks " + MAX_ROBOTS + " robots");
    }
    return filters.computeIfAbsent(robotId, filterFactory);
  }

  /** The filters of every robot seen so far. */
  Map<String, SafetyFilter> filters() {
    return filters;
  }

  void forget(String robotId) {
    filters.remove(robotId);
  }

  /**
   * Runs one wire observation through the pipeline.
   *
   * @param rpc RPC name for metrics
   * @param receiveNanos server clock when the request arrived; validity is measured from it
   */
  Result run(String rpc, mantis.proto.v1.Observation wire, long receiveNanos) throws InvalidInputException {
    Observation obs;
    try {
      obs = decoder.decode(wire);
    } catch (InvalidInputException e) {
      metrics.messages.labelValues(rpc, "invalid").inc();
      throw e;
    }
    return run(rpc, obs, receiveNanos, clock.nanoTime());
  }

  Result run(String rpc, Observation obs, long receiveNanos, long decodedNanos) throws InvalidInputException {
    SafetyFilter filter = filter(obs.robotId());
    ActionChunk raw = null;
    String policyError = null;
    try {
      raw = policy.predict(obs);
      if (raw == null) {
        policyError = "policy returned no chunk";
      }
    } catch (RuntimeException e) {
      policyError = "policy " + policy.info().name() + " failed: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage());
      log.warn("{} (robot {}, step {}); holding", policyError, obs.robotId(), obs.step(), e);
    }
    long predictedNanos = clock.nanoTime();
    SafetyResult safe;
    if (policyError == null) {
      safe = filter.filter(raw, obs.jointState());
    } else {
      safe = null;
    }
    ActionChunk out = safe != null ? safe.chunk() : filter.hold(obs.jointState());
    long doneNanos = clock.nanoTime();

    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("decode", decodedNanos - receiveNanos);
    stages.put("policy", predictedNanos - decodedNanos);
    if (raw != null) {
      for (Map.Entry<String, Long> e : raw.stageNanos().entrySet()) {
        stages.put("policy." + e.getKey(), e.getValue());
      }
    }
    stages.put("safety", doneNanos - predictedNanos);
    stages.put("total", doneNanos - receiveNanos);

    mantis.proto.v1.ActionChunk.Builder b = ChunkEncoder.encode(out)
        .setRobotId(obs.robotId())
        .setStep(obs.step())
        .setSource(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY)
        .setValidForNanos(Math.max(0, out.validUntilNanos() - receiveNanos));
    ChunkEncoder.addTimings(b, stages);
    if (safe != null) {
      b.setHeld(safe.held());
      for (Intervention i : safe.interventions()) {
        b.addInterventions(mantis.proto.v1.SafetyIntervention.newBuilder()
            .setKind(i.kind().name())
            .setDetail(i.detail()));
        metrics.interventions.labelValues(i.kind().name()).inc();
      }
    } else {
      b.setHeld(true);
      b.addInterventions(mantis.proto.v1.SafetyIntervention.newBuilder()
          .setKind("POLICY_ERROR")
          .setDetail(policyError));
      metrics.interventions.labelValues("POLICY_ERROR").inc();
    }
    metrics.messages.labelValues(rpc, policyError == null ? "ok" : "policy_error").inc();
    metrics.stageSeconds.labelValues("decode").observe(seconds(stages.get("decode")));
    metrics.stageSeconds.labelValues("policy").observe(seconds(stages.get("policy")));
    metrics.stageSeconds.labelValues("safety").observe(seconds(stages.get("safety")));
    metrics.stageSeconds.labelValues("total").observe(seconds(stages.get("total")));
    return new Result(b.build(), obs);
  }

  /** A hold chunk for {@code state} from the robot's filter, on the wire, tagged with {@code kind}. */
  mantis.proto.v1.ActionChunk hold(
      String robotId, JointState state, mantis.proto.v1.ChunkSource source, String kind, String why) {
    SafetyFilter filter = filters.computeIfAbsent(robotId, filterFactory);
    ActionChunk hold = filter.hold(state);
    long now = clock.nanoTime();
    return ChunkEncoder.encode(hold)
        .setRobotId(robotId)
        .setHeld(true)
        .setSource(source)
        .setValidForNanos(Math.max(0, hold.validUntilNanos() - now))
        .addInterventions(mantis.proto.v1.SafetyIntervention.newBuilder().setKind(kind).setDetail(why))
        .build();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** The wire chunk and the decoded observation it answers. */
  record Result(mantis.proto.v1.ActionChunk chunk, Observation observation) {}

  static List<String> stageOrder() {
    return List.of("decode", "policy", "safety", "total");
  }
}
