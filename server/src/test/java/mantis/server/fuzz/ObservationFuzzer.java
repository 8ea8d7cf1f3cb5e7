package mantis.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import mantis.proto.v1.Frame;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.JointState;
import mantis.proto.v1.Observation;

/**
 * Builds a {@code mantis.v1.Observation} from fuzz data: one of the {@link Seeds#bases() valid
 * observations}, then up to {@value #MAX_EDITS} edits, each chosen by the data: robot ids (long,
 * empty, invalid UTF-16, control characters), steps (negative, huge), instructions, joint states
 * (NaN, infinities, huge values, wrong counts and names, velocities), frames of every encoding (raw
 * RGB8 with matching and mismatching sizes, the seed PNG and JPEG with bytes flipped, inserted,
 * overwritten or cut, PNG chunk CRCs repaired so the decoder gets past them, size hints, unknown
 * encodings), many frames, times, unknown fields. No data means no edit: the base as it is.
 *
 * <p>Sizes are bounded so one input stays cheap to build: raw frames up to {@value
 * #MAX_RAW_SIDE_PX} px a side.
 */
final class ObservationFuzzer {
  static final int MAX_EDITS = 12;
  static final int MAX_RAW_SIDE_PX = 1024;

  /**
   * Robot ids: a small fixed set, so a long run cannot fill the server's robot table (issue 13).
   */
  static final List<String> ROBOT_IDS =
      List.of(
          "arm-1",
          "",
          "arm-2",
          "default",
          "x".repeat(128),
          "x".repeat(129),
          "\uD800",
          "arm\uDFFF-3",
          "\u0000",
          "\u30ed\u30dc\u30c3\u30c8",
          "arm-1 ",
          "a\nb",
          "\uD83E\uDD16");

