package mantis.sim.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.imageio.ImageIO;
import mantis.core.Frame;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sim client against a scripted in-process PolicyService. */
class SimClientTest {
  private static final List<String> JOINTS = List.of("shoulder", "elbow", "wrist");
  private static final double[] TARGET = {0.6, -0.4, 0.3};

  private Server server;
  private ManagedChannel channel;

  /** Starts a server whose Control answers every observation with {@code answer}. */
  private void serve(BiConsumer<Observation, StreamObserver<ActionChunk>> answer) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new PolicyServiceGrpc.PolicyServiceImplBase() {
                  @Override
                  public StreamObserver<Observation> control(StreamObserver<ActionChunk> out) {
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(Observation obs) {
                        answer.accept(obs, out);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        out.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A chunk from the observed joints to TARGET in four points over 0.4 s, valid for {@code
   * validForNanos}.
   */
  private static ActionChunk towardTarget(Observation obs, long validForNanos) {
    ActionChunk.Builder b =
        ActionChunk.newBuilder()
            .addAllJointNames(JOINTS)
            .setStep(obs.getStep())
            .setSource(ChunkSource.CHUNK_SOURCE_REPLY)
            .setValidForNanos(validForNanos)
            .setModelVersion("test");
    for (int i = 1; i <= 4; i++) {
      ActionPoint.Builder p = ActionPoint.newBuilder().setTimeFromStartNanos(i * 100_000_000L);
      for (int j = 0; j < 3; j++) {
        double q0 = obs.getJointState().getPositionsRad(j);
        p.addPositionsRad(q0 + (TARGET[j] - q0) * i / 4.0);
      }
      b.addPoints(p);
    }
    return b.build();
  }

  private static TabletopSim sim(double maxEpisodeSeconds) {
    return TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(maxEpisodeSeconds).build());
  }

  @Test
  void everyObservationGetsAChunkAndTheArmFollowsIt() throws Exception {
    List<Observation> seen = new ArrayList<>();
    serve(
        (obs, out) -> {
          seen.add(obs);
          out.onNext(towardTarget(obs, 1_000_000_000L));
        });
    TabletopSim sim = sim(3.0);
    EpisodeResult r =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(64, 48)
            .build()
            .runEpisode(sim, 7, TaskFamily.PUSH_TO_TARGET);
    assertEquals(10, r.calls(), "3 s in 0.3 s rounds");
    assertEquals(10, r.latenciesNanos().length);
    assertEquals(0, r.expiredChunks());
    assertEquals(0, r.holdSteps());
    assertArrayEquals(TARGET, sim.jointState().positionsRad(), 0.02);
    Observation first = seen.get(0);
    assertEquals(0, first.getStep());
    assertEquals(9, seen.get(9).getStep());
    assertEquals(sim.instruction(), first.getInstruction());
    assertEquals(FrameEncoding.FRAME_ENCODING_RAW_RGB8, first.getFrames(0).getEncoding());
    assertEquals(64 * 48 * 3, first.getFrames(0).getData().size());
    assertEquals(JOINTS, first.getJointState().getNamesList());
    assertTrue(first.getSendTimeNanos() >= first.getCaptureTimeNanos());
  }

  @Test
  void aListenerCanTakeTheArmOverAndItsTargetsAreTheOnesStepped() throws Exception {
    serve((obs, out) -> out.onNext(towardTarget(obs, 1_000_000_000L)));
    double[] elsewhere = {0.3, -0.4, 0.2};
    List<double[]> stepped = new ArrayList<>();
    int[] calls = {0};
    EpisodeListener takeover =
        new EpisodeListener() {
          @Override
          public double[] onCommand(TabletopSim sim, double[] q) {
            calls[0]++;
            return calls[0] > 75 ? elsewhere.clone() : q; // the last 1.5 s of 3 s
          }

          @Override
          public void onStep(TabletopSim sim, double[] q, boolean hold) {
            stepped.add(q.clone());
          }
        };
    TabletopSim sim = sim(3.0);
    SimClient.builder()
        .setChannel(channel)
        .optListener(takeover)
        .build()
        .runEpisode(sim, 7, TaskFamily.PUSH_TO_TARGET);
    assertEquals(150, calls[0], "one onCommand per physics step");
    assertArrayEquals(elsewhere, stepped.get(stepped.size() - 1), 0.0);
    assertArrayEquals(elsewhere, sim.jointState().positionsRad(), 0.02, "the arm went there");

    EpisodeListener broken =
        new EpisodeListener() {
          @Override
          public double[] onCommand(TabletopSim sim, double[] q) {
            return new double[] {0.1};
          }
        };
    SimClientException e =
        assertThrows(
            SimClientException.class,
            () ->
                SimClient.builder()
                    .setChannel(channel)
                    .optListener(broken)
                    .build()
                    .runEpisode(sim(1.0), 7, TaskFamily.REACH));
    assertTrue(e.getMessage().contains("replaced 3 joint targets with 1 values"), e.getMessage());
  }

  @Test
  void theListenerSeesTheMarksAndTracesOfEveryReplyAndInvalidMarksAreDropped() throws Exception {
    serve(
        (obs, out) ->
            out.onNext(
                towardTarget(obs, 1_000_000_000L).toBuilder()
                    .addMarks(
                        mantis.proto.v1.Mark.newBuilder()
                            .setId(3)
                            .setCentroid(
                                mantis.proto.v1.PixelPoint.newBuilder().setXPx(10.5).setYPx(20))
                            .setBox(
                                mantis.proto.v1.PixelBox.newBuilder()
                                    .setXPx(8)
                                    .setYPx(18)
                                    .setWidthPx(5)
                                    .setHeightPx(4))
                            .setAreaPx(17)
                            .setMeanRgb(0xff0000))
                    .addMarks(mantis.proto.v1.Mark.newBuilder().setId(0))
                    .addTraces(
                        mantis.proto.v1.Trace.newBuilder()
                            .setMarkId(3)
                            .addPoints(
                                mantis.proto.v1.PixelPoint.newBuilder().setXPx(10.5).setYPx(20))
                            .addPoints(
                                mantis.proto.v1.PixelPoint.newBuilder().setXPx(12).setYPx(21)))
                    .build()));
    List<mantis.core.ActionChunk> chunks = new ArrayList<>();
    EpisodeListener listener =
        new EpisodeListener() {
          @Override
          public void onReply(
              TabletopSim sim, long step, Frame frame, mantis.core.ActionChunk chunk) {
            chunks.add(chunk);
          }
        };
    SimClient.builder()
        .setChannel(channel)
        .optImageSize(32, 32)
        .optListener(listener)
        .build()
        .runEpisode(sim(0.6), 4, TaskFamily.REACH);
    assertEquals(2, chunks.size());
    mantis.core.ActionChunk c = chunks.get(1);
    assertEquals(
        List.of(
            new mantis.core.Mark(
                3,
                new mantis.core.PixelPoint(10.5, 20),
                new mantis.core.PixelBox(8, 18, 5, 4),
                17,
                0xff0000)),
        c.marks());
    assertEquals(
        List.of(
            new mantis.core.Trace(
                3,
                List.of(new mantis.core.PixelPoint(10.5, 20), new mantis.core.PixelPoint(12, 21)))),
        c.traces());
  }

  @Test
  void theSameSeedSendsTheSameFirstFrame() throws Exception {
    List<Observation> seen = new ArrayList<>();
    serve(
        (obs, out) -> {
          seen.add(obs);
          out.onNext(towardTarget(obs, 1_000_000_000L));
        });
    SimClient client = SimClient.builder().setChannel(channel).optImageSize(32, 32).build();
    client.runEpisode(sim(0.3), 11, TaskFamily.REACH);
    client.runEpisode(sim(0.3), 11, TaskFamily.REACH);
    assertEquals(2, seen.size());
    assertEquals(seen.get(0).getFrames(0).getData(), seen.get(1).getFrames(0).getData());
    assertEquals(seen.get(0).getInstruction(), seen.get(1).getInstruction());
  }

  @Test
  void expiredChunksAreNeverExecutedAndTheArmHoldsInstead() throws Exception {
    serve((obs, out) -> out.onNext(towardTarget(obs, 100_000_000L)));
    List<Boolean> holding = new ArrayList<>();
    List<double[]> targets = new ArrayList<>();
    List<Long> stepInRound = new ArrayList<>();
    EpisodeListener listener =
        new EpisodeListener() {
          long k;

          @Override
          public void onReply(
              TabletopSim sim, long step, Frame frame, mantis.core.ActionChunk chunk) {
            k = 0;
          }

          @Override
          public void onStep(TabletopSim sim, double[] q, boolean hold) {
            holding.add(hold);
            targets.add(q);
            stepInRound.add(++k);
          }
        };
    EpisodeResult r =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(32, 32)
            .optListener(listener)
            .build()
            .runEpisode(sim(1.2), 3, TaskFamily.REACH);
    assertEquals(4, r.calls());
    assertEquals(4, r.expiredChunks(), "every 0.1 s chunk runs out inside a 0.3 s round");
    assertTrue(r.holdSteps() >= 4 * 10, "at least 10 of 15 steps per round hold: " + r.holdSteps());
    for (int i = 0; i < holding.size(); i++) {
      // At 50 Hz, step k of a round ends 20k ms after the reply: k >= 5 is past the 100 ms
      // validity.
      if (stepInRound.get(i) >= 5) {
        assertTrue(holding.get(i), "step " + stepInRound.get(i) + " of a round must hold");
      }
      if (i > 0 && holding.get(i) && holding.get(i - 1)) {
        assertArrayEquals(targets.get(i - 1), targets.get(i), 0.0, "a hold keeps one target");
      }
    }
  }

  @Test
  void aChunkWithNoValidityLeftIsNotExecutedAtAll() throws Exception {
    serve((obs, out) -> out.onNext(towardTarget(obs, 0)));
    TabletopSim sim = sim(0.9);
    sim.reset(5, TaskFamily.REACH);
    double[] start = sim.jointState().positionsRad();
    EpisodeResult r =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(32, 32)
            .build()
            .runEpisode(sim, 5, TaskFamily.REACH);
    assertEquals(r.calls() * 15, r.holdSteps());
    assertArrayEquals(start, sim.jointState().positionsRad(), 1e-9);
  }

  @Test
  void unsolicitedWatchdogHoldsAreSkippedInLockstep() throws Exception {
    serve(
        (obs, out) -> {
          out.onNext(
              ActionChunk.newBuilder()
                  .addAllJointNames(JOINTS)
                  .setHeld(true)
                  .setSource(ChunkSource.CHUNK_SOURCE_WATCHDOG)
                  .setValidForNanos(500_000_000L)
                  .addPoints(
                      ActionPoint.newBuilder()
                          .setTimeFromStartNanos(1_000_000)
                          .addPositionsRad(0)
                          .addPositionsRad(0)
                          .addPositionsRad(0))
                  .build());
          out.onNext(towardTarget(obs, 1_000_000_000L));
        });
    TabletopSim sim = sim(3.0);
    EpisodeResult r =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(32, 32)
            .build()
            .runEpisode(sim, 7, TaskFamily.PUSH_TO_TARGET);
    assertEquals(10, r.calls());
    assertEquals(r.calls(), r.watchdogHolds());
    assertArrayEquals(TARGET, sim.jointState().positionsRad(), 0.02);
  }

  /**
   * A chunk from the observed joints towards +TARGET on even steps, -TARGET on odd ones: a reversal
   * at every seam.
   */
  private static ActionChunk alternating(Observation obs, long validForNanos) {
    ActionChunk.Builder b =
        ActionChunk.newBuilder()
            .addAllJointNames(JOINTS)
            .setStep(obs.getStep())
            .setSource(ChunkSource.CHUNK_SOURCE_REPLY)
            .setValidForNanos(validForNanos)
            .setModelVersion("test");
    double sign = obs.getStep() % 2 == 0 ? 1 : -1;
    for (int i = 1; i <= 4; i++) {
      ActionPoint.Builder p = ActionPoint.newBuilder().setTimeFromStartNanos(i * 100_000_000L);
      for (int j = 0; j < 3; j++) {
        double q0 = obs.getJointState().getPositionsRad(j);
        p.addPositionsRad(q0 + (sign * TARGET[j] - q0) * i / 4.0);
      }
      b.addPoints(p);
    }
    return b.build();
  }

  /** Every command the client sent to the sim, with its hold flag and its step within the round. */
  private static final class Commands implements EpisodeListener {
    final List<double[]> q = new ArrayList<>();
    final List<Boolean> holding = new ArrayList<>();
    final List<Integer> stepInRound = new ArrayList<>();
    final List<double[]> measuredBefore = new ArrayList<>();
    private int k;

    @Override
    public void onReply(TabletopSim sim, long step, Frame frame, mantis.core.ActionChunk chunk) {
      k = 0;
    }

    @Override
    public void onStep(TabletopSim sim, double[] jointTargetsRad, boolean hold) {
      q.add(jointTargetsRad.clone());
      holding.add(hold);
      stepInRound.add(++k);
      measuredBefore.add(sim.jointState().positionsRad());
    }

    /** Largest |second difference| / dt^2 / limit over consecutive executed (non-hold) commands. */
    double worstAccelerationRatio(TabletopSim sim) {
      double dt = 1.0 / sim.config().physicsHz();
      double worst = 0;
      for (int i = 2; i < q.size(); i++) {
        if (holding.get(i) || holding.get(i - 1) || holding.get(i - 2)) {
          continue;
        }
        for (int j = 0; j < 3; j++) {
          double acc = (q.get(i)[j] - 2 * q.get(i - 1)[j] + q.get(i - 2)[j]) / (dt * dt);
          worst = Math.max(worst, Math.abs(acc) / sim.robot().joint(j).maxAccelerationRadPerS2());
        }
      }
      return worst;
    }
  }

  @Test
  void seamBlendingKeepsExecutedCommandsWithinTheAccelerationLimitAtSeams() throws Exception {
    serve((obs, out) -> out.onNext(alternating(obs, 1_000_000_000L)));
    Commands blended = new Commands();
    TabletopSim sim = sim(3.0);
    EpisodeResult r =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(32, 32)
            .optListener(blended)
            .build()
            .runEpisode(sim, 7, TaskFamily.REACH);
    assertEquals(10, r.calls());
    assertEquals(0, r.holdSteps());
    assertEquals(150, blended.q.size());
    assertTrue(
        blended.worstAccelerationRatio(sim) <= 1 + 1e-9,
        "acceleration / limit " + blended.worstAccelerationRatio(sim));
    double dt = 1.0 / sim.config().physicsHz();
    for (int i = 1; i < blended.q.size(); i++) {
      for (int j = 0; j < 3; j++) {
        double v = Math.abs(blended.q.get(i)[j] - blended.q.get(i - 1)[j]) / dt;
        assertTrue(
            v <= sim.robot().joint(j).maxVelocityRadPerS() * (1 + 1e-9),
            "speed " + v + " at command " + i);
      }
    }

    // The same episode without blending breaks the limit at the seams: the check above can fail.
    Commands raw = new Commands();
    TabletopSim sim2 = sim(3.0);
    SimClient.builder()
        .setChannel(channel)
        .optImageSize(32, 32)
        .optListener(raw)
        .optSeamBlending(false)
        .build()
        .runEpisode(sim2, 7, TaskFamily.REACH);
    assertTrue(
        raw.worstAccelerationRatio(sim2) > 2, "raw seams: " + raw.worstAccelerationRatio(sim2));
  }

  @Test
  void withSeamBlendingExpiredChunksAreNeverExecuted() throws Exception {
    serve((obs, out) -> out.onNext(alternating(obs, 100_000_000L)));
    Commands c = new Commands();
    TabletopSim sim = sim(1.8);
    EpisodeResult r =
        SimClient.builder()
            .setChannel(channel)
            .optImageSize(32, 32)
            .optListener(c)
            .build()
            .runEpisode(sim, 3, TaskFamily.REACH);
    assertEquals(6, r.calls());
    assertEquals(6, r.expiredChunks());
    double dt = 1.0 / sim.config().physicsHz();
    for (int i = 0; i < c.q.size(); i++) {
      if (c.stepInRound.get(i) >= 5) {
        // 100 ms of validity: step k of a round ends 20k ms after the reply, so k >= 5 is expired.
        assertTrue(c.holding.get(i), "step " + c.stepInRound.get(i) + " of a round must hold");
      }
      if (c.holding.get(i)) {
        boolean firstOfHold = i == 0 || !c.holding.get(i - 1) || c.stepInRound.get(i) == 1;
        if (firstOfHold) {
          assertArrayEquals(
              c.measuredBefore.get(i), c.q.get(i), 0.0, "a hold is at the measured position");
        } else {
          assertArrayEquals(c.q.get(i - 1), c.q.get(i), 0.0, "a hold keeps one target");
        }
      } else if (i > 0 && c.holding.get(i - 1)) {
        // After a hold the next chunk starts from rest at the hold: nothing of the old chunk comes
        // back.
        for (int j = 0; j < 3; j++) {
          double moved = Math.abs(c.q.get(i)[j] - c.q.get(i - 1)[j]);
          assertTrue(
              moved
                  <= sim.robot().joint(j).maxAccelerationRadPerS2() * dt * dt * (1 + 1e-9) + 1e-12,
              "first command after a hold moved " + moved + " rad on joint " + j);
        }
      }
    }
  }

  @Test
  void theBlendTimeMustBeSensible() throws Exception {
    serve((obs, out) -> {});
    var b = SimClient.builder().setChannel(channel);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.optBlendTimeS(-0.1).build());
    assertTrue(e.getMessage().contains("blend time"), e.getMessage());
  }

  @Test
  void aServerErrorAbortsTheEpisodeWithItsDescription() throws Exception {
    serve(
        (obs, out) ->
            out.onError(
                Status.INVALID_ARGUMENT
                    .withDescription("instruction is empty")
                    .asRuntimeException()));
    SimClientException e =
        assertThrows(
            SimClientException.class,
            () ->
                SimClient.builder()
                    .setChannel(channel)
                    .optImageSize(32, 32)
                    .build()
                    .runEpisode(sim(1), 1, TaskFamily.REACH));
    assertTrue(
        e.getMessage().contains("INVALID_ARGUMENT")
            && e.getMessage().contains("instruction is empty"),
        e.getMessage());
  }

  @Test
  void noReplyWithinTheCallTimeoutAbortsTheEpisode() throws Exception {
    serve((obs, out) -> {});
    long t0 = System.nanoTime();
    SimClientException e =
        assertThrows(
            SimClientException.class,
            () ->
                SimClient.builder()
                    .setChannel(channel)
                    .optImageSize(32, 32)
                    .optCallTimeout(Duration.ofMillis(200))
                    .build()
                    .runEpisode(sim(1), 1, TaskFamily.REACH));
    assertTrue(e.getMessage().contains("no chunk for step 0 within 200 ms"), e.getMessage());
    assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
  }

  @Test
  void pngFramesDecodeToTheRenderedPixels() throws Exception {
    List<Observation> seen = new ArrayList<>();
    serve(
        (obs, out) -> {
          seen.add(obs);
          out.onNext(towardTarget(obs, 1_000_000_000L));
        });
    TabletopSim sim = sim(0.3);
    SimClient.builder()
        .setChannel(channel)
        .optImageSize(40, 30)
        .optFrameFormat(FrameFormat.PNG)
        .build()
        .runEpisode(sim, 4, TaskFamily.REACH);
    mantis.proto.v1.Frame f = seen.get(0).getFrames(0);
    assertEquals(FrameEncoding.FRAME_ENCODING_PNG, f.getEncoding());
    var img = ImageIO.read(new ByteArrayInputStream(f.getData().toByteArray()));
    sim.reset(4, TaskFamily.REACH);
    Frame expected = sim.render(40, 30);
    assertEquals(40, img.getWidth());
    for (int y = 0; y < 30; y += 7) {
      for (int x = 0; x < 40; x += 9) {
        assertEquals(expected.rgbAt(x, y), img.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
      }
    }
  }
}
