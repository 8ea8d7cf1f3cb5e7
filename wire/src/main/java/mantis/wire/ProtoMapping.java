package mantis.wire;

import com.google.protobuf.ByteString;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.Observation;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.PolicyInfo;
import mantis.core.Trace;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.StageTiming;

/**
 * Conversions between {@code mantis.core} values and their {@code mantis.v1} wire form. Every
 * method is a pure function of its arguments, thread-safe, and throws {@link NullPointerException}
 * naming a missing argument.
 *
 * <p>Core to wire ({@code toProto...}) maps every field the wire has for the value. Wire to core
 * ({@link #chunkFromProto}) never rejects a message: what the wire can say but a core value cannot
 * hold is dropped (see there), and whether the content is safe to execute is for the receiver's
 * {@link mantis.core.safety.SafetyFilter} to judge. Validation against a robot (joint count, names,
 * limits) and size budgets stay with the receiver.
 */
public final class ProtoMapping {
  static {
    ImageIO.setUseCache(false);
  }

  private ProtoMapping() {}

  /**
   * A joint state on the wire: names, positions, velocities (none when the state has none) and
   * stamp.
   */
  public static mantis.proto.v1.JointState toProto(JointState state) {
    Objects.requireNonNull(state, "state");
    mantis.proto.v1.JointState.Builder b =
        mantis.proto.v1.JointState.newBuilder()
            .addAllNames(state.names())
            .setStampNanos(state.stampNanos());
    for (double p : state.positionsRad()) {
      b.addPositionsRad(p);
    }
    for (double v : state.velocitiesRadPerS()) {
      b.addVelocitiesRadPerS(v);
    }
    return b.build();
  }

  /** A frame on the wire as raw RGB8 pixels (no encoding cost; width * height * 3 bytes). */
  public static mantis.proto.v1.Frame toRawRgb8(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    return mantis.proto.v1.Frame.newBuilder()
        .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
        .setWidthPx(frame.widthPx())
        .setHeightPx(frame.heightPx())
        .setData(ByteString.copyFrom(frame.rgbUnsafe()))
        .build();
  }

  /** A frame on the wire as a PNG file (lossless; costs encoding time). */
  public static mantis.proto.v1.Frame toPng(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    return mantis.proto.v1.Frame.newBuilder()
        .setWidthPx(frame.widthPx())
        .setHeightPx(frame.heightPx())
        .setEncoding(FrameEncoding.FRAME_ENCODING_PNG)
        .setData(ByteString.copyFrom(pngBytes(frame)))
        .build();
  }

