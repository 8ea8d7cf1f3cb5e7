package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import mantis.core.FakeClock;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.marks.MarkProposer;
import mantis.marks.Proposal;
import mantis.proto.v1.FrameEncoding;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: eight valid 4096x4096 PNGs in one 392 KB request cost 8.6 s of CPU and 600 MB of memory
 * kept.
 */
class DecodeBudgetTest {
  private static byte[] png4096;

  /** A valid 4096x4096 PNG of a few colour bands (compresses to a few KB, decodes to 16.7 Mpx). */
  @BeforeAll
  static void makePng() throws Exception {
    BufferedImage img = new BufferedImage(4096, 4096, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < 4096; y++) {
      byte r = (byte) (y < 2048 ? 200 : 40);
      for (int x = 0; x < 4096; x++) {
        int i = (y * 4096 + x) * 3;
        bgr[i] = (byte) (x < 2048 ? 30 : 220);
        bgr[i + 1] = 90;
        bgr[i + 2] = r;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    png4096 = out.toByteArray();
  }

  private static mantis.proto.v1.Frame png() {
    return Observations.encodedFrame(FrameEncoding.FRAME_ENCODING_PNG, png4096);
  }

  @Test
  void eightValid4096PngsInOneRequestAreRefusedBeforeAnyPixelIsDecoded() throws Exception {
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))) {
      var obs = Observations.valid().clearFrames();
      for (int i = 0; i < 8; i++) {
        obs.addFrames(png());
      }
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> s.blocking().predict(obs.build()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(
          e.getStatus()
              .getDescription()
              .startsWith(
                  "decode budget per request exceeded: 8 frames of "
                      + "4096x4096 px = 134,217,728 px to decode; this server decodes at most 16,777,216 px per request "
                      + "(admission.decode_pixels_per_request)"),
          e.getStatus().getDescription());
      assertTrue(
          s.server
              .scrapeMetrics()
              .contains("mantis_decode_budget_refusals_total{budget=\"per_request\"} 1.0"));
    }
  }

  @Test
  void aBigPngIsDecodedSubsampledStraightToAboutThePolicyInputSize() throws Exception {
    assertEquals(8, ObservationDecoder.subsample(4096, 128));
    assertEquals(
        1, ObservationDecoder.subsample(640, 128), "small frames are decoded whole, as before");
    FrameDecoder decoder = new FrameDecoder(8192, 4096L * 4096L);
    try (FrameDecoder.Opened o = decoder.open(png(), "frames[0]")) {
      assertEquals(4096, o.widthPx());
      Frame f = o.decode(8, 8);
      assertEquals(512, f.widthPx());
      assertEquals(512, f.heightPx());
      int[] topRight = pixel(f, 500, 10);
      assertEquals(200, topRight[0]);
      assertEquals(220, topRight[2]);
    }
    ObservationDecoder obsDecoder =
        new ObservationDecoder(
            TestServer.ROBOT,
            decoder,
            128,
            128,
            new DecodeBudget(16_777_216L, 100_000_000L, MonotonicClock.system(), null));
    mantis.core.Observation o =
        obsDecoder.decode(Observations.valid().clearFrames().addFrames(png()).build());
    Frame f = o.frame();
    assertEquals(128, f.widthPx());
    assertEquals(40, pixel(f, 10, 120)[0], "bottom-left band");
    assertEquals(30, pixel(f, 10, 120)[2]);
  }

  private static int[] pixel(Frame f, int x, int y) {
    byte[] rgb = f.rgbUnsafe();
    int i = (y * f.widthPx() + x) * 3;
    return new int[] {rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff};
  }

