package mantis.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.Test;

class ProtoMappingTest {
  private static final List<String> JOINTS = List.of("a", "b");

  private static Frame frame(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 37 + 11);
    }
    return Frame.ofRgb(w, h, rgb);
  }

  private static ActionChunk chunk() {
    return new ActionChunk(
        JOINTS,
        List.of(
            new ActionPoint(new double[] {0.1, -0.2}, 10_000_000),
            new ActionPoint(new double[] {0.3, 0.4}, 20_000_000)),
        123_456_789L,
        new int[] {3, 1, 4, 1},
        List.of(
            new Mark(2, new PixelPoint(10.5, 20.25), new PixelBox(1, 2, 30, 40), 1200, 0xFF8800)),
        List.of(new Trace(2, List.of(new PixelPoint(10.5, 20.25), new PixelPoint(12, 22)))),
        "v7",
        Map.of("policy", 5L));
  }

  @Test
  void aJointStateKeepsNamesPositionsVelocitiesAndStamp() {
    mantis.proto.v1.JointState w =
        ProtoMapping.toProto(
            new JointState(JOINTS, new double[] {0.5, -1.5}, new double[] {0.01, 0.02}, 42));
    assertEquals(JOINTS, w.getNamesList());
    assertEquals(List.of(0.5, -1.5), w.getPositionsRadList());
    assertEquals(List.of(0.01, 0.02), w.getVelocitiesRadPerSList());
    assertEquals(42, w.getStampNanos());
  }

  @Test
  void aJointStateWithoutVelocitiesSendsNone() {
    mantis.proto.v1.JointState w =
        ProtoMapping.toProto(JointState.ofPositions(JOINTS, new double[] {1, 2}, 7));
    assertEquals(0, w.getVelocitiesRadPerSCount());
    assertEquals(2, w.getPositionsRadCount());
  }

  @Test
  void aRawFrameCarriesItsPixelsAsTheyAre() {
    Frame f = frame(5, 3);
    mantis.proto.v1.Frame w = ProtoMapping.toRawRgb8(f);
    assertEquals(FrameEncoding.FRAME_ENCODING_RAW_RGB8, w.getEncoding());
    assertEquals(5, w.getWidthPx());
    assertEquals(3, w.getHeightPx());
    assertArrayEquals(f.rgb(), w.getData().toByteArray());
  }

  @Test
  void aPngFrameDecodesToTheSamePixels() throws IOException {
    Frame f = frame(7, 4);
    mantis.proto.v1.Frame w = ProtoMapping.toPng(f);
    assertEquals(FrameEncoding.FRAME_ENCODING_PNG, w.getEncoding());
    assertEquals(7, w.getWidthPx());
    assertEquals(4, w.getHeightPx());
    assertArrayEquals(ProtoMapping.pngBytes(f), w.getData().toByteArray());
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(w.getData().toByteArray()));
    assertEquals(7, img.getWidth());
    assertEquals(4, img.getHeight());
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals(f.rgbAt(x, y), img.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void anObservationCarriesEveryFieldWithRawFramesAndTheGivenSendTime() {
    JointState js = new JointState(JOINTS, new double[] {0.1, 0.2}, new double[] {0.3, 0.4}, 99);
    Observation obs =
        new Observation(
            "arm1",
            "ep3",
            17,
            List.of(frame(2, 2), frame(3, 1)),
            "push the red block",
            js,
            1000,
            2000);
    mantis.proto.v1.Observation w = ProtoMapping.toProto(obs, 5555);
    assertEquals("arm1", w.getRobotId());
    assertEquals("ep3", w.getEpisodeId());
    assertEquals(17, w.getStep());
    assertEquals("push the red block", w.getInstruction());
    assertEquals(1000, w.getCaptureTimeNanos());
    assertEquals(5555, w.getSendTimeNanos());
    assertEquals(2, w.getFramesCount());
    assertEquals(ProtoMapping.toRawRgb8(obs.frames().get(1)), w.getFrames(1));
    assertEquals(ProtoMapping.toProto(js), w.getJointState());
  }

  @Test
  void
      aChunkBuilderCarriesPointsValidityTokensVersionMarksAndTracesButLeavesTheSendersFieldsUnset() {
    mantis.proto.v1.ActionChunk w = ProtoMapping.toProtoBuilder(chunk()).build();
    assertEquals(JOINTS, w.getJointNamesList());
    assertEquals(2, w.getPointsCount());
    assertEquals(List.of(0.1, -0.2), w.getPoints(0).getPositionsRadList());
    assertEquals(20_000_000, w.getPoints(1).getTimeFromStartNanos());
    assertEquals(123_456_789L, w.getValidUntilNanos());
    assertEquals(List.of(3, 1, 4, 1), w.getLatentTokensList());
    assertEquals("v7", w.getModelVersion());
    assertEquals(1, w.getMarksCount());
    assertEquals(2, w.getMarks(0).getId());
    assertEquals(30, w.getMarks(0).getBox().getWidthPx());
    assertEquals(0xFF8800, w.getMarks(0).getMeanRgb());
    assertEquals(1200, w.getMarks(0).getAreaPx());
    assertEquals(1, w.getTracesCount());
    assertEquals(2, w.getTraces(0).getPointsCount());
    assertEquals(0, w.getValidForNanos());
    assertEquals(0, w.getStageTimingsCount());
    assertFalse(w.getHeld());
    assertEquals("", w.getRobotId());
  }

  @Test
  void stageTimingsKeepTheMapOrder() {
    Map<String, Long> stages = new LinkedHashMap<>();
    stages.put("decode", 3L);
    stages.put("policy", 1L);
    stages.put("safety", 2L);
    mantis.proto.v1.ActionChunk w =
        ProtoMapping.addStageTimings(mantis.proto.v1.ActionChunk.newBuilder(), stages).build();
    assertEquals(3, w.getStageTimingsCount());
    assertEquals("decode", w.getStageTimings(0).getStage());
    assertEquals(3, w.getStageTimings(0).getDurationNanos());
    assertEquals("safety", w.getStageTimings(2).getStage());
  }

  @Test
  void aChunkRoundTripsExceptValidityWhichCountsFromTheReceiversReference() {
    ActionChunk sent = chunk();
    mantis.proto.v1.ActionChunk w =
        ProtoMapping.toProtoBuilder(sent).setValidForNanos(50_000_000).build();
    ActionChunk got = ProtoMapping.chunkFromProto(w, 1_000_000_000L);
    assertEquals(sent.jointNames(), got.jointNames());
    assertEquals(sent.points().size(), got.points().size());
    for (int i = 0; i < sent.points().size(); i++) {
      assertArrayEquals(sent.points().get(i).positionsRad(), got.points().get(i).positionsRad());
      assertEquals(
          sent.points().get(i).timeFromStartNanos(), got.points().get(i).timeFromStartNanos());
    }
    assertArrayEquals(sent.latentTokens(), got.latentTokens());
    assertEquals(sent.marks(), got.marks());
    assertEquals(sent.traces(), got.traces());
    assertEquals("v7", got.modelVersion());
    assertEquals(1_050_000_000L, got.validUntilNanos());
    assertTrue(got.stageNanos().isEmpty());
  }

  @Test
  void aChunkWithoutPositiveValidityIsAlreadyExpiredAtTheReference() {
    ActionChunk zero =
        ProtoMapping.chunkFromProto(
            mantis.proto.v1.ActionChunk.newBuilder()
                .setValidForNanos(0)
                .setValidUntilNanos(9_999)
                .build(),
            500);
    ActionChunk negative =
        ProtoMapping.chunkFromProto(
            mantis.proto.v1.ActionChunk.newBuilder().setValidForNanos(-7).build(), 500);
    assertEquals(500, zero.validUntilNanos());
    assertEquals(500, negative.validUntilNanos());
  }

  @Test
  void aChunkValidityThatWouldOverflowSaturates() {
    ActionChunk c =
        ProtoMapping.chunkFromProto(
            mantis.proto.v1.ActionChunk.newBuilder().setValidForNanos(Long.MAX_VALUE).build(), 10);
    assertEquals(Long.MAX_VALUE, c.validUntilNanos());
  }

  @Test
  void nonFinitePositionsAndRaggedPointsAreCarriedForTheSafetyFilterToJudge() {
    mantis.proto.v1.ActionChunk w =
        mantis.proto.v1.ActionChunk.newBuilder()
            .addAllJointNames(JOINTS)
            .addPoints(
                mantis.proto.v1.ActionPoint.newBuilder()
                    .addPositionsRad(Double.NaN)
                    .setTimeFromStartNanos(-5))
            .addPoints(
                mantis.proto.v1.ActionPoint.newBuilder()
                    .addPositionsRad(Double.POSITIVE_INFINITY)
                    .addPositionsRad(1)
                    .addPositionsRad(2))
            .build();
    ActionChunk c = ProtoMapping.chunkFromProto(w, 0);
    assertEquals(2, c.points().size());
    assertTrue(Double.isNaN(c.points().get(0).positionRad(0)));
    assertEquals(-5, c.points().get(0).timeFromStartNanos());
    assertEquals(3, c.points().get(1).size());
  }

  @Test
  void marksACoreMarkCannotHoldAreDroppedAndTheOthersKept() {
    mantis.proto.v1.Mark good =
        ProtoMapping.toProto(new Mark(1, new PixelPoint(1, 2), new PixelBox(0, 0, 3, 4), 12, 0));
    mantis.proto.v1.ActionChunk w =
        mantis.proto.v1.ActionChunk.newBuilder()
            .addMarks(good.toBuilder().setId(0))
            .addMarks(good.toBuilder().setId(-3))
            .addMarks(good.toBuilder().setBox(good.getBox().toBuilder().setWidthPx(-1)))
            .addMarks(good.toBuilder().setBox(good.getBox().toBuilder().setHeightPx(-0.5)))
            .addMarks(good.toBuilder().setBox(good.getBox().toBuilder().setWidthPx(Double.NaN)))
            .addMarks(good)
            .build();
    ActionChunk c = ProtoMapping.chunkFromProto(w, 0);
    assertEquals(
        List.of(new Mark(1, new PixelPoint(1, 2), new PixelBox(0, 0, 3, 4), 12, 0)), c.marks());
  }

  @Test
  void aPolicyInfoCarriesTheCardAndTheRobotName() {
    PolicyInfo info = new PolicyInfo("visual-servo", "1.2", JOINTS, 128, 96, 8, "{\"x\":1}");
    mantis.proto.v1.PolicyInfo w = ProtoMapping.toProto(info, "tabletop-6dof");
    assertEquals("visual-servo", w.getName());
    assertEquals("1.2", w.getVersion());
    assertEquals(JOINTS, w.getJointNamesList());
    assertEquals(128, w.getInputWidthPx());
    assertEquals(96, w.getInputHeightPx());
    assertEquals(8, w.getChunkLength());
    assertEquals("{\"x\":1}", w.getCardJson());
    assertEquals("tabletop-6dof", w.getRobotName());
  }

  @Test
  void aPixelPointRoundTrips() {
    PixelPoint p = new PixelPoint(-1.5, 1e6);
    assertEquals(p, ProtoMapping.fromProto(ProtoMapping.toProto(p)));
  }

  @Test
  void aMissingArgumentIsNamed() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> ProtoMapping.chunkFromProto(null, 0));
    assertEquals("wire", e.getMessage());
    assertThrows(NullPointerException.class, () -> ProtoMapping.toProto((JointState) null));
    assertThrows(
        NullPointerException.class,
        () -> ProtoMapping.toProto(new PolicyInfo("p", "1", JOINTS, 1, 1, 1, "{}"), null));
  }
}
