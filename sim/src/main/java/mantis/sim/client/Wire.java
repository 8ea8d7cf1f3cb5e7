package mantis.sim.client;

import com.google.protobuf.ByteString;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Frame;
import mantis.core.JointState;
import mantis.core.Mark;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.Trace;
import mantis.proto.v1.FrameEncoding;

/** Conversions between {@code mantis.core} values and their {@code mantis.v1} wire form, for clients and arms. */
public final class Wire {
  static {
    ImageIO.setUseCache(false);
  }

  private Wire() {}

  /** A frame on the wire, raw or PNG-encoded. */
  public static mantis.proto.v1.Frame frame(Frame frame, FrameFormat format) {
    mantis.proto.v1.Frame.Builder b = mantis.proto.v1.Frame.newBuilder()
        .setWidthPx(frame.widthPx())
        .setHeightPx(frame.heightPx());
    if (format == FrameFormat.RAW_RGB8) {
      return b.setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
          .setData(ByteString.copyFrom(frame.rgbUnsafe()))
          .build();
    }
    return b.setEncoding(FrameEncoding.FRAME_ENCODING_PNG).setData(ByteString.copyFrom(png(frame))).build();
  }

  /** PNG bytes of a frame. */
  public static byte[] png(Frame frame) {
    BufferedImage img = new BufferedImage(frame.widthPx(), frame.heightPx(), BufferedImage.TYPE_3BYTE_BGR);
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

  /** A joint state on the wire. */
  public static mantis.proto.v1.JointState jointState(JointState state) {
    mantis.proto.v1.JointState.Builder b = mantis.proto.v1.JointState.newBuilder()
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

  /**
   * A wire chunk as a core chunk whose validity is re-expressed on the receiver's clock: it stays
   * valid until {@code referenceNanos + valid_for_nanos}, {@code referenceNanos} being the
   * receiver-clock time the validity counts from (the observation's send time for a client).
   * Marks (those with an id of 1 or more and a non-negative box) and traces are carried over so that listeners can score what
   * the policy grounded and planned; executors ignore them.
   */
  public static ActionChunk chunk(mantis.proto.v1.ActionChunk wire, long referenceNanos) {
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
    List<Mark> marks = new ArrayList<>(wire.getMarksCount());
    for (mantis.proto.v1.Mark m : wire.getMarksList()) {
      if (m.getId() >= 1 && m.getBox().getWidthPx() >= 0 && m.getBox().getHeightPx() >= 0) {
        marks.add(new Mark(m.getId(), point(m.getCentroid()), new PixelBox(m.getBox().getXPx(), m.getBox().getYPx(),
            m.getBox().getWidthPx(), m.getBox().getHeightPx()), m.getAreaPx(), m.getMeanRgb()));
      }
    }
    List<Trace> traces = new ArrayList<>(wire.getTracesCount());
    for (mantis.proto.v1.Trace t : wire.getTracesList()) {
      List<PixelPoint> pts = new ArrayList<>(t.getPointsCount());
      for (mantis.proto.v1.PixelPoint p : t.getPointsList()) {
        pts.add(point(p));
      }
      traces.add(new Trace(t.getMarkId(), pts));
    }
    return new ActionChunk(wire.getJointNamesList(), points, validUntil, tokens, marks, traces,
        wire.getModelVersion(), null);
  }

  private static PixelPoint point(mantis.proto.v1.PixelPoint p) {
    return new PixelPoint(p.getXPx(), p.getYPx());
  }

  /** The core chunk on the wire (points, validity, tokens, version); valid for {@code validForNanos}. */
  public static mantis.proto.v1.ActionChunk chunk(ActionChunk chunk, long validForNanos) {
    mantis.proto.v1.ActionChunk.Builder b = mantis.proto.v1.ActionChunk.newBuilder()
        .addAllJointNames(chunk.jointNames())
        .setValidUntilNanos(chunk.validUntilNanos())
        .setValidForNanos(validForNanos)
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
    return b.build();
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