  @Test
  void thePerSecondBudgetRefusesPredictAndHoldsAControlStepUntilItRefills() throws Exception {
    FakeClock clock = new FakeClock(1_000_000_000L);
    // 1 Mpx per request and per second; a 640x480 frame is 307,200 px.
    try (TestServer s =
        new TestServer(
            TestServer.builder(TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, clock))
                .optClock(clock)
                .optAdmission(Admissions.decode(1_000_000, 1_000_000))
                .optWatchdogTimeoutNanos(60_000_000_000L))) {
      assertTrue(s.server.awaitServing(10, TimeUnit.SECONDS));
      clock.advanceMillis(1000); // refill after warm-up
      var obs =
          Observations.valid().clearFrames().addFrames(Observations.rawFrame(640, 480)).build();
      for (int i = 0; i < 3; i++) {
        s.blocking().predict(obs);
      }
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> s.blocking().predict(obs));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(
          e.getStatus()
              .getDescription()
              .contains(
                  "decode budget per second exhausted: 1 frame of 640x480 px "
                      + "= 307,200 px to decode, 78,400 px left now; this server decodes at most 1,000,000 px per second across "
                      + "all clients (admission.decode_pixels_per_second); retry in about 229 ms"),
          e.getStatus().getDescription());

      StreamCollector out = new StreamCollector();
      var in = s.async().control(out);
      in.onNext(obs.toBuilder().setStep(0).setSendTimeNanos(clock.nanoTime()).build());
      mantis.proto.v1.ActionChunk held = out.next(5, TimeUnit.SECONDS);
      assertNotNull(held);
      assertTrue(held.getHeld());
      assertEquals("OVERLOADED", held.getInterventions(0).getKind());
      assertTrue(
          held.getInterventions(0).getDetail().contains("decode budget per second exhausted"));
      clock.advanceMillis(1000);
      in.onNext(obs.toBuilder().setStep(1).setSendTimeNanos(clock.nanoTime()).build());
      mantis.proto.v1.ActionChunk next = out.next(5, TimeUnit.SECONDS);
      assertFalse(next.getHeld(), "the stream goes on once the budget refilled");
      assertEquals(1, next.getStep());
      in.onCompleted();
      assertEquals(Status.Code.OK, out.awaitEnd(5, TimeUnit.SECONDS).getCode());
      assertEquals("arm-1", s.blocking().predict(obs).getRobotId(), "Predict passes again too");
    }
  }

  @Test
  void annotateShrinksAHugeFrameButAnswersMarksInItsOwnPixels() throws Exception {
    TabletopSim sim = TabletopSim.create(SimConfig.defaults());
    sim.reset(3, TaskFamily.REACH);
    Frame small = sim.render(512, 512);
    byte[] src = small.rgbUnsafe();
    byte[] big = new byte[2048 * 2048 * 3];
    for (int y = 0; y < 2048; y++) {
      for (int x = 0; x < 2048; x++) {
        System.arraycopy(src, ((y / 4) * 512 + x / 4) * 3, big, (y * 2048 + x) * 3, 3);
      }
    }
    mantis.proto.v1.Frame frame =
        mantis.proto.v1.Frame.newBuilder()
            .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
            .setWidthPx(2048)
            .setHeightPx(2048)
            .setData(ByteString.copyFrom(big))
            .build();
    try (TestServer s =
        TestServer.started(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()))) {
      mantis.proto.v1.Annotation a =
          s.blocking()
              .annotate(
                  Observations.valid()
                      .clearFrames()
                      .addFrames(frame)
                      .setAnnotateWithImage(true)
                      .build());
      assertEquals(1024, a.getAnnotatedFrame().getWidthPx(), "drawn at most 1024 px per side");
      assertEquals(1024, a.getAnnotatedFrame().getHeightPx());
      BufferedImage drawn =
          ImageIO.read(
              new java.io.ByteArrayInputStream(a.getAnnotatedFrame().getData().toByteArray()));
      assertEquals(1024, drawn.getWidth());
      Proposal expected = MarkProposer.defaults().analyse(small);
      assertEquals(expected.marks().size(), a.getMarksCount(), "the same objects as at 512 px");
      for (Mark m : expected.marks()) {
        double x = m.centroid().xPx() * 4;
        double y = m.centroid().yPx() * 4;
        assertTrue(
            a.getMarksList().stream()
                .anyMatch(
                    w ->
                        Math.hypot(w.getCentroid().getXPx() - x, w.getCentroid().getYPx() - y)
                            < 12),
            "a mark near (" + x + ", " + y + ") in the 2048 px frame");
      }
    }
  }
}
