package mantis.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.LogLimiter;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.Observation;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.Trace;
import mantis.core.safety.Intervention;
import mantis.core.safety.InterventionKind;
import mantis.core.safety.SafetyFilter;
import mantis.core.safety.SafetyResult;
import mantis.marks.MarkProposer;
import mantis.marks.MarkRenderer;
import mantis.marks.MarkTracker;
import mantis.marks.Proposal;
import mantis.wire.ProtoMapping;

/**
 * One request, end to end: decode and validate, propose Set-of-Mark marks on the newest frame, run
 * the policy (which gets the marks), run the robot's safety filter, encode. Every reply chunk
 * carries the SoM marks (in the policy input frame's pixels; ids stable across a Control stream
 * when the caller passes the stream's {@link MarkTracker}) and the policy's traces, re-keyed to the
 * SoM mark nearest each trace's first point when the policy numbered them otherwise. Keeps one
 * {@link SafetyFilter} per robot id in a bounded {@link RobotTable}, so an e-stop of one robot
 * leaves the others alone. Thread-safe.
 *
 * <p>Staleness. The policy sets a chunk's {@code validUntil}; the reply's {@code valid_for_nanos}
 * is that minus the observation's arrival, so a client's deadline is its send time plus {@code
 * valid_for_nanos}, and any delay on the way in counts against it. The server cannot see a delay
 * that happened before the observation reached it, except through the send times of a Control
 * stream: the {@link Arrival#excessNanos() excess} is how much longer than the stream's quickest
 * the observation took to arrive. The client's deadline is then, on the server clock, about {@code
 * validUntil - excess}; a chunk that would be left with less than the send margin of that when sent
 * is answered as a hold with a {@code STALE} intervention instead of a chunk that would arrive
 * expired. The same is decided before any work (before decoding) when it is already certain, and
 * when the observation is older than the policy's whole validity horizon (it waited in the server's
 * queue, or on the way, longer than a chunk lasts): answering it would act on a state older than
 * any chunk may live. So an overloaded server sheds old observations cheaply instead of predicting
 * in vain.
 *
 * <p>Holds that are not the safety filter's verdict on a fresh chunk (STALE, OVERLOADED, the
 * watchdog's, shutdown) stop at a {@link HoldBasis}: the newest joint state the server has received
 * for the stream (a Control stream passes its newest; without one, the observation's own), valid
 * for the hold validity from when that state arrived, never from when the hold is made. A client
 * that pipelines observations has moved on since the answered one, so a hold at that observation's
 * state with a fresh validity would send it back to an old pose.
 *
 * <p>A raw chunk with a non-finite joint target or trace point means the policy is broken (e.g. NaN
 * weights): it is answered as a hold with a {@code NON_FINITE} intervention naming the count, never
 * repaired into a motion, and the {@link Result} says so (warm-up refuses such a policy).
 */
final class PolicyPipeline {
  private final Policy policy;
  private final RobotSpec robot;
  private final ObservationDecoder decoder;
  private final RobotTable robots;
  private final MonotonicClock clock;
  private final ServerMetrics metrics;
  private final long sendMarginNanos;
  private final LogLimiter logs;
  private final MarkProposer proposer = MarkProposer.defaults();
  private final MarkRenderer renderer = new MarkRenderer();

  /**
   * The policy's validity horizon (its valid_until minus its answer time) seen last; -1 before the
   * first.
   */
  private volatile long horizonNanos = -1;

  /**
   * When an observation arrived, on the server clock.
   *
   * @param receiveNanos when the observation reached the server
   * @param excessNanos how much longer than usual it took to get there (a Control stream's
   *     send-to-arrival delay beyond the smallest seen on the stream, when its observations carry
   *     send times); 0 if unknown
   */
  record Arrival(long receiveNanos, long excessNanos) {
    static Arrival at(long receiveNanos) {
      return new Arrival(receiveNanos, 0);
    }
  }

  /**
   * What a hold stops at: a joint state and when the server received it (its validity counts from
   * then).
   *
   * @param state a validated joint state of the robot
   * @param receiveNanos when the observation carrying it reached the server, on the server clock
   */
  record HoldBasis(JointState state, long receiveNanos) {}

