package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.proto.v1.FrameEncoding;
import org.junit.jupiter.api.Test;

/**
 * A progressive JPEG is decoded scan by scan, each scan a pass over every block of the image
 * however few bytes it takes: a small JPEG with hundreds of near-empty scans cost seconds of CPU.
 * Such JPEGs are refused before decoding.
 */
class ProgressiveJpegTest {
  private static mantis.proto.v1.Observation withJpeg(byte[] jpeg) {
    return Observations.valid()
        .clearFrames()
        .addFrames(Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_JPEG, jpeg))
        .build();
  }

  @Test
  void aStandardProgressiveJpegIsDecodedButOneWithHundredsOfScansIsRefusedBeforeDecoding()
      throws Exception {
    byte[] standard = ProgressiveJpegs.progressive(256, 192);
    int own = FrameDecoder.countScans(standard, Integer.MAX_VALUE);
    assertTrue(own >= 2 && own <= 16, "libjpeg's default progressive script: " + own + " scans");
    byte[] many = ProgressiveJpegs.withExtraScans(standard, 256, 192, 400);
    assertEquals(own + 400, FrameDecoder.countScans(many, Integer.MAX_VALUE));
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))) {
      assertEquals("arm-1", s.blocking().predict(withJpeg(standard)).getRobotId());
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> s.blocking().predict(withJpeg(many)));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertEquals(
          "frames[0]: JPEG has more than 64 scans (SOS markers); this server decodes at most 64 per image, "
              + "since every scan costs a pass over the whole image; send a baseline JPEG or a standard progressive one "
              + "(about 10 scans)",
          e.getStatus().getDescription());

      e = assertThrows(StatusRuntimeException.class, () -> s.blocking().annotate(withJpeg(many)));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "Annotate too");

      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(withJpeg(many));
      Status st = out.awaitEnd(5, TimeUnit.SECONDS);
      assertEquals(Status.Code.INVALID_ARGUMENT, st.getCode(), "and Control");
      assertTrue(st.getDescription().contains("JPEG has more than 64 scans"), st.getDescription());
    }
  }

  @Test
  void markerBytesInsideAnApplicationSegmentAreNotCountedAsScans() throws Exception {
    byte[] baseline = Observations.encode("jpeg", 64, 48);
    // An APP1 segment (like an EXIF thumbnail) full of FF DA pairs, after the JFIF APP0 segment.
    int at = 4 + ((baseline[4] & 0xff) << 8 | (baseline[5] & 0xff));
    byte[] payload = new byte[2000];
    for (int i = 0; i + 1 < payload.length; i += 2) {
      payload[i] = (byte) 0xFF;
      payload[i + 1] = (byte) 0xDA;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(baseline, 0, at);
    out.write(0xFF);
    out.write(0xE1);
    out.write((payload.length + 2) >> 8);
    out.write((payload.length + 2) & 0xff);
    out.writeBytes(payload);
    out.write(baseline, at, baseline.length - at);
    byte[] withApp = out.toByteArray();
    assertEquals(1, FrameDecoder.countScans(withApp, Integer.MAX_VALUE));
    FrameDecoder.checkScans(withApp, "frames[0]");
    assertNotNull(
        new FrameDecoder(4096, 16_777_216)
            .decode(
                Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_JPEG, withApp),
                "frames[0]"));
  }
}