  /** The bytes of a PNG file holding the frame (8 bits per channel, RGB). */
  public static byte[] pngBytes(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    BufferedImage img =
        new BufferedImage(frame.widthPx(), frame.heightPx(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] rgb = frame.rgbUnsafe();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(rgb.length / 4 + 64);
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * An observation on the wire with its frames as raw RGB8, sent at {@code sendTimeNanos} on the
   * sender's monotonic clock; the other fields are the observation's own.
   */
  public static mantis.proto.v1.Observation toProto(Observation obs, long sendTimeNanos) {
    Objects.requireNonNull(obs, "obs");
    mantis.proto.v1.Observation.Builder b =
        mantis.proto.v1.Observation.newBuilder()
            .setRobotId(obs.robotId())
            .setEpisodeId(obs.episodeId())
            .setStep(obs.step())
            .setInstruction(obs.instruction())
            .setCaptureTimeNanos(obs.captureTimeNanos())
            .setSendTimeNanos(sendTimeNanos);
    for (Frame f : obs.frames()) {
      b.addFrames(toRawRgb8(f));
    }
    return b.setJointState(toProto(obs.jointState())).build();
  }

  /**
   * A chunk on the wire, as a builder for the sender to complete: joint names, points, {@code
   * valid_until_nanos}, latent tokens, model version, marks and traces are set; {@code
   * valid_for_nanos}, robot id, step, source, held, interventions and stage timings are the
   * sender's to set (see {@link #addStageTimings}).
   */
  public static mantis.proto.v1.ActionChunk.Builder toProtoBuilder(ActionChunk chunk) {
    Objects.requireNonNull(chunk, "chunk");
    mantis.proto.v1.ActionChunk.Builder b =
        mantis.proto.v1.ActionChunk.newBuilder()
            .addAllJointNames(chunk.jointNames())
            .setValidUntilNanos(chunk.validUntilNanos())
            .setModelVersion(chunk.modelVersion());
    for (ActionPoint p : chunk.points()) {
      mantis.proto.v1.ActionPoint.Builder pb =
          mantis.proto.v1.ActionPoint.newBuilder().setTimeFromStartNanos(p.timeFromStartNanos());
      for (int i = 0; i < p.size(); i++) {
        pb.addPositionsRad(p.positionRad(i));
      }
      b.addPoints(pb);
    }
    for (int t : chunk.latentTokens()) {
      b.addLatentTokens(t);
    }
    for (Mark m : chunk.marks()) {
      b.addMarks(toProto(m));
    }
    for (Trace t : chunk.traces()) {
      b.addTraces(toProto(t));
    }
    return b;
  }

  /** Adds one {@code stage_timings} entry per map entry, in the map's order. */
  public static mantis.proto.v1.ActionChunk.Builder addStageTimings(
      mantis.proto.v1.ActionChunk.Builder b, Map<String, Long> stageNanos) {
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(stageNanos, "stageNanos");
    for (Map.Entry<String, Long> e : stageNanos.entrySet()) {
      b.addStageTimings(
          StageTiming.newBuilder().setStage(e.getKey()).setDurationNanos(e.getValue()));
    }
    return b;
  }

  /**
   * A wire chunk as a core chunk whose validity is re-expressed on the receiver's clock: it stays
   * valid until {@code referenceNanos + valid_for_nanos} (saturating at {@link Long#MAX_VALUE}),
   * {@code referenceNanos} being the receiver-clock time the validity counts from (the send time of
   * the observation it answers, or a command's arrival). A non-positive {@code valid_for_nanos}
   * makes the chunk valid until {@code referenceNanos} only, i.e. already expired. The wire's
   * {@code valid_until_nanos} (the sender's clock) is not used.
   *
   * <p>Points (positions as sent, finite or not), latent tokens, model version and traces are
   * carried over; marks are carried over when their id is 1 or more and their box has a
   * non-negative width and height (others are dropped: a core {@link Mark} cannot hold them). Stage
   * timings, interventions and the other reply fields are not. Nothing here throws on content: the
   * receiver's safety filter judges the points.
   */
  public static ActionChunk chunkFromProto(mantis.proto.v1.ActionChunk wire, long referenceNanos) {
    Objects.requireNonNull(wire, "wire");
    List<ActionPoint> points = new ArrayList<>(wire.getPointsCount());
    for (mantis.proto.v1.ActionPoint p : wire.getPointsList()) {
      double[] q = new double[p.getPositionsRadCount()];
      for (int i = 0; i < q.length; i++) {
        q[i] = p.getPositionsRad(i);
      }
      points.add(new ActionPoint(q, p.getTimeFromStartNanos()));
    }
    int[] tokens = new int[wire.getLatentTokensCount()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = wire.getLatentTokens(i);
    }
    long validUntil = saturatedAdd(referenceNanos, Math.max(0, wire.getValidForNanos()));
    return new ActionChunk(
        wire.getJointNamesList(),
        points,
        validUntil,
        tokens,
        marksFromProto(wire.getMarksList()),
        tracesFromProto(wire.getTracesList()),
        wire.getModelVersion(),
        null);
  }

  /**
   * Core marks from wire marks: those with an id of 1 or more and a box of non-negative width and
   * height (others are dropped: a core {@link Mark} cannot hold them), in order.
   */
  public static List<Mark> marksFromProto(List<mantis.proto.v1.Mark> wire) {
    List<Mark> marks = new ArrayList<>(wire.size());
    for (mantis.proto.v1.Mark m : wire) {
      if (m.getId() >= 1 && m.getBox().getWidthPx() >= 0 && m.getBox().getHeightPx() >= 0) {
        marks.add(
            new Mark(
                m.getId(),
                fromProto(m.getCentroid()),
                new PixelBox(
                    m.getBox().getXPx(),
                    m.getBox().getYPx(),
                    m.getBox().getWidthPx(),
                    m.getBox().getHeightPx()),
                m.getAreaPx(),
                m.getMeanRgb()));
      }
    }
    return marks;
  }

  /** Core traces from wire traces, in order, every point carried over. */
  public static List<Trace> tracesFromProto(List<mantis.proto.v1.Trace> wire) {
    List<Trace> traces = new ArrayList<>(wire.size());
    for (mantis.proto.v1.Trace t : wire) {
      List<PixelPoint> pts = new ArrayList<>(t.getPointsCount());
      for (mantis.proto.v1.PixelPoint p : t.getPointsList()) {
        pts.add(fromProto(p));
      }
      traces.add(new Trace(t.getMarkId(), pts));
    }
    return traces;
  }

  /** A Set-of-Mark mark on the wire: id, centroid, box, area and mean colour. */
  public static mantis.proto.v1.Mark toProto(Mark m) {
    Objects.requireNonNull(m, "m");
    return mantis.proto.v1.Mark.newBuilder()
        .setId(m.id())
        .setCentroid(toProto(m.centroid()))
        .setBox(
            mantis.proto.v1.PixelBox.newBuilder()
                .setXPx(m.box().xPx())
                .setYPx(m.box().yPx())
                .setWidthPx(m.box().widthPx())
                .setHeightPx(m.box().heightPx()))
        .setAreaPx(m.areaPx())
        .setMeanRgb(m.meanRgb())
        .build();
  }

  /** A Trace-of-Mark trace on the wire: the mark id and its points, oldest first. */
  public static mantis.proto.v1.Trace toProto(Trace t) {
    Objects.requireNonNull(t, "t");
    mantis.proto.v1.Trace.Builder tb = mantis.proto.v1.Trace.newBuilder().setMarkId(t.markId());
    for (PixelPoint p : t.points()) {
      tb.addPoints(toProto(p));
    }
    return tb.build();
  }

  /** A pixel point on the wire. */
  public static mantis.proto.v1.PixelPoint toProto(PixelPoint p) {
    Objects.requireNonNull(p, "p");
    return mantis.proto.v1.PixelPoint.newBuilder().setXPx(p.xPx()).setYPx(p.yPx()).build();
  }

  /** A wire pixel point as a core one. */
  public static PixelPoint fromProto(mantis.proto.v1.PixelPoint p) {
    Objects.requireNonNull(p, "p");
    return new PixelPoint(p.getXPx(), p.getYPx());
  }

  /**
   * A policy's description on the wire, for the robot named {@code robotName}: name, version, joint
   * names, input size, chunk length and model card.
   */
  public static mantis.proto.v1.PolicyInfo toProto(PolicyInfo info, String robotName) {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(robotName, "robotName");
    return mantis.proto.v1.PolicyInfo.newBuilder()
        .setName(info.name())
        .setVersion(info.version())
        .addAllJointNames(info.jointNames())
        .setInputWidthPx(info.inputWidthPx())
        .setInputHeightPx(info.inputHeightPx())
        .setChunkLength(info.chunkLength())
        .setCardJson(info.cardJson())
        .setRobotName(robotName)
        .build();
  }

  /** {@code a + b} for {@code b >= 0}, {@link Long#MAX_VALUE} where that overflows. */
  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