  PolicyPipeline(
      Policy policy,
      RobotSpec robot,
      ObservationDecoder decoder,
      RobotTable robots,
      MonotonicClock clock,
      ServerMetrics metrics,
      long sendMarginNanos,
      LogLimiter logs) {
    this.policy = policy;
    this.robot = robot;
    this.decoder = decoder;
    this.robots = robots;
    this.clock = clock;
    this.metrics = metrics;
    this.sendMarginNanos = sendMarginNanos;
    this.logs = logs;
  }

  RobotSpec robot() {
    return robot;
  }

  Policy policy() {
    return policy;
  }

  RobotTable robots() {
    return robots;
  }

  /** The robot's filter, made if new. */
  SafetyFilter filter(String robotId) throws OverloadedException {
    return robots.use(robotId);
  }

  void forget(String robotId) {
    robots.forget(robotId);
  }

  /**
   * Runs one wire observation through the pipeline.
   *
   * @param rpc RPC name for metrics
   * @param arrival when the request arrived; validity and age are measured from it
   * @param tracker the Control stream's mark tracker, or null
   * @throws InvalidInputException bad input (INVALID_ARGUMENT)
   * @throws OverloadedException a limit was reached (RESOURCE_EXHAUSTED), e.g. the decode budget
   */
  Result run(String rpc, mantis.proto.v1.Observation wire, Arrival arrival, MarkTracker tracker)
      throws InvalidInputException, OverloadedException {
    return run(rpc, wire, arrival, tracker, null);
  }

  /**
   * Like {@link #run(String, mantis.proto.v1.Observation, Arrival, MarkTracker)}; a STALE hold
   * stops at {@code newestState} (the stream's newest joint state, read when the hold is made), or
   * at the observation's own state when that is null or gives null.
   */
  Result run(
      String rpc,
      mantis.proto.v1.Observation wire,
      Arrival arrival,
      MarkTracker tracker,
      Supplier<HoldBasis> newestState)
      throws InvalidInputException, OverloadedException {
    long start = clock.nanoTime();
    long horizon = horizonNanos;
    long excess = arrival.excessNanos();
    long age = start - arrival.receiveNanos() + excess;
    if (horizon > 0 && (age >= horizon || excess + sendMarginNanos >= horizon)) {
      String robotId = ObservationDecoder.robotId(wire);
      JointState state = decoder.decodeJointState(wire);
      return stale(
          rpc,
          robotId,
          wire.getStep(),
          basis(newestState, state, arrival),
          arrival,
          "before_decode",
          String.format(
              Locale.ROOT,
              "observation is %.1f ms old before any work (%.1f ms later on its way in than the stream's quickest, "
                  + "%.1f ms waiting in the server); the policy's chunks last %.1f ms, so it is answered with a hold "
                  + "instead of a stale chunk (server overloaded: fewer streams, a lower rate, or more capacity)",
              age / 1e6,
              excess / 1e6,
              (start - arrival.receiveNanos()) / 1e6,
              horizon / 1e6));
    }
    Observation obs;
    try {
      obs = decoder.decode(wire);
    } catch (InvalidInputException e) {
      metrics.messages.labelValues(rpc, "invalid").inc();
      throw e;
    } catch (OverloadedException e) {
      metrics.messages.labelValues(rpc, "overloaded").inc();
      throw e;
    }
    return run(rpc, obs, arrival, clock.nanoTime(), tracker, newestState);
  }

  /** {@code newest}'s basis, or {@code own} as of the observation's arrival. */
  private static HoldBasis basis(Supplier<HoldBasis> newest, JointState own, Arrival arrival) {
    HoldBasis b = newest == null ? null : newest.get();
    return b != null ? b : new HoldBasis(own, arrival.receiveNanos());
  }

  /** The observation's joint state, validated (what a hold needs; no frame is touched). */
  JointState jointState(mantis.proto.v1.Observation wire) throws InvalidInputException {
    return decoder.decodeJointState(wire);
  }

  /** Marks on the newest frame; never throws (a failure is logged and gives no marks). */
  private Proposal propose(Frame frame) {
    try {
      return proposer.analyse(frame);
    } catch (RuntimeException e) {
      logs.warn("mark-proposal", "mark proposal failed on {}: {}", frame, e.toString());
      return Proposal.empty();
    }
  }

