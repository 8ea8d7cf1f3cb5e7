package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.Observation;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointState;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.ros.msg.RosBool;
import mantis.ros.msg.RosString;
import mantis.ros.msg.RosTime;
import org.junit.jupiter.api.Test;

class BridgeCoreTest {
  private static final double LIMIT = 2.6 - SafetyFilter.DEFAULT_POSITION_MARGIN_RAD;

  @Test
  void anObservationCarriesTheBgrFrameAsRgbAndTheJointStateInSpecOrder() throws Exception {
    try (Harness h = new Harness().started()) {
      h.policy.reply = o -> null;
      // 2 x 2 bgr8 with 2 bytes of row padding (step 8).
      byte[] bgr = {
        10, 20, 30, 11, 21, 31, 0, 0,
        12, 22, 32, 13, 23, 33, 0, 0
      };
      h.core.onImage(new Image(new Header(0, RosTime.ZERO, "overhead"), 2, 2, "bgr8", 0, 8, bgr));
      long imageAt = h.clock.nanoTime();
      h.clock.advanceMillis(5);
      // Out of order, with an extra joint the robot does not have.
      h.core.onJointState(
          new JointState(
              new Header(0, RosTime.ZERO, ""),
              List.of("gripper", "j_wrist", "j_shoulder", "j_elbow"),
              List.of(9.0, 0.3, 0.1, 0.2),
              List.of(0.0, 0.03, 0.01, 0.02),
              List.of()));
      h.clock.advanceMillis(5);
      h.core.tick();

      assertEquals(1, h.policy.observations.size());
      Observation o = h.policy.lastObservation();
      assertEquals("arm7", o.getRobotId());
      assertTrue(o.getEpisodeId().startsWith("arm7-"), o.getEpisodeId());
      assertEquals(0, o.getStep());
      assertEquals("push the red block to the left", o.getInstruction());
      assertEquals(1, o.getFramesCount());
      assertEquals(FrameEncoding.FRAME_ENCODING_RAW_RGB8, o.getFrames(0).getEncoding());
      assertEquals(2, o.getFrames(0).getWidthPx());
      assertEquals(2, o.getFrames(0).getHeightPx());
      assertArrayEquals(
          new byte[] {30, 20, 10, 31, 21, 11, 32, 22, 12, 33, 23, 13},
          o.getFrames(0).getData().toByteArray());
      assertEquals(Harness.SPEC_NAMES, o.getJointState().getNamesList());
      assertEquals(List.of(0.1, 0.2, 0.3), o.getJointState().getPositionsRadList());
      assertEquals(List.of(0.01, 0.02, 0.03), o.getJointState().getVelocitiesRadPerSList());
      assertEquals(imageAt, o.getCaptureTimeNanos());
      assertEquals(h.clock.nanoTime(), o.getSendTimeNanos());
    }
  }

  @Test
  void observationsWaitForAllInputsAndStaleInputsAreNotSent() throws Exception {
    try (Harness h = new Harness().started()) {
      h.policy.reply = o -> null;
      h.core.onImage(Harness.rgbImage());
      h.core.tick();
      assertEquals(0, h.policy.observations.size(), "no joint state yet");
      h.core.onJointState(
          new JointState(
              new Header(0, RosTime.ZERO, ""),
              List.of("j_shoulder", "j_elbow"),
              List.of(0.0, 0.0),
              List.of(),
              List.of()));
      h.core.tick();
      assertEquals(0, h.policy.observations.size(), "a joint state without j_wrist is rejected");
      h.core.onJointState(Harness.jointState(0, 0, 0));
      h.clock.advanceMillis(501);
      h.core.tick();
      assertEquals(0, h.policy.observations.size(), "frame and joint state are older than 500 ms");
      h.core.onImage(
          new Image(new Header(0, RosTime.ZERO, ""), 1, 1, "mono8", 0, 1, new byte[] {1}));
      h.core.onJointState(Harness.jointState(0, 0, 0));
      h.core.tick();
      assertEquals(0, h.policy.observations.size(), "mono8 is rejected; the old frame is stale");
      h.step(0, 0, 0);
      assertEquals(1, h.policy.observations.size());
    }
  }

