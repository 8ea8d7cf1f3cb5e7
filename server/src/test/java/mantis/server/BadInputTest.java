package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.Frame;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.JointState;
import mantis.proto.v1.Observation;
import mantis.server.policy.HoldPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input is refused with INVALID_ARGUMENT and a precise description; the server
 * keeps serving.
 */
class BadInputTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.started(HoldPolicy.create(TestServer.ROBOT, MonotonicClock.system()));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @AfterEach
  void serverStillServesAValidObservation() {
    ActionChunk chunk = server.blocking().predict(Observations.valid().build());
    assertEquals(3, chunk.getJointNamesCount());
    assertFalse(chunk.getPointsList().isEmpty());
  }

  private static void assertInvalid(Observation obs, String... phrases) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> server.blocking().predict(obs));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    String d = e.getStatus().getDescription();
    for (String p : phrases) {
      assertTrue(
          d != null && d.contains(p), "description \"" + d + "\" should mention \"" + p + "\"");
    }
    assertFalse(d.contains("\tat "), "no stack trace in the description");
  }

  private static Observation withFrame(Frame f) {
    return Observations.valid().clearFrames().addFrames(f).build();
  }

  @Test
  void malformedPngIsRejected() {
    byte[] junk = new byte[200];
    byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    System.arraycopy(magic, 0, junk, 0, magic.length);
    Arrays.fill(junk, 8, junk.length, (byte) 0x5a);
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_PNG, junk)),
        "frames[0]",
        "PNG");
  }

  @Test
  void truncatedPngIsRejected() throws Exception {
    byte[] png = Observations.encode("png", 64, 48);
    byte[] cut = Arrays.copyOf(png, png.length * 2 / 3);
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_PNG, cut)),
        "frames[0]",
        "truncated or corrupt PNG");
  }

  @Test
  void truncatedJpegIsRejected() throws Exception {
    byte[] jpeg = Observations.encode("jpeg", 64, 48);
    byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 9 / 10);
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_JPEG, cut)),
        "frames[0]",
        "truncated or corrupt JPEG");
    byte[] headerOnly = Arrays.copyOf(jpeg, 40);
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_JPEG, headerOnly)),
        "frames[0]",
        "truncated or corrupt JPEG",
        "unreadable header");
  }

  @Test
  void pngBytesDeclaredAsJpegAreRejected() throws Exception {
    byte[] png = Observations.encode("png", 16, 16);
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_JPEG, png)),
        "not a JPEG file",
        "89 50 4E 47");
  }

  @Test
  void emptyEncodedFrameIsRejected() {
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_PNG, new byte[0])),
        "no data");
  }

  @Test
  void unsetEncodingIsRejected() {
    Frame f =
        Observations.rawFrame(8, 8).toBuilder()
            .setEncoding(FrameEncoding.FRAME_ENCODING_UNSPECIFIED)
            .build();
    assertInvalid(withFrame(f), "frames[0].encoding is not set");
  }

  @Test
  void unknownEncodingIsRejected() {
    Frame f = Observations.rawFrame(8, 8).toBuilder().setEncodingValue(42).build();
    assertInvalid(withFrame(f), "unknown value 42");
  }

  @Test
  void zeroSizedRawFrameIsRejected() {
    Frame f =
        Frame.newBuilder()
            .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
            .setWidthPx(0)
            .setHeightPx(24)
            .setData(ByteString.EMPTY)
            .build();
    assertInvalid(withFrame(f), "0x24", "must be >= 1");
  }

  @Test
  void absurdRawFrameSizeIsRejected() {
    Frame f =
        Frame.newBuilder()
            .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
            .setWidthPx(100_000)
            .setHeightPx(100_000)
            .setData(ByteString.copyFrom(new byte[30]))
            .build();
    assertInvalid(withFrame(f), "100000x100000", "too large");
  }

  @Test
  void encodedImageClaimingAnAbsurdSizeIsRejectedBeforeDecoding() throws Exception {
    byte[] png = Observations.encode("png", 8, 8);
    // IHDR data starts at byte 16: width, height (big-endian), then the chunk's CRC at 29.
    writeInt(png, 16, 60_000);
    writeInt(png, 20, 60_000);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17);
    writeInt(png, 29, (int) crc.getValue());
    assertInvalid(
        withFrame(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_PNG, png)),
        "60000x60000",
        "too large");
  }

  @Test
  void rawByteCountThatIsNotWidthTimesHeightTimesThreeIsRejected() {
    Frame f =
        Observations.rawFrame(32, 24).toBuilder()
            .setData(ByteString.copyFrom(new byte[32 * 24 * 3 - 1]))
            .build();
    assertInvalid(withFrame(f), "32x24", "2304 bytes", "got 2303");
  }

  @Test
  void encodedSizeHintThatDisagreesWithTheImageIsRejected() throws Exception {
    Frame f =
        Observations.encodedFrame(
                FrameEncoding.FRAME_ENCODING_PNG, Observations.encode("png", 16, 12))
            .toBuilder()
            .setWidthPx(17)
            .build();
    assertInvalid(withFrame(f), "width_px says 17", "has 16");
  }

  @Test
  void observationWithoutFramesIsRejected() {
    assertInvalid(Observations.valid().clearFrames().build(), "no frames");
  }

  @Test
  void wrongJointCountIsRejected() {
    assertInvalid(
        Observations.valid()
            .setJointState(JointState.newBuilder().addPositionsRad(0).addPositionsRad(0))
            .build(),
        "2 positions",
        "3 joints");
  }

  @Test
  void wrongJointNamesAreRejected() {
    JointState js = Observations.joints(0, 0, 0).toBuilder().setNames(2, "gripper").build();
    assertInvalid(Observations.valid().setJointState(js).build(), "gripper", "do not match");
  }

  @Test
  void missingJointStateIsRejected() {
    assertInvalid(Observations.valid().clearJointState().build(), "joint_state is missing");
  }

  @Test
  void nanJointPositionIsRejected() {
    assertInvalid(
        Observations.valid().setJointState(Observations.joints(0, Double.NaN, 0)).build(),
        "positions_rad[1] (elbow) is NaN",
        "finite");
  }

  @Test
  void infiniteJointVelocityIsRejected() {
    JointState js =
        Observations.joints(0, 0, 0).toBuilder()
            .addVelocitiesRadPerS(0)
            .addVelocitiesRadPerS(0)
            .addVelocitiesRadPerS(Double.NEGATIVE_INFINITY)
            .build();
    assertInvalid(
        Observations.valid().setJointState(js).build(),
        "velocities_rad_per_s[2] (wrist) is -Infinity");
  }

  @Test
  void emptyInstructionIsRejected() {
    assertInvalid(Observations.valid().setInstruction("  ").build(), "instruction is empty");
  }

  @Test
  void negativeStepIsRejected() {
    assertInvalid(Observations.valid().setStep(-3).build(), "step is -3");
  }

  @Test
  void badObservationInsideAControlStreamEndsItWithInvalidArgument() throws Exception {
    var collector = new StreamCollector();
    var in = server.async().control(collector);
    in.onNext(Observations.valid().build());
    in.onNext(Observations.valid().setStep(1).setInstruction("").build());
    Status status = collector.awaitEnd(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertTrue(status.getDescription().contains("instruction is empty"), status.getDescription());
    assertEquals(1, collector.chunks().size(), "the good observation was answered first");
  }

  private static void writeInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