  private Result run(
      String rpc,
      Observation obs,
      Arrival arrival,
      long decodedNanos,
      MarkTracker tracker,
      Supplier<HoldBasis> newestState)
      throws OverloadedException {
    long receiveNanos = arrival.receiveNanos();
    SafetyFilter filter = robots.use(obs.robotId());
    Frame newest = obs.frames().get(obs.frames().size() - 1);
    Proposal proposal = propose(newest);
    List<Mark> marks =
        tracker == null ? proposal.marks() : tracker.update(proposal, newest.widthPx());
    long markedNanos = clock.nanoTime();
    ActionChunk raw = null;
    String policyError = null;
    String nonFinite = null;
    String nonFiniteCounts = null;
    try {
      raw = policy.predict(obs, marks);
      if (raw == null) {
        policyError = "policy returned no chunk";
      }
    } catch (RuntimeException e) {
      policyError =
          "policy "
              + policy.info().name()
              + " failed: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage());
      logs.warn(
          "policy-failed",
          "{} (robot {}, step {}); holding",
          policyError,
          ClientText.escape(obs.robotId()),
          obs.step(),
          e);
    }
    long predictedNanos = clock.nanoTime();
    if (raw != null) {
      nonFiniteCounts = nonFinite(raw);
      if (nonFiniteCounts != null) {
        nonFinite =
            "policy "
                + policy.info().name()
                + " returned non-finite values: "
                + nonFiniteCounts
                + "; its output is unusable, holding";
        logs.warn(
            "policy-non-finite",
            "{} (robot {}, step {})",
            nonFinite,
            ClientText.escape(obs.robotId()),
            obs.step());
      } else {
        long h = raw.validUntilNanos() - predictedNanos;
        if (h > 0) {
          horizonNanos = h;
        }
      }
    }
    boolean usable = policyError == null && nonFinite == null;
    SafetyResult safe = null;
    if (usable) {
      safe = filter.filter(raw, obs.jointState());
    }
    ActionChunk out = safe != null ? safe.chunk() : filter.hold(obs.jointState());
    long doneNanos = clock.nanoTime();
    long left = out.validUntilNanos() - doneNanos - arrival.excessNanos();
    if (safe != null && !safe.held() && left < sendMarginNanos) {
      return stale(
          rpc,
          obs.robotId(),
          obs.step(),
          basis(newestState, obs.jointState(), arrival),
          arrival,
          "after_policy",
          String.format(
              Locale.ROOT,
              "the chunk would reach the client with %.1f ms of validity left, less than the %.1f ms send "
                  + "margin (the observation took %.1f ms longer than usual to arrive, then %.1f ms in the server); "
                  + "answered with a hold instead of a stale chunk (server overloaded)",
              left / 1e6,
              sendMarginNanos / 1e6,
              arrival.excessNanos() / 1e6,
              (doneNanos - receiveNanos) / 1e6));
    }
    out =
        new ActionChunk(
            out.jointNames(),
            out.points(),
            out.validUntilNanos(),
            out.latentTokens(),
            marks,
            raw == null || nonFinite != null
                ? List.of()
                : rekey(raw.traces(), marks, newest.widthPx()),
            out.modelVersion(),
            out.stageNanos());

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

    mantis.proto.v1.ActionChunk.Builder b =
        ProtoMapping.toProtoBuilder(out)
            .setRobotId(obs.robotId())
            .setStep(obs.step())
            .setSource(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY)
            .setValidForNanos(Math.max(0, out.validUntilNanos() - receiveNanos))
            .setEffectorMarkId(
                tracker == null ? proposal.effectorMarkId() : tracker.effectorMarkId());
    ProtoMapping.addStageTimings(b, stages);
    String outcome;
    if (safe != null) {
      b.setHeld(safe.held());
      for (Intervention i : safe.interventions()) {
        b.addInterventions(
            mantis.proto.v1.SafetyIntervention.newBuilder()
                .setKind(i.kind().name())
                .setDetail(i.detail()));
        metrics.interventions.labelValues(i.kind().name()).inc();
      }
      outcome = "ok";
    } else if (nonFinite != null) {
      b.setHeld(true);
      b.addInterventions(
          mantis.proto.v1.SafetyIntervention.newBuilder()
              .setKind(InterventionKind.NON_FINITE.name())
              .setDetail(nonFinite));
      metrics.interventions.labelValues(InterventionKind.NON_FINITE.name()).inc();
      outcome = "policy_error";
    } else {
      b.setHeld(true);
      b.addInterventions(
          mantis.proto.v1.SafetyIntervention.newBuilder()
              .setKind("POLICY_ERROR")
              .setDetail(policyError));
      metrics.interventions.labelValues("POLICY_ERROR").inc();
      outcome = "policy_error";
    }
    metrics.messages.labelValues(rpc, outcome).inc();
    metrics.stageSeconds.labelValues("decode").observe(seconds(stages.get("decode")));
    metrics.stageSeconds.labelValues("marks").observe(seconds(stages.get("marks")));
    metrics.stageSeconds.labelValues("policy").observe(seconds(stages.get("policy")));
    metrics.stageSeconds.labelValues("safety").observe(seconds(stages.get("safety")));
    metrics.stageSeconds.labelValues("total").observe(seconds(stages.get("total")));
    return new Result(b.build(), obs.jointState(), obs, nonFiniteCounts);
  }