  @Test
  void aChunkBecomesATrajectoryWithRosNamesInsideTheLimits() throws Exception {
    try (Harness h = new Harness().started()) {
      // Far outside the +-2.6 rad limits, and a NaN.
      h.policy.reply =
          o ->
              Harness.chunk(
                  o.getStep(),
                  800_000_000L,
                  new double[] {0.05, -0.05, 0.0},
                  new double[] {0.1, -9.0, Double.NaN},
                  new double[] {7.0, -9.0, 0.1});
      h.step(2.5, -2.5, 0);

      assertEquals(1, h.port.trajectories.size());
      JointTrajectory t = h.port.last();
      assertEquals(Harness.ROS_NAMES, t.jointNames());
      assertEquals(RosTime.ofNanos(Harness.WALL_NANOS), t.header().stamp());
      assertEquals(3, t.points().size());
      long previous = 0;
      for (JointTrajectoryPoint p : t.points()) {
        assertTrue(p.timeFromStart().toNanos() > previous, "time_from_start strictly increases");
        previous = p.timeFromStart().toNanos();
        assertTrue(p.velocities().isEmpty());
        for (double q : p.positions()) {
          assertTrue(Double.isFinite(q) && Math.abs(q) <= LIMIT + 1e-9, "position " + q);
        }
      }
      assertEquals(1, h.core.counts().chunksPublished());
      assertTrue(h.core.counts().interventions() > 0, "the filter reports its corrections");
    }
  }

  @Test
  void aChunkExpiredOnArrivalIsNotPublishedAndTheArmHolds() throws Exception {
    try (Harness h = new Harness().started()) {
      h.policy.reply =
          o -> {
            h.clock.advanceMillis(80); // the answer takes 80 ms ...
            return Harness.chunk(
                o.getStep(), 50_000_000L, new double[] {0.5, 0.5, 0.5}); // ... but is valid for 50
          };
      h.step(0.1, 0.2, 0.3);

      assertEquals(1, h.port.trajectories.size(), "only the hold");
      assertHold(h.port.last(), 0.1, 0.2, 0.3);
      assertEquals(0, h.core.counts().chunksPublished());
      assertEquals(1, h.core.counts().holds());
    }
  }

  @Test
  void aChunkThatRunsOutWithoutASuccessorIsFollowedByOneHold() throws Exception {
    try (Harness h = new Harness().started()) {
      h.policy.reply = o -> Harness.chunk(o.getStep(), 150_000_000L, new double[] {0.11, 0.2, 0.3});
      h.step(0.1, 0.2, 0.3);
      assertEquals(1, h.port.trajectories.size());
      h.policy.reply = o -> null; // the server stops answering
      h.clock.advanceMillis(149);
      h.core.tick();
      assertEquals(1, h.port.trajectories.size(), "still valid");
      h.clock.advanceMillis(1);
      h.core.tick();
      assertEquals(2, h.port.trajectories.size());
      assertHold(h.port.last(), 0.1, 0.2, 0.3);
      for (int i = 0; i < 20; i++) {
        h.clock.advanceMillis(10);
        h.core.tick();
      }
      assertEquals(2, h.port.trajectories.size(), "one hold per event, not one per tick");
    }
  }

  @Test
  void theWatchdogHoldsWhenFreshChunksStopEvenIfTheLastIsStillValid() throws Exception {
    try (Harness h = new Harness().started()) {
      h.step(0, 0, 0);
      assertEquals(1, h.port.trajectories.size());
      h.policy.reply = o -> null;
      // Nothing comes back; the chunk itself is valid for 500 ms.
      h.clock.advanceMillis(199);
      h.core.tick();
      assertEquals(1, h.port.trajectories.size(), "one control period + 100 ms not yet exceeded");
      h.clock.advanceMillis(1);
      h.core.tick();
      assertEquals(2, h.port.trajectories.size());
      assertHold(h.port.last(), 0, 0, 0);
    }
  }

  @Test
  void aLostStreamHoldsThenReconnectsWithBackoffOnANewEpisode() throws Exception {
    try (Harness h = new Harness().started()) {
      h.step(0.1, 0.2, 0.3);
      assertEquals(1, h.port.trajectories.size());
      String firstEpisode = h.policy.lastObservation().getEpisodeId();

      h.policy.failNewest();
      assertEquals(2, h.port.trajectories.size());
      assertHold(h.port.last(), 0.1, 0.2, 0.3);
      assertTrue(h.core.status().startsWith("state=server_lost"), h.core.status());

      h.clock.advanceMillis(99);
      h.core.tick();
      assertEquals(1, h.policy.streams.size(), "backoff: 100 ms");
      h.clock.advanceMillis(1);
      h.core.tick();
      assertEquals(2, h.policy.streams.size());
      assertEquals(1, h.core.counts().reconnects());

      h.clock.advanceMillis(100);
      h.step(0.1, 0.2, 0.3);
      Observation o = h.policy.lastObservation();
      assertNotEquals(firstEpisode, o.getEpisodeId());
      assertEquals(0, o.getStep(), "a new episode counts from 0");
      assertEquals(3, h.port.trajectories.size());
      assertEquals(2, h.port.last().points().size(), "the policy drives again");

      // Two failures in a row without a chunk in between: the backoff doubles.
      h.policy.failNewest();
      h.clock.advanceMillis(100);
      h.core.tick();
      assertEquals(3, h.policy.streams.size());
      h.policy.failNewest();
      h.clock.advanceMillis(100);
      h.core.tick();
      assertEquals(3, h.policy.streams.size(), "second delay is 200 ms");
      h.clock.advanceMillis(100);
      h.core.tick();
      assertEquals(4, h.policy.streams.size());
    }
  }

