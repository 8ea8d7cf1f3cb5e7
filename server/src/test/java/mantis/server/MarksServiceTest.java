package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.PixelBox;
import mantis.core.PixelPoint;
import mantis.core.Policy;
import mantis.core.Trace;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.Frame;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.StageTiming;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MarksServiceTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServer.started(
            TestServer.movingTo(new double[] {0.2, 0.2, 0.2}, MonotonicClock.system()));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static Frame raw(int w, int h, byte[] rgb) {
    return Frame.newBuilder()
        .setEncoding(FrameEncoding.FRAME_ENCODING_RAW_RGB8)
        .setWidthPx(w)
        .setHeightPx(h)
        .setData(ByteString.copyFrom(rgb))
        .build();
  }

  static Frame simFrame(TabletopSim sim, int size) {
    return raw(size, size, sim.render(size, size).rgbUnsafe());
  }

  static TabletopSim sim(long seed, int expertSteps) {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    sim.reset(seed, TaskFamily.PUSH_TO_TARGET);
    ScriptedExpert e = new ScriptedExpert();
    for (int i = 0; i < expertSteps; i++) {
      sim.step(e.act(sim));
    }
    return sim;
  }

  static Frame filled(int w, int h, int value) {
    byte[] b = new byte[w * h * 3];
    java.util.Arrays.fill(b, (byte) value);
    return raw(w, h, b);
  }

  private static Annotation annotate(Frame f, boolean image) {
    return server
        .blocking()
        .annotate(
            Observations.valid().clearFrames().addFrames(f).setAnnotateWithImage(image).build());
  }

  @Test
  void predictChunksCarryTheSomMarksAndAMarksStageBeforeThePolicy() {
    TabletopSim sim = sim(11, 40);
    mantis.proto.v1.ActionChunk c =
        server
            .blocking()
            .predict(Observations.valid().clearFrames().addFrames(simFrame(sim, 128)).build());
    assertTrue(
        c.getMarksCount() >= sim.groundTruth().objects().size(), c.getMarksList().toString());
    List<String> stages =
        c.getStageTimingsList().stream().map(StageTiming::getStage).collect(Collectors.toList());
    assertEquals(List.of("decode", "marks", "policy", "safety", "total"), stages);
    for (int i = 0; i < c.getMarksCount(); i++) {
      assertEquals(i + 1, c.getMarks(i).getId());
    }
  }

  @Test
  void predictNamesTheEffectorsMarkAsAnnotateDoes() {
    mantis.proto.v1.Frame f = simFrame(sim(11, 40), 128);
    mantis.proto.v1.ActionChunk c =
        server.blocking().predict(Observations.valid().clearFrames().addFrames(f).build());
    Annotation a = annotate(f, false);
    assertTrue(a.getEffectorMarkId() > 0, "the arm's pusher is marked");
    assertEquals(a.getEffectorMarkId(), c.getEffectorMarkId());
    assertEquals(a.getMarksList(), c.getMarksList());
  }

  @Test
  void controlStreamKeepsMarkIdsStableAcrossFrames() throws Exception {
    TabletopSim sim = sim(12, 0);
    ScriptedExpert e = new ScriptedExpert();
    StreamCollector out = new StreamCollector();
    var in = server.async().control(out);
    int frames = 12;
    for (int i = 0; i < frames; i++) {
      in.onNext(
          Observations.valid().setStep(i).clearFrames().addFrames(simFrame(sim, 128)).build());
      for (int k = 0; k < 5; k++) {
        sim.step(e.act(sim));
      }
    }
    in.onCompleted();
    assertEquals(Status.Code.OK, out.awaitEnd(20, TimeUnit.SECONDS).getCode());
    List<mantis.proto.v1.ActionChunk> chunks = out.chunks();
    assertEquals(frames, chunks.size());
    Set<Integer> first =
        chunks.get(0).getMarksList().stream()
            .map(mantis.proto.v1.Mark::getId)
            .collect(Collectors.toSet());
    Set<Integer> all = new HashSet<>();
    for (mantis.proto.v1.ActionChunk c : chunks) {
      c.getMarksList().forEach(m -> all.add(m.getId()));
    }
    assertFalse(first.isEmpty());
    // Objects stay put or move a little: ids carry over instead of being renumbered every frame.
    assertTrue(all.size() <= first.size() + 3, "ids used " + all + ", first frame " + first);
    // The same object keeps its id: the mark nearest the first frame's mark 1 is still 1 at the
    // end.
    mantis.proto.v1.Mark one = chunks.get(0).getMarks(0);
    mantis.proto.v1.Mark nearest =
        chunks.get(frames - 1).getMarksList().stream()
            .min((a, b) -> Double.compare(d(a, one), d(b, one)))
            .orElseThrow();
    assertEquals(one.getId(), nearest.getId());
  }

  private static double d(mantis.proto.v1.Mark a, mantis.proto.v1.Mark b) {
    return Math.hypot(
        a.getCentroid().getXPx() - b.getCentroid().getXPx(),
        a.getCentroid().getYPx() - b.getCentroid().getYPx());
  }

  @Test
  void tracesAreKeyedToTheSomMarkNearestTheirStart() {
    Mark red = new Mark(1, new PixelPoint(20, 20), new PixelBox(15, 15, 10, 10), 100, 0xFF0000);
    Mark blue = new Mark(2, new PixelPoint(80, 80), new PixelBox(75, 75, 10, 10), 100, 0x0000FF);
    Trace policyNumbering = new Trace(7, List.of(new PixelPoint(79, 81), new PixelPoint(90, 90)));
    Trace alreadyRight = new Trace(1, List.of(new PixelPoint(21, 20), new PixelPoint(30, 20)));
    Trace nowhere = new Trace(5, List.of(new PixelPoint(120, 5)));
    List<Trace> out =
        PolicyPipeline.rekey(
            List.of(policyNumbering, alreadyRight, nowhere), List.of(red, blue), 128);
    assertEquals(List.of(2, 1, 5), out.stream().map(Trace::markId).collect(Collectors.toList()));
  }

  @Test
  void policiesReceiveTheMarks() throws Exception {
    List<List<Mark>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Policy recording =
        new Policy() {
          @Override
          public mantis.core.PolicyInfo info() {
            return new mantis.core.PolicyInfo(
                "rec", "rec-1", TestServer.ROBOT.jointNames(), 128, 128, 1, "{}");
          }

          @Override
          public ActionChunk predict(mantis.core.Observation o) {
            throw new AssertionError("the server calls predict(observation, marks)");
          }

          @Override
          public ActionChunk predict(mantis.core.Observation o, List<Mark> marks) {
            seen.add(marks);
            return new ActionChunk(
                TestServer.ROBOT.jointNames(),
                List.of(new ActionPoint(o.jointState().positionsRad(), 100_000_000L)),
                System.nanoTime() + 500_000_000L,
                null,
                null,
                List.of(
                    new Trace(
                        99,
                        List.of(marks.isEmpty() ? new PixelPoint(0, 0) : marks.get(0).centroid()))),
                "rec-1",
                null);
          }
        };
    try (TestServer s = TestServer.started(recording)) {
      mantis.proto.v1.ActionChunk c =
          s.blocking()
              .predict(
                  Observations.valid().clearFrames().addFrames(simFrame(sim(13, 0), 128)).build());
      List<Mark> last = seen.get(seen.size() - 1);
      assertFalse(last.isEmpty());
      assertEquals(last.size(), c.getMarksCount());
      assertEquals(1, c.getTracesCount());
      assertEquals(last.get(0).id(), c.getTraces(0).getMarkId());
    }
  }

  @Test
  void annotateReturnsMarksAtTheFramesOwnSizeAndThePngWhenAsked() throws Exception {
    TabletopSim sim = sim(14, 50);
    Annotation a = annotate(simFrame(sim, 320), true);
    assertTrue(
        a.getMarksCount() >= sim.groundTruth().objects().size(), a.getMarksList().toString());
    assertTrue(
        a.getMarksList().stream()
            .anyMatch(m -> m.getCentroid().getXPx() > 128 || m.getCentroid().getYPx() > 128));
    assertEquals(FrameEncoding.FRAME_ENCODING_PNG, a.getAnnotatedFrame().getEncoding());
    BufferedImage img =
        ImageIO.read(new ByteArrayInputStream(a.getAnnotatedFrame().getData().toByteArray()));
    assertEquals(320, img.getWidth());
    assertEquals(320, img.getHeight());
    assertEquals(
        List.of("decode", "marks", "draw", "total"),
        a.getStageTimingsList().stream().map(StageTiming::getStage).collect(Collectors.toList()));
    Annotation plain = annotate(simFrame(sim, 320), false);
    assertFalse(plain.hasAnnotatedFrame());
    assertEquals(a.getMarksCount(), plain.getMarksCount());
  }

  @Test
  void annotateNeedsNeitherInstructionNorJointState() {
    Annotation a =
        server
            .blocking()
            .annotate(
                mantis.proto.v1.Observation.newBuilder()
                    .addFrames(simFrame(sim(15, 0), 128))
                    .build());
    assertTrue(a.getMarksCount() > 0);
  }

  @Test
  void annotateOfABlankFrameGivesNoMarks() {
    assertEquals(0, annotate(filled(128, 128, 0), true).getMarksCount());
  }

  @Test
  void annotateOfASaturatedWhiteFrameGivesNoMarks() {
    assertEquals(0, annotate(filled(128, 128, 255), true).getMarksCount());
  }

  @Test
  void annotateOfNoiseGivesAtMostTwoMarks() {
    byte[] b = new byte[640 * 480 * 3];
    new SplittableRandom(3).nextBytes(b);
    assertTrue(annotate(raw(640, 480, b), true).getMarksCount() <= 2);
  }

  @Test
  void annotateOfAOnePixelFrameGivesNoMarks() {
    Annotation a = annotate(filled(1, 1, 200), true);
    assertEquals(0, a.getMarksCount());
    assertEquals(1, a.getAnnotatedFrame().getWidthPx());
  }

  @Test
  void annotateOfAFrameBeyondTheLimitsIsInvalidArgument() throws Exception {
    BufferedImage huge = new BufferedImage(8192, 8192, BufferedImage.TYPE_BYTE_BINARY);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(huge, "png", png);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                annotate(
                    Frame.newBuilder()
                        .setEncoding(FrameEncoding.FRAME_ENCODING_PNG)
                        .setData(ByteString.copyFrom(png.toByteArray()))
                        .build(),
                    false));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    StatusRuntimeException raw =
        assertThrows(
            StatusRuntimeException.class, () -> annotate(raw(8193, 1, new byte[8193 * 3]), false));
    assertEquals(Status.Code.INVALID_ARGUMENT, raw.getStatus().getCode());
  }

  @Test
  void annotateWithoutFramesIsInvalidArgument() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> server.blocking().annotate(mantis.proto.v1.Observation.getDefaultInstance()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }
}