  /**
   * What is not finite in a raw chunk ("24 of 24 joint targets, 9 of 18 trace coordinates"), or
   * null when everything is finite.
   */
  static String nonFinite(ActionChunk raw) {
    int bad = 0;
    int all = 0;
    for (ActionPoint p : raw.points()) {
      for (int j = 0; j < p.size(); j++) {
        all++;
        if (!Double.isFinite(p.positionRad(j))) {
          bad++;
        }
      }
    }
    int badTrace = 0;
    int allTrace = 0;
    for (Trace t : raw.traces()) {
      for (PixelPoint q : t.points()) {
        allTrace += 2;
        badTrace += (Double.isFinite(q.xPx()) ? 0 : 1) + (Double.isFinite(q.yPx()) ? 0 : 1);
      }
    }
    if (bad == 0 && badTrace == 0) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    if (bad > 0) {
      parts.add(bad + " of " + all + " joint targets");
    }
    if (badTrace > 0) {
      parts.add(badTrace + " of " + allTrace + " trace coordinates");
    }
    return String.join(", ", parts);
  }

  /**
   * The answer to a Control observation dropped from a full stream queue ({@code waiting} newer
   * ones with frames behind it): a STALE hold at {@code basis}, without touching the observation
   * again (its frames are gone).
   *
   * @param state the dropped observation's own joint state (already validated)
   */
  Result superseded(
      String rpc,
      String robotId,
      long step,
      JointState state,
      Arrival arrival,
      int waiting,
      HoldBasis basis)
      throws OverloadedException {
    return stale(
        rpc,
        robotId,
        step,
        basis != null ? basis : new HoldBasis(state, arrival.receiveNanos()),
        arrival,
        "queue_full",
        "more than "
            + waiting
            + " newer observations of this stream arrived while the server was still "
            + "busy with older ones, so this one is answered with a hold instead of a stale chunk (server overloaded: "
            + "fewer streams, a lower rate, or more capacity)");
  }

  /** A STALE hold in answer to an observation, counted under {@code stage}. */
  private Result stale(
      String rpc,
      String robotId,
      long step,
      HoldBasis basis,
      Arrival arrival,
      String stage,
      String detail)
      throws OverloadedException {
    mantis.proto.v1.ActionChunk chunk = replyHold(robotId, step, basis, arrival, "STALE", detail);
    metrics.staleHolds.labelValues(stage).inc();
    metrics.messages.labelValues(rpc, "stale").inc();
    logs.warn("stale-" + stage, "robot {} step {}: {}", ClientText.escape(robotId), step, detail);
    return new Result(chunk, basis.state(), null, null);
  }

  /**
   * The answer to a Control observation refused by a passing overload (the decode budget per
   * second, the queued bytes): a hold at {@code basis} with an {@code OVERLOADED} intervention
   * carrying the refusal, so the stream goes on.
   */
  mantis.proto.v1.ActionChunk overloadedHold(
      String robotId, long step, HoldBasis basis, Arrival arrival, String why)
      throws OverloadedException {
    metrics.messages.labelValues("Control", "overloaded_hold").inc();
    return replyHold(robotId, step, basis, arrival, "OVERLOADED", why);
  }

  /** A hold answering step {@code step}, with one intervention of {@code kind}. */
  private mantis.proto.v1.ActionChunk replyHold(
      String robotId, long step, HoldBasis basis, Arrival arrival, String kind, String detail)
      throws OverloadedException {
    SafetyFilter filter = robots.use(robotId);
    ActionChunk hold = filter.hold(basis.state(), basis.receiveNanos());
    metrics.interventions.labelValues(kind).inc();
    return ProtoMapping.toProtoBuilder(hold)
        .setRobotId(robotId)
        .setStep(step)
        .setHeld(true)
        .setSource(mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY)
        .setValidForNanos(Math.max(0, hold.validUntilNanos() - arrival.receiveNanos()))
        .addInterventions(
            mantis.proto.v1.SafetyIntervention.newBuilder().setKind(kind).setDetail(detail))
        .build();
  }