  @Test
  void anUnansweredObservationMakesTheStreamIdleAndLost() throws Exception {
    try (Harness h = new Harness().started()) {
      h.step(0, 0, 0);
      h.policy.reply = o -> null;
      h.clock.advanceMillis(100);
      h.step(0, 0, 0);
      assertEquals(2, h.policy.observations.size());
      h.clock.advanceMillis(1001);
      h.core.tick();
      assertTrue(h.core.status().startsWith("state=server_lost"), h.core.status());
    }
  }

  @Test
  void theEstopTopicLatchesUntilReset() throws Exception {
    try (Harness h = new Harness().started()) {
      h.step(0.1, 0.2, 0.3);
      assertEquals(1, h.port.trajectories.size());
      h.core.onEstop(new RosBool(true));
      assertEquals(2, h.port.trajectories.size());
      assertHold(h.port.last(), 0.1, 0.2, 0.3);
      assertTrue(h.core.status().startsWith("state=estopped"), h.core.status());

      for (int i = 0; i < 5; i++) {
        h.clock.advanceMillis(100);
        h.step(0.1, 0.2, 0.3);
      }
      h.core.onEstop(new RosBool(false));
      h.clock.advanceMillis(100);
      h.step(0.1, 0.2, 0.3);
      assertEquals(
          2, h.port.trajectories.size(), "chunks are ignored while latched; false does not reset");
      assertTrue(h.policy.observations.size() >= 6);

      h.core.onReset();
      h.clock.advanceMillis(100);
      h.step(0.1, 0.2, 0.3);
      assertEquals(3, h.port.trajectories.size());
      assertEquals(2, h.port.last().points().size());
    }
  }

  @Test
  void holdsReachThePortAsHoldsWithTheirReasonAndChunksDoNot() throws Exception {
    // The FollowJointTrajectory action cancels its goal on a hold, so the port must tell them
    // apart.
    try (Harness h = new Harness().started()) {
      h.step(0.1, 0.2, 0.3);
      assertEquals(1, h.port.trajectories.size());
      assertEquals(List.of(), h.port.holdReasons, "a chunk is not a hold");
      h.core.onEstop(new RosBool(true));
      assertEquals(1, h.port.holdReasons.size());
      assertTrue(h.port.holdReasons.get(0).startsWith("e-stop: "), h.port.holdReasons.toString());
      assertHold(h.port.last(), 0.1, 0.2, 0.3);
      h.core.close("test over");
      assertEquals(2, h.port.holdReasons.size());
      assertEquals("bridge closing: test over", h.port.holdReasons.get(1));
    }
  }

  @Test
  void aChunkIsNeverPublishedTwiceNorAfterANewerOne() throws Exception {
    try (Harness h = new Harness().started()) {
      h.policy.reply = o -> null;
      h.step(0, 0, 0);
      Observation o = h.policy.lastObservation();
      var out = h.policy.streams.get(0);
      out.onNext(Harness.gentle(o));
      out.onNext(Harness.gentle(o)); // the same step again
      out.onNext(
          Harness.chunk(o.getStep() + 5, 500_000_000L, new double[] {0, 0, 0})); // never asked for
      assertEquals(1, h.port.trajectories.size());
      assertEquals(2, h.core.counts().chunksDropped());
    }
  }

  @Test
  void serverWatchdogHoldsAreIgnoredAndShutdownHoldsHold() throws Exception {
    try (Harness h = new Harness().started()) {
      h.step(0, 0, 0);
      var out = h.policy.streams.get(0);
      out.onNext(
          Harness.chunk(0, 500_000_000L, new double[] {0, 0, 0}).toBuilder()
              .setSource(ChunkSource.CHUNK_SOURCE_WATCHDOG)
              .setHeld(true)
              .build());
      assertEquals(1, h.port.trajectories.size());
      out.onNext(
          Harness.chunk(0, 500_000_000L, new double[] {0, 0, 0}).toBuilder()
              .setSource(ChunkSource.CHUNK_SOURCE_SHUTDOWN)
              .setHeld(true)
              .build());
      assertEquals(2, h.port.trajectories.size());
      assertHold(h.port.last(), 0, 0, 0);
    }
  }