  static final double[] SPECIAL_DOUBLES = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    Double.MIN_VALUE,
    -0.0,
    0.0,
    2.6,
    -2.6,
    2.58,
    2.5800001,
    2.61,
    1e9,
    -1e-300,
    3.141592653589793
  };
  static final long[] SPECIAL_LONGS = {
    -1,
    Long.MIN_VALUE,
    Long.MAX_VALUE,
    1,
    2,
    Integer.MAX_VALUE,
    (long) Integer.MAX_VALUE + 1,
    1L << 53
  };

  private final Seeds seeds;

  ObservationFuzzer(Seeds seeds) {
    this.seeds = seeds;
  }

  /** An observation built from {@code d}. */
  Observation observation(FuzzedDataProvider d) {
    Observation.Builder b =
        seeds.bases().get(d.consumeInt(0, seeds.bases().size() - 1)).toBuilder();
    edit(b, d);
    return b.build();
  }

  /** Applies up to {@value #MAX_EDITS} edits chosen by {@code d} to {@code b}. */
  void edit(Observation.Builder b, FuzzedDataProvider d) {
    int edits = d.consumeInt(0, MAX_EDITS);
    for (int i = 0; i < edits && d.remainingBytes() > 0; i++) {
      editOnce(b, d);
    }
  }

  private void editOnce(Observation.Builder b, FuzzedDataProvider d) {
    switch (d.consumeInt(0, 16)) {
      case 0 -> b.setRobotId(d.consumeBoolean() ? d.consumeString(160) : d.pickValue(ROBOT_IDS));
      case 1 -> b.setEpisodeId(d.consumeString(200));
      case 2 -> b.setStep(d.consumeBoolean() ? d.consumeLong() : d.pickValue(SPECIAL_LONGS));
      case 3 -> b.setInstruction(instruction(d));
      case 4 -> b.setJointState(positions(b.getJointState(), d));
      case 5 -> b.setJointState(names(b.getJointState(), d));
      case 6 -> b.setJointState(velocities(b.getJointState(), d));
      case 7 -> b.clearJointState();
      case 8 -> {
        if (b.getFramesCount() < 10) {
          b.addFrames(frame(d));
        }
      }
      case 9 -> {
        if (b.getFramesCount() > 0) {
          b.setFrames(d.consumeInt(0, b.getFramesCount() - 1), frame(d));
        }
      }
      case 10 -> {
        if (d.consumeBoolean() || b.getFramesCount() == 0) {
          b.clearFrames();
        } else {
          b.removeFrames(d.consumeInt(0, b.getFramesCount() - 1));
        }
      }
      case 11 -> {
        if (b.getFramesCount() > 0) {
          int k = d.consumeInt(0, b.getFramesCount() - 1);
          Frame f = b.getFrames(k);
          b.setFrames(
              k, f.toBuilder().setData(ByteString.copyFrom(mutate(f.getData().toByteArray(), d))));
        }
      }
      case 12 -> {
        if (b.getFramesCount() > 0) {
          int k = d.consumeInt(0, b.getFramesCount() - 1);
          b.setFrames(k, b.getFrames(k).toBuilder().setWidthPx(size(d)).setHeightPx(size(d)));
        }
      }
      case 13 -> b.setCaptureTimeNanos(d.consumeLong()).setSendTimeNanos(d.consumeLong());
      case 14 -> b.setAnnotateWithImage(d.consumeBoolean());
      case 15 -> {
        if (b.getFramesCount() > 0) {
          int k = d.consumeInt(0, b.getFramesCount() - 1);
          b.setFrames(
              k,
              b.getFrames(k).toBuilder()
                  .setEncodingValue(d.consumeInt(-2, 5))
                  .setCameraId(d.consumeString(40)));
        }
      }
      default ->
          b.setUnknownFields(
              UnknownFieldSet.newBuilder()
                  .mergeVarintField(d.consumeInt(20, 10_000), d.consumeInt())
                  .mergeLengthDelimitedField(
                      d.consumeInt(20, 10_000), ByteString.copyFrom(d.consumeBytes(32)))
                  .build());
    }
  }

  private static String instruction(FuzzedDataProvider d) {
    return switch (d.consumeInt(0, 6)) {
      case 0 -> d.consumeString(1100);
      case 1 -> "";
      case 2 -> " \t\n ";
      case 3 -> "push the \uD83D block";
      case 4 -> "x".repeat(1001);
      case 5 -> "x".repeat(1000);
      default -> "reach the red block\u0000";
    };
  }

  private static double value(FuzzedDataProvider d) {
    return d.consumeBoolean()
        ? d.consumeDouble()
        : SPECIAL_DOUBLES[d.consumeInt(0, SPECIAL_DOUBLES.length - 1)];
  }

  private static JointState positions(JointState js, FuzzedDataProvider d) {
    JointState.Builder b = js.toBuilder();
    int i = d.consumeInt(0, 4);
    if (i < b.getPositionsRadCount()) {
      b.setPositionsRad(i, value(d));
    } else if (i == 4 && b.getPositionsRadCount() > 0) {
      List<Double> kept = b.getPositionsRadList().subList(0, b.getPositionsRadCount() - 1);
      b.clearPositionsRad().addAllPositionsRad(List.copyOf(kept));
    } else {
      b.addPositionsRad(value(d));
    }
    return b.build();
  }

  private static JointState names(JointState js, FuzzedDataProvider d) {
    List<String> robot = Seeds.ROBOT.jointNames();
    List<String> names =
        switch (d.consumeInt(0, 6)) {
          case 0 -> robot;
          case 1 -> List.of();
          case 2 -> List.of(robot.get(2), robot.get(1), robot.get(0));
          case 3 -> List.of(robot.get(0), robot.get(1));
          case 4 -> List.of(robot.get(0), robot.get(1), robot.get(2), "gripper");
          case 5 -> List.of(robot.get(0), robot.get(0), robot.get(2));
          default -> List.of(d.consumeString(20), d.consumeString(20), d.consumeString(20));
        };
    return js.toBuilder().clearNames().addAllNames(names).build();
  }

  private static JointState velocities(JointState js, FuzzedDataProvider d) {
    JointState.Builder b = js.toBuilder().clearVelocitiesRadPerS();
    int n = d.consumeInt(0, 4);
    for (int i = 0; i < n; i++) {
      b.addVelocitiesRadPerS(value(d));
    }
    return b.setStampNanos(d.consumeLong()).build();
  }

  private static int size(FuzzedDataProvider d) {
    return switch (d.consumeInt(0, 3)) {
      case 0 -> 0;
      case 1 -> d.consumeInt(-2, 70);
      case 2 ->
          d.pickValue(
              new Integer[] {
                Seeds.SEED_WIDTH_PX,
                Seeds.SEED_HEIGHT_PX,
                8192,
                8193,
                65_536,
                Integer.MAX_VALUE,
                Integer.MIN_VALUE,
                -1
              });
      default -> d.consumeInt();
    };
  }

  /**
   * A new frame: raw RGB8 of a fuzzed size, the seed PNG or JPEG, or fuzzed bytes under any
   * encoding.
   */
  private Frame frame(FuzzedDataProvider d) {
    switch (d.consumeInt(0, 3)) {
      case 0 -> {
        int w = d.consumeBoolean() ? d.consumeInt(0, MAX_RAW_SIDE_PX) : Seeds.RAW_WIDTH_PX;
        int h = d.consumeBoolean() ? d.consumeInt(0, MAX_RAW_SIDE_PX) : Seeds.RAW_HEIGHT_PX;
        int exact = w * h * 3;
        int length =
            switch (d.consumeInt(0, 4)) {
              case 0 -> exact;
              case 1 -> Math.max(0, exact - 1);
              case 2 -> exact + 1;
              case 3 -> 0;
              default -> exact * 2;
            };
        byte[] rgb = new byte[length];
        for (int i = 0; i < rgb.length; i++) {
          rgb[i] = seeds.rawRgb[i % seeds.rawRgb.length];
        }
        byte[] noise = d.consumeBytes(32);
        System.arraycopy(noise, 0, rgb, 0, Math.min(noise.length, rgb.length));
        return Frame.newBuilder()
            .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
            .setWidthPx(w)
            .setHeightPx(h)
            .setData(ByteString.copyFrom(rgb))
            .build();
      }
      case 1 -> {
        return Seeds.encoded(FrameEncoding.FRAME_ENCODING_PNG, mutate(seeds.png, d));
      }
      case 2 -> {
        return Seeds.encoded(FrameEncoding.FRAME_ENCODING_JPEG, mutate(seeds.jpeg, d));
      }
      default -> {
        return Frame.newBuilder()
            .setEncodingValue(d.consumeInt(0, 3))
            .setWidthPx(size(d))
            .setHeightPx(size(d))
            .setData(ByteString.copyFrom(d.consumeBytes(2048)))
            .build();
      }
    }
  }

  /**
   * {@code data} with 0..6 byte-level mutations chosen by {@code d}; the seed itself when there is
   * no data.
   */
  static byte[] mutate(byte[] data, FuzzedDataProvider d) {
    byte[] out = data.clone();
    int n = d.consumeInt(0, 6);
    for (int i = 0; i < n; i++) {
      int len = out.length;
      switch (d.consumeInt(0, 5)) {
        case 0 -> {
          if (len > 0) {
            out[d.consumeInt(0, len - 1)] = d.consumeByte();
          }
        }
        case 1 -> out = Arrays.copyOf(out, d.consumeInt(0, len));
        case 2 -> {
          int at = d.consumeInt(0, len);
          byte[] ins = d.consumeBytes(64);
          byte[] grown = new byte[len + ins.length];
          System.arraycopy(out, 0, grown, 0, at);
          System.arraycopy(ins, 0, grown, at, ins.length);
          System.arraycopy(out, at, grown, at + ins.length, len - at);
          out = grown;
        }
        case 3 -> {
          if (len >= 4) {
            int at = d.consumeInt(0, len - 4);
            int v = d.consumeBoolean() ? d.consumeInt() : d.consumeInt(0, 70_000);
            out[at] = (byte) (v >>> 24);
            out[at + 1] = (byte) (v >>> 16);
            out[at + 2] = (byte) (v >>> 8);
            out[at + 3] = (byte) v;
          }
        }
        case 4 -> {
          if (len > 0) {
            int from = d.consumeInt(0, len - 1);
            int to = d.consumeInt(from, len);
            byte[] cut = new byte[len - (to - from)];
            System.arraycopy(out, 0, cut, 0, from);
            System.arraycopy(out, to, cut, from, len - to);
            out = cut;
          }
        }
        default -> repairPngCrcs(out);
      }
    }
    return out;
  }

  /**
   * Rewrites the CRC of every complete PNG chunk, so a mutated header or palette reaches the
   * decoder.
   */
  static void repairPngCrcs(byte[] png) {
    int at = 8;
    while (at + 12 <= png.length) {
      long len =
          ((png[at] & 0xffL) << 24)
              | ((png[at + 1] & 0xff) << 16)
              | ((png[at + 2] & 0xff) << 8)
              | (png[at + 3] & 0xff);
      if (len > png.length - at - 12) {
        return;
      }
      CRC32 crc = new CRC32();
      crc.update(png, at + 4, (int) len + 4);
      int c = (int) crc.getValue();
      int p = at + 8 + (int) len;
      png[p] = (byte) (c >>> 24);
      png[p + 1] = (byte) (c >>> 16);
      png[p + 2] = (byte) (c >>> 8);
      png[p + 3] = (byte) c;
      at = p + 4;
    }
  }
}