  /**
   * An unsolicited hold at {@code basis} from the robot's filter, on the wire, tagged with {@code
   * kind}; valid for the hold validity from when the basis arrived.
   */
  mantis.proto.v1.ActionChunk hold(
      String robotId,
      HoldBasis basis,
      mantis.proto.v1.ChunkSource source,
      String kind,
      String why) {
    SafetyFilter filter = robots.existing(robotId);
    ActionChunk hold =
        (filter != null ? filter : robots.spare()).hold(basis.state(), basis.receiveNanos());
    long now = clock.nanoTime();
    return ProtoMapping.toProtoBuilder(hold)
        .setRobotId(robotId)
        .setHeld(true)
        .setSource(source)
        .setValidForNanos(Math.max(0, hold.validUntilNanos() - now))
        .addInterventions(
            mantis.proto.v1.SafetyIntervention.newBuilder().setKind(kind).setDetail(why))
        .build();
  }

  /**
   * The policy's traces keyed to the SoM marks: a trace whose id names a mark near its first point
   * keeps it; otherwise it takes the id of the mark nearest its first point (within the larger of
   * that mark's box side and 5% of the width); a trace near no mark keeps the policy's id.
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
   * Annotate: marks on the newest frame in its own pixels and, when asked, the frame drawn as PNG.
   * A frame larger than {@code maxSidePx} per side is decoded subsampled and shrunk to fit first
   * (marks are found on the shrunk frame and scaled back; the drawn PNG has the shrunk size). Needs
   * only frames; never lets a proposal or drawing failure escape.
   */
  mantis.proto.v1.Annotation annotate(
      mantis.proto.v1.Observation wire, long receiveNanos, int maxSidePx)
      throws InvalidInputException, OverloadedException {
    ObservationDecoder.AnnotateFrame af;
    try {
      af = decoder.decodeNewestFrame(wire, maxSidePx);
    } catch (InvalidInputException e) {
      metrics.messages.labelValues("Annotate", "invalid").inc();
      throw e;
    } catch (OverloadedException e) {
      metrics.messages.labelValues("Annotate", "overloaded").inc();
      throw e;
    }
    Frame frame = af.frame();
    long decoded = clock.nanoTime();
    Proposal proposal = propose(frame);
    long marked = clock.nanoTime();
    mantis.proto.v1.Annotation.Builder b =
        mantis.proto.v1.Annotation.newBuilder().setEffectorMarkId(proposal.effectorMarkId());
    for (Mark m : proposal.marks()) {
      b.addMarks(ProtoMapping.toProto(scale(m, af.scaleX(), af.scaleY())));
    }
    long drawn = marked;
    if (wire.getAnnotateWithImage()) {
      byte[] png = renderer.png(renderer.draw(frame, proposal.marks(), List.of()));
      b.setAnnotatedFrame(
          mantis.proto.v1.Frame.newBuilder()
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
      b.addStageTimings(
          mantis.proto.v1.StageTiming.newBuilder()
              .setStage(e.getKey())
              .setDurationNanos(e.getValue()));
    }
    metrics.messages.labelValues("Annotate", "ok").inc();
    metrics.stageSeconds.labelValues("marks").observe(seconds(stages.get("marks")));
    return b.build();
  }

  /** A mark found on a shrunk frame, in the frame's own pixels. */
  private static Mark scale(Mark m, double sx, double sy) {
    if (sx == 1 && sy == 1) {
      return m;
    }
    return new Mark(
        m.id(),
        new PixelPoint(m.centroid().xPx() * sx, m.centroid().yPx() * sy),
        new mantis.core.PixelBox(
            m.box().xPx() * sx,
            m.box().yPx() * sy,
            m.box().widthPx() * sx,
            m.box().heightPx() * sy),
        m.areaPx() * sx * sy,
        m.meanRgb());
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /**
   * The wire chunk, the joint state of the observation it answers, the decoded observation (null
   * when it was answered before decoding), and what was not finite in the policy's output (null
   * when all was).
   */
  record Result(
      mantis.proto.v1.ActionChunk chunk,
      JointState jointState,
      Observation observation,
      String policyNonFinite) {}

  static List<String> stageOrder() {
    return List.of("decode", "marks", "policy", "safety", "total");
  }
}