  @Test
  void closePublishesAHold() throws Exception {
    Harness h = new Harness().started();
    h.step(0.1, 0.2, 0.3);
    int before = h.port.trajectories.size();
    h.close();
    assertEquals(before + 1, h.port.trajectories.size());
    assertHold(h.port.last(), 0.1, 0.2, 0.3);
    h.core.close();
    assertEquals(before + 1, h.port.trajectories.size(), "close is idempotent");
  }

  @Test
  void aHoldBeforeAnyJointStateIsAnEmptyTrajectory() throws Exception {
    Harness h = new Harness().started();
    h.close();
    assertEquals(1, h.port.trajectories.size());
    assertTrue(h.port.last().points().isEmpty());
    assertEquals(Harness.ROS_NAMES, h.port.last().jointNames());
  }

  @Test
  void theHeartbeatReportsStateAndCounts() throws Exception {
    try (Harness h = new Harness().started()) {
      assertEquals(1, h.port.statuses.size());
      h.step(0, 0, 0);
      h.clock.advanceMillis(499);
      h.core.tick();
      assertEquals(1, h.port.statuses.size(), "2 Hz");
      h.clock.advanceMillis(1);
      h.core.tick();
      assertEquals(2, h.port.statuses.size());
      String s = h.port.statuses.get(1);
      assertTrue(s.startsWith("state="), s);
      assertTrue(s.contains(" robot=arm7 "), s);
      assertTrue(
          s.contains(" observations=")
              && s.contains(" chunks=1 ")
              && s.contains(" holds=")
              && s.contains(" interventions=")
              && s.contains(" reconnects=0"),
          s);
      assertTrue(s.contains(" last_chunk_age_ms=500 "), s);
    }
  }

  @Test
  void theLatestInstructionWins() throws Exception {
    try (Harness h = new Harness().started()) {
      h.policy.reply = o -> null;
      h.core.onInstruction(new RosString("stack the cubes"));
      h.core.onInstruction(new RosString("  "));
      h.step(0, 0, 0);
      assertEquals("stack the cubes", h.policy.lastObservation().getInstruction());
    }
  }

  @Test
  void onARealSchedulerTheLoopRunsByItself() throws Exception {
    var scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    Harness.FakePolicy policy = new Harness.FakePolicy();
    Harness.RecordingPort port = new Harness.RecordingPort();
    String name = io.grpc.inprocess.InProcessServerBuilder.generateName();
    io.grpc.Server server =
        io.grpc.inprocess.InProcessServerBuilder.forName(name).addService(policy).build().start();
    io.grpc.ManagedChannel channel =
        io.grpc.inprocess.InProcessChannelBuilder.forName(name).build();
    BridgeCore core =
        BridgeCore.builder()
            .setConfig(BridgeConfig.parse(Harness.CONFIG, "t", null, java.util.Map.of()))
            .setPort(port)
            .setChannel(channel)
            .optScheduler(scheduler)
            .build();
    try {
      core.start();
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (port.trajectories.isEmpty() && System.nanoTime() < deadline) {
        core.onImage(Harness.rgbImage());
        core.onJointState(Harness.jointState(0.1, 0.2, 0.3));
        Thread.sleep(20);
      }
      assertFalse(port.trajectories.isEmpty(), "a chunk was published");
      assertFalse(port.statuses.isEmpty(), "a heartbeat was published");
    } finally {
      core.close();
      channel.shutdownNow();
      server.shutdownNow();
      scheduler.shutdownNow();
    }
    assertEquals(1, port.last().points().size(), "close published a hold last");
  }

  static void assertHold(JointTrajectory t, double... q) {
    assertEquals(Harness.ROS_NAMES, t.jointNames());
    assertEquals(1, t.points().size(), "a hold has one point");
    JointTrajectoryPoint p = t.points().get(0);
    assertEquals(q.length, p.positions().size());
    for (int i = 0; i < q.length; i++) {
      assertEquals(q[i], p.positions().get(i), 1e-12);
    }
    assertTrue(p.timeFromStart().toNanos() >= 50_000_000L, "time_from_start " + p.timeFromStart());
    assertFalse(p.timeFromStart().toNanos() > 1_000_000_000L);
  }
}
