package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import mantis.core.JointLimits;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.server.MantisServer;
import mantis.server.policy.Policies;
import mantis.sim.TaskFamily;
import mantis.sim.record.EpisodeReader;
import mantis.sim.record.StepRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teleop on the simulated arm against a real in-process Mantis server running the visual-servo
 * baseline.
 */
class SimTeleopTest {
  static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();

  private static MantisServer server;
  private static ManagedChannel channel;

  @TempDir Path recordings;
  private SimTeleop teleop;

  @BeforeAll
  static void startServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        MantisServer.builder()
            .setPolicy(Policies.create("visual-servo", ROBOT, 128, MonotonicClock.system()))
            .setRobot(ROBOT)
            .optWarmupPredictions(1)
            .optServerBuilder(InProcessServerBuilder.forName(name))
            .build()
            .start();
    assertTrue(server.awaitServing(20, TimeUnit.SECONDS));
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterAll
  static void stopServer() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  @AfterEach
  void closeTeleop() {
    if (teleop != null) {
      teleop.close();
    }
  }

  private SimTeleop start(TaskFamily family, long seed) {
    teleop =
        SimTeleop.builder()
            .setPolicyChannel(channel)
            .optFamily(family)
            .optSeed(seed)
            .optRecordingsDir(recordings)
            .build();
    teleop.start();
    return teleop;
  }

  /** Waits until {@code n} more control ticks have happened. */
  private static TeleopState awaitTicks(Teleop t, int n) throws InterruptedException {
    long target = t.state().frameSeq() + n;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      TeleopState s = t.state();
      if (s.frameSeq() >= target) {
        return s;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("fewer than " + n + " ticks in 10 s");
  }

  /** Holds a jog for {@code millis}, renewing it like keyboard auto-repeat. */
  private static void jogFor(Teleop t, double[] v, long millis) throws InterruptedException {
    List<Double> vel = new ArrayList<>();
    for (double x : v) {
      vel.add(x);
    }
    long end = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      assertTrue(t.jog(vel, 200), "jog accepted");
      Thread.sleep(50);
    }
  }

