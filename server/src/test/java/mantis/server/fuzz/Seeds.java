package mantis.server.fuzz;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.proto.v1.Frame;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.JointState;
import mantis.proto.v1.Observation;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.wire.ProtoMapping;

/**
 * The valid starting points of every fuzz target: a tiny PNG and JPEG of a sim scene (committed
 * under {@code src/test/resources/mantis/server/fuzz/}, written by {@link FuzzSeeds}) and a few
 * valid observations built from them and from a rendered frame. Fuzzers mutate these; with no fuzz
 * data they are sent as they are.
 */
final class Seeds {
  static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  static final String INSTRUCTION = "push the red block to the left";

  /** Size of the tiny PNG and JPEG seeds. */
  static final int SEED_WIDTH_PX = 32;

  static final int SEED_HEIGHT_PX = 24;

  /** Size of the raw seed frame. */
  static final int RAW_WIDTH_PX = 64;

  static final int RAW_HEIGHT_PX = 48;

  /** Loaded on first use, so {@link FuzzSeeds} can write the images before anything reads them. */
  private static final class Holder {
    static final Seeds INSTANCE = new Seeds();
  }

  final byte[] png;
  final byte[] jpeg;
  final byte[] rawRgb;
  private final List<Observation> bases;

  private Seeds() {
    png = resource("seed-frame.png");
    jpeg = resource("seed-frame.jpg");
    rawRgb = render(RAW_WIDTH_PX, RAW_HEIGHT_PX).rgb();
    Observation.Builder valid =
        Observation.newBuilder()
            .setRobotId("arm-1")
            .setEpisodeId("fuzz-1")
            .setStep(0)
            .setInstruction(INSTRUCTION)
            .setJointState(joints(0.1, -0.4, 0.3))
            .setCaptureTimeNanos(1_000)
            .setSendTimeNanos(2_000);
    bases =
        List.of(
            valid.clone().addFrames(rawFrame()).build(),
            valid.clone().addFrames(encoded(FrameEncoding.FRAME_ENCODING_PNG, png)).build(),
            valid.clone().addFrames(encoded(FrameEncoding.FRAME_ENCODING_JPEG, jpeg)).build(),
            valid
                .clone()
                .addFrames(rawFrame())
                .addFrames(encoded(FrameEncoding.FRAME_ENCODING_PNG, png))
                .setJointState(
                    joints(-2.5, 2.5, 0.0).toBuilder()
                        .addVelocitiesRadPerS(1.5)
                        .addVelocitiesRadPerS(-2.0)
                        .addVelocitiesRadPerS(0.5))
                .build());
  }

  static Seeds get() {
    return Holder.INSTANCE;
  }

  /** Valid observations: raw RGB8, PNG, JPEG, and raw + PNG with a moving arm near its limits. */
  List<Observation> bases() {
    return bases;
  }

  Frame rawFrame() {
    return Frame.newBuilder()
        .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
        .setWidthPx(RAW_WIDTH_PX)
        .setHeightPx(RAW_HEIGHT_PX)
        .setData(ByteString.copyFrom(rawRgb))
        .setCameraId("overhead")
        .build();
  }

  static Frame encoded(FrameEncoding encoding, byte[] data) {
    return Frame.newBuilder()
        .setEncoding(encoding)
        .setData(ByteString.copyFrom(data))
        .setCameraId("overhead")
        .build();
  }

  static JointState joints(double... positionsRad) {
    JointState.Builder b =
        JointState.newBuilder().addAllNames(ROBOT.jointNames()).setStampNanos(1_000);
    for (double p : positionsRad) {
      b.addPositionsRad(p);
    }
    return b.build();
  }

  /** A rendered push scene (seed 3) at {@code w} x {@code h}. */
  static mantis.core.Frame render(int w, int h) {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(3, TaskFamily.PUSH_TO_TARGET);
    return sim.render(w, h);
  }

  /** The PNG of a rendered scene, as the sim client sends it. */
  static byte[] renderPng(int w, int h) {
    return ProtoMapping.pngBytes(render(w, h));
  }

  private static byte[] resource(String name) {
    try (InputStream in = Seeds.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing test resource mantis/server/fuzz/"
                + name
                + "; regenerate with FuzzSeeds (docs/FUZZING.md)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
