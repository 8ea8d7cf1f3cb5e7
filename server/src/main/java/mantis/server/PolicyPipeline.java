package mantis.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.ArrayList;
import mantis.core.ActionChunk;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.PixelPoint;
import mantis.core.Trace;
import mantis.marks.MarkProposer;
import mantis.marks.MarkRenderer;
import mantis.marks.MarkTracker;
import mantis.marks.Proposal;
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
 * One request, end to end: decode and validate, propose Set-of-Mark marks on the newest frame, run the
 * policy (which gets the marks), run the robot's safety filter, encode. Every reply chunk carries the
 * SoM marks (in the policy input frame's pixels; ids stable across a Control stream when the caller
 * passes the stream's {@link MarkTracker}) and the policy's traces, re-keyed to the SoM mark nearest
 * each trace's first point when the policy numbered them otherwise. Keeps one {@link SafetyFilter}
 * per robot id, so an e-stop of one robot leaves the others alone. Thread-safe.
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
  private final MarkProposer proposer = MarkProposer.defaults();
  private final MarkRenderer renderer = new MarkRenderer();

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
    return run(rpc, obs, receiveNanos, clock.nanoTime(), null);
  }

  /** Like {@link #run(String, mantis.proto.v1.Observation, long)}, numbering marks with a stream's tracker. */
  Result run(String rpc, mantis.proto.v1.Observation wire, long receiveNanos, MarkTracker tracker)
      throws InvalidInputException {
    Observation obs;
    try {
      obs = decoder.decode(wire);
    } catch (InvalidInputException e) {
      metrics.messages.labelValues(rpc, "invalid").inc();
      throw e;
    }
    return run(rpc, obs, receiveNanos, clock.nanoTime(), tracker);
  }

  Result run(String rpc, Observation obs, long receiveNanos, long decodedNanos) throws InvalidInputException {
    return run(rpc, obs, receiveNanos, decodedNanos, null);
  }

  /** Marks on the newest frame; never throws (a failure is logged and gives no marks). */
  private Proposal propose(Frame frame) {
    try {
      return proposer.analyse(frame);
    } catch (RuntimeException e) {
      log.warn("mark proposal failed on {}: {}", frame, e.toString());
      return Proposal.empty();
    }
  }

  Result run(String rpc, Observation obs, long receiveNanos, long decodedNanos, MarkTracker tracker)
      throws InvalidInputException {
    SafetyFilter filter = filter(obs.robotId());
    Frame newest = obs.frames().get(obs.frames().size() - 1);
    Proposal proposal = propose(newest);
    List<Mark> marks = tracker == null ? proposal.marks() : tracker.update(proposal, newest.widthPx());
    long markedNanos = clock.nanoTime();
    ActionChunk raw = null;
    String policyError = null;
    try {
      raw = policy.predict(obs, marks);
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
    out = new ActionChunk(out.jointNames(), out.points(), out.validUntilNanos(), out.latentTokens(), marks,
        raw == null ? List.of() : rekey(raw.traces(), marks, newest.widthPx()), out.modelVersion(), out.stageNanos());
    long doneNanos = clock.nanoTime();

    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("decode", decodedNanos - receiveNanos);
    stages.put("marks", markedNanos - decodedNanos);
    stages.put("policy", predictedNanos - markedNanos);
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
        .setValidForNanos(Math.max(0, out.validUntilNanos() - receiveNanos))
        .setEffectorMarkId(tracker == null ? proposal.effectorMarkId() : tracker.effectorMarkId());
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
    metrics.stageSeconds.labelValues("marks").observe(seconds(stages.get("marks")));
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

  /**
   * The policy's traces keyed to the SoM marks: a trace whose id names a mark near its first point
   * keeps it; otherwise it takes the id of the mark nearest its first point (within the larger of that
   * mark's box side and 5% of the width); a trace near no mark keeps the policy's id.
   */
  static List<Trace> rekey(List<Trace> traces, List<Mark> marks, int widthPx) {
    if (traces.isEmpty() || marks.isEmpty()) {
      return traces;
    }
    List<Trace> out = new ArrayList<>(traces.size());
    for (Trace t : traces) {
      if (t.points().isEmpty()) {
        out.add(t);
        continue;
      }
      PixelPoint p = t.points().get(0);
      Mark nearest = null;
      double best = Double.POSITIVE_INFINITY;
      boolean ownIsNear = false;
      for (Mark m : marks) {
        double d = Math.hypot(m.centroid().xPx() - p.xPx(), m.centroid().yPx() - p.yPx());
        double gate = Math.max(0.05 * widthPx, Math.max(m.box().widthPx(), m.box().heightPx()));
        if (d > gate) {
          continue;
        }
        if (m.id() == t.markId()) {
          ownIsNear = true;
        }
        if (d < best) {
          best = d;
          nearest = m;
        }
      }
      out.add(ownIsNear || nearest == null ? t : new Trace(nearest.id(), t.points()));
    }
    return out;
  }

  /**
   * Annotate: marks on the newest frame at its own size and, when asked, the frame drawn as PNG.
   * Needs only frames; never lets a proposal or drawing failure escape.
   */
  mantis.proto.v1.Annotation annotate(mantis.proto.v1.Observation wire, long receiveNanos)
      throws InvalidInputException {
    Frame frame;
    try {
      frame = decoder.decodeNewestFrame(wire);
    } catch (InvalidInputException e) {
      metrics.messages.labelValues("Annotate", "invalid").inc();
      throw e;
    }
    long decoded = clock.nanoTime();
    Proposal proposal = propose(frame);
    long marked = clock.nanoTime();
    mantis.proto.v1.Annotation.Builder b = mantis.proto.v1.Annotation.newBuilder()
        .setEffectorMarkId(proposal.effectorMarkId());
    for (Mark m : proposal.marks()) {
      b.addMarks(ChunkEncoder.encode(m));
    }
    long drawn = marked;
    if (wire.getAnnotateWithImage()) {
      byte[] png = renderer.png(renderer.draw(frame, proposal.marks(), List.of()));
      b.setAnnotatedFrame(mantis.proto.v1.Frame.newBuilder()
          .setEncoding(mantis.proto.v1.FrameEncoding.FRAME_ENCODING_PNG)
          .setWidthPx(frame.widthPx())
          .setHeightPx(frame.heightPx())
          .setData(com.google.protobuf.ByteString.copyFrom(png))
          .setCameraId(wire.getFrames(wire.getFramesCount() - 1).getCameraId()));
      drawn = clock.nanoTime();
    }
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("decode", decoded - receiveNanos);
    stages.put("marks", marked - decoded);
    stages.put("draw", drawn - marked);
    stages.put("total", drawn - receiveNanos);
    for (Map.Entry<String, Long> e : stages.entrySet()) {
      b.addStageTimings(mantis.proto.v1.StageTiming.newBuilder().setStage(e.getKey()).setDurationNanos(e.getValue()));
    }
    metrics.messages.labelValues("Annotate", "ok").inc();
    metrics.stageSeconds.labelValues("marks").observe(seconds(stages.get("marks")));
    return b.build();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** The wire chunk and the decoded observation it answers. */
  record Result(mantis.proto.v1.ActionChunk chunk, Observation observation) {}

  static List<String> stageOrder() {
    return List.of("decode", "marks", "policy", "safety", "total");
  }
}