  private static double[] positions(TeleopState s) {
    return s.jointPositionsRad().stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void aJogMovesTheArmTheWayItIsPushed() throws Exception {
    Teleop t = start(TaskFamily.REACH, 3);
    double[] q0 = positions(awaitTicks(t, 1));
    jogFor(t, new double[] {-1.0, 0, 0}, 800);
    TeleopState s = awaitTicks(t, 6); // the jog ends, the arm brakes and holds
    double[] q1 = positions(s);
    assertTrue(q1[0] - q0[0] < -0.3, "shoulder moved down: " + q0[0] + " -> " + q1[0]);
    assertEquals(q0[1], q1[1], 0.05, "elbow stayed");
    assertEquals(q0[2], q1[2], 0.05, "wrist stayed");
    assertEquals(ControlMode.TELEOP, s.mode());
    assertTrue(s.episodeAgreement().samples() > 0, "ticks where the person drove are compared");
    assertEquals(3, s.episodeAgreement().perJointMaeRad().size());
    assertTrue(
        s.history().stream().anyMatch(c -> c.teleopRad().get(0) < c.executedRad().get(0) - 0.01),
        "the person's next target leads the commanded position while jogging");
    double[] q2 = positions(awaitTicks(t, 3));
    assertArrayEquals(q1, q2, 0.02, "the arm holds once the jog is over");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (!t.state().holding() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(t.state().holding(), "idle: nothing is sent, the arm's watchdog holds it");
  }

  @Test
  void inPolicyModeThePolicyMovesTheArmWithoutJogs() throws Exception {
    Teleop t = start(TaskFamily.REACH, 0);
    double[] q0 = positions(awaitTicks(t, 1));
    t.setMode(ControlMode.POLICY);
    assertFalse(t.jog(List.of(1.0, 0.0, 0.0), 200), "jogs are ignored while the policy drives");
    TeleopState s = awaitTicks(t, 15);
    double[] q1 = positions(s);
    double moved = Math.abs(q1[0] - q0[0]) + Math.abs(q1[1] - q0[1]) + Math.abs(q1[2] - q0[2]);
    assertTrue(moved > 0.1, "the policy moved the arm by " + moved + " rad");
    assertEquals(ControlMode.POLICY, s.mode());
    assertEquals(
        0, s.episodeAgreement().samples(), "agreement only counts ticks where the person drove");
    assertTrue(s.history().stream().anyMatch(c -> c.mode() == ControlMode.POLICY));
  }

  @Test
  void theShadowPolicysOutputsAndTheLiveViewAreInTheState() throws Exception {
    Teleop t = start(TaskFamily.PUSH_DIRECTION, 11);
    boolean grounded = false;
    TeleopState s = null;
    for (int i = 0; i < 10 && !grounded; i++) {
      s = awaitTicks(t, 1);
      grounded = s.groundedMarkId() >= 1;
    }
    assertTrue(grounded, "visual-servo grounds the instruction's object (its first trace's mark)");
    assertTrue(s.stageMillis().containsKey("policy"), "stages: " + s.stageMillis());
    assertTrue(s.stageMillis().containsKey("marks"));
    assertTrue(s.stageMillis().containsKey("roundtrip"));
    assertTrue(s.stageMillis().get("total") >= 0);
    assertFalse(s.instruction().isBlank());
    assertEquals("PUSH_DIRECTION", s.family());
    assertEquals(11, s.seed());
    assertEquals(ROBOT.jointNames(), s.jointNames());
    CommandSample last = s.history().get(s.history().size() - 1);
    assertEquals(3, last.policyRad().size());
    assertEquals(3, last.teleopRad().size());
    assertEquals(3, last.executedRad().size());

    byte[] png = t.framePng();
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertNotNull(img, "a PNG");
    assertEquals(256, img.getWidth(), "twice the 128 px policy input");
    assertArrayEquals(png, t.framePng(), "cached per frame");
    long seq = t.state().frameSeq();
    awaitTicks(t, 1);
    assertTrue(t.state().frameSeq() > seq);
  }

  @Test
  void takingOverMidMotionNeverMakesTheCommandJump() throws Exception {
    Teleop t = start(TaskFamily.REACH, 5);
    awaitTicks(t, 1);
    jogFor(t, new double[] {-1.8, 0, 1.5}, 500);
    t.setMode(ControlMode.POLICY); // mid-motion: the jog was still running
    awaitTicks(t, 6);
    t.setMode(ControlMode.TELEOP);
    jogFor(t, new double[] {1.8, -1.0, 0}, 400);
    t.setMode(ControlMode.POLICY);
    awaitTicks(t, 5);
    List<CommandSample> h = t.state().history();
    assertTrue(h.stream().anyMatch(c -> c.mode() == ControlMode.POLICY));
    assertTrue(h.stream().anyMatch(c -> c.mode() == ControlMode.TELEOP));
    int switches = 0;
    double fastest = 0;
    for (int i = 1; i < h.size(); i++) {
      CommandSample a = h.get(i - 1);
      CommandSample b = h.get(i);
      if (a.mode() != b.mode()) {
        switches++;
      }
      double dt = (b.tMillis() - a.tMillis()) / 1000.0;
      for (int j = 0; j < 3; j++) {
        JointLimits l = ROBOT.joint(j);
        double step = Math.abs(b.executedRad().get(j) - a.executedRad().get(j));
        fastest = Math.max(fastest, step / dt);
        assertTrue(
            step <= l.maxVelocityRadPerS() * dt + 0.03,
            "joint "
                + l.name()
                + " commanded step "
                + step
                + " rad in "
                + dt
                + " s at tick "
                + i
                + " ("
                + a.mode()
                + " -> "
                + b.mode()
                + ")");
      }
    }
    assertTrue(switches >= 3, "switches seen: " + switches);
    assertTrue(
        fastest > 0.5, "the arm was moving fast when control changed hands: " + fastest + " rad/s");
  }

  @Test
  void theEStopLatchesUntilReset() throws Exception {
    Teleop t = start(TaskFamily.REACH, 0);
    awaitTicks(t, 1);
    t.estop("test");
    TeleopState s = t.state();
    assertTrue(s.estopped());
    assertFalse(t.jog(List.of(1.0, 0.0, 0.0), 200), "jogs are ignored while latched");
    double[] q0 = positions(awaitTicks(t, 1));
    t.setMode(ControlMode.POLICY); // the policy would move it (see the policy-mode test)
    s = awaitTicks(t, 8);
    assertArrayEquals(q0, positions(s), 1e-3, "latched: the arm does not move");
    assertTrue(s.estopped());
    assertTrue(s.holding());
    t.setMode(ControlMode.TELEOP);
    t.reset();
    assertFalse(t.state().estopped());
    jogFor(t, new double[] {-1.0, 0, 0}, 500);
    double[] q1 = positions(awaitTicks(t, 2));
    assertTrue(q1[0] < q0[0] - 0.1, "moves again after reset");
  }

  @Test
  void aRecordingRoundTripsInTheSimulatorsEpisodeFormat() throws Exception {
    Teleop t = start(TaskFamily.PUSH_TO_TARGET, 4);
    awaitTicks(t, 1);
    String name = t.startRecording();
    assertTrue(name.matches("teleop-\\d{8}-\\d{6}-4"), name);
    assertEquals(name, t.startRecording(), "already recording: the same recording");
    TeleopState s = t.state();
    assertTrue(s.recording());
    assertEquals(name, s.recordingName());
    jogFor(t, new double[] {0.8, -0.5, 0}, 700);
    RecordingInfo info = t.stopRecording();
    assertFalse(t.state().recording());
    assertThrows(IllegalStateException.class, t::stopRecording);
    assertEquals(name, info.name());
    assertTrue(info.steps() >= 6, "a line every 5 physics steps (10 Hz): " + info.steps());
    assertEquals(s.instruction(), info.instruction());
    assertTrue(info.bytes() > 0);
    assertEquals(List.of(info), t.recordings());

    EpisodeReader reader = EpisodeReader.open(recordings.resolve(name));
    assertTrue(reader.metadata().complete());
    assertEquals(4, reader.metadata().seed());
    assertEquals(TaskFamily.PUSH_TO_TARGET, reader.metadata().task().family());
    assertEquals(5, reader.metadata().stepEvery());
    List<StepRecord> steps;
    try (Stream<StepRecord> st = reader.steps()) {
      steps = st.toList();
    }
    assertEquals(info.steps(), steps.size());
    assertEquals(3, steps.get(0).action().length, "the commanded joint targets");
    assertTrue(steps.get(steps.size() - 1).isFinal());
    assertTrue(steps.get(1).step() - steps.get(0).step() == 5);
    assertEquals(128, reader.frame(steps.get(0)).widthPx());
    double moved =
        steps.get(steps.size() - 1).jointPositionsRad()[0] - steps.get(0).jointPositionsRad()[0];
    assertTrue(moved > 0.2, "the jog is in the recording: " + moved);

    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    t.writeRecordingZip(name, zip);
    List<String> entries = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.toByteArray()))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.add(e.getName());
      }
    }
    assertTrue(entries.contains(name + "/episode.json"), entries.toString());
    assertTrue(entries.contains(name + "/steps.jsonl"));
    assertTrue(
        entries.stream().anyMatch(e -> e.startsWith(name + "/frames/") && e.endsWith(".png")));
    for (String bad : new String[] {"..", ".", "../" + name, name + "/..", "nope", "a/b", ""}) {
      assertThrows(
          NoSuchElementException.class,
          () -> t.writeRecordingZip(bad, new ByteArrayOutputStream()),
          bad);
    }
  }

  @Test
  void aNewEpisodeFinishesTheRecordingAndStartsOver() throws Exception {
    Teleop t = start(TaskFamily.REACH, 1);
    awaitTicks(t, 2);
    t.startRecording();
    awaitTicks(t, 2);
    t.newEpisode(TaskFamily.PUSH_DIRECTION.name(), 9);
    TeleopState s = t.state();
    assertEquals("PUSH_DIRECTION", s.family());
    assertEquals(9, s.seed());
    assertFalse(s.recording());
    assertTrue(s.history().size() <= 1, "history starts over");
    assertEquals(1, t.recordings().size());
    assertTrue(t.recordings().get(0).steps() >= 2);
    assertTrue(awaitTicks(t, 2).episodeMillis() < 5_000);
  }
}
