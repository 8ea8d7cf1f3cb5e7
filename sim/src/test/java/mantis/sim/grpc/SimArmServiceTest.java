package mantis.sim.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated arm behind ArmService, ticked by hand against a fake clock. */
class SimArmServiceTest {
  private static final List<String> JOINTS = List.of("shoulder", "elbow", "wrist");
  private static final long TICK_NANOS = 20_000_000L;

  private FakeClock clock;
  private TabletopSim sim;
  private SimArmService arm;
  private Server server;
  private ManagedChannel channel;
  private final LinkedBlockingQueue<JointStateMsg> states = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Status> ends = new LinkedBlockingQueue<>();
  private StreamObserver<JointCommand> commands;

  @BeforeEach
  void start() throws Exception {
    clock = new FakeClock(5_000_000_000L);
    sim = TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(60).build());
    sim.reset(1, TaskFamily.PUSH_TO_TARGET);
    arm = SimArmService.builder().setSim(sim).optRobotId("sim-1").optClock(clock).build();
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(arm).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    commands =
        ArmServiceGrpc.newStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .streamCommands(
                new StreamObserver<>() {
                  @Override
                  public void onNext(JointStateMsg value) {
                    states.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    ends.add(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ends.add(Status.OK);
                  }
                });
  }

  @AfterEach
  void stop() throws Exception {
    arm.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private ArmServiceGrpc.ArmServiceBlockingStub blocking() {
    return ArmServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /** A command moving from the arm's position to {@code target} in 4 points over 0.8 s. */
  private JointCommand moveTo(double[] target, long validForNanos) {
    double[] q0 = sim.jointState().positionsRad();
    ActionChunk.Builder c =
        ActionChunk.newBuilder().addAllJointNames(JOINTS).setValidForNanos(validForNanos);
    for (int i = 1; i <= 4; i++) {
      ActionPoint.Builder p = ActionPoint.newBuilder().setTimeFromStartNanos(i * 200_000_000L);
      for (int j = 0; j < 3; j++) {
        p.addPositionsRad(q0[j] + (target[j] - q0[j]) * i / 4.0);
      }
      c.addPoints(p);
    }
    return JointCommand.newBuilder().setRobotId("sim-1").setChunk(c).build();
  }

  private JointStateMsg tick(int n) throws InterruptedException {
    JointStateMsg last = null;
    for (int i = 0; i < n; i++) {
      clock.advanceNanos(TICK_NANOS);
      arm.tick();
      last = states.poll(5, TimeUnit.SECONDS);
    }
    return last;
  }

  private static double[] positions(JointStateMsg m) {
    return m.getJointState().getPositionsRadList().stream()
        .mapToDouble(Double::doubleValue)
        .toArray();
  }

  @Test
  void commandsMoveTheArmAndJointStatesStreamBack() throws Exception {
    double[] q0 = sim.jointState().positionsRad();
    // Within what the limits allow in 0.8 s, so the safety filter passes it unchanged.
    double[] target = {q0[0] + 0.3, q0[1] - 0.3, q0[2] + 0.2};
    commands.onNext(moveTo(target, 5_000_000_000L));
    JointStateMsg m = tick(1);
    assertEquals("sim-1", m.getRobotId());
    assertEquals(JOINTS, m.getJointState().getNamesList());
    assertFalse(m.getHolding());
    m = tick(100);
    assertArrayEquals(target, positions(m), 0.01);
    assertEquals(0, m.getInterventions());
    assertEquals(clock.nanoTime(), m.getJointState().getStampNanos());
  }

  @Test
  void targetsBeyondTheLimitsAreClampedByTheSafetyFilter() throws Exception {
    commands.onNext(moveTo(new double[] {9, -9, 9}, 10_000_000_000L));
    for (int i = 0; i < 300; i++) {
      for (double q : positions(tick(1))) {
        assertTrue(Math.abs(q) <= 2.6 - 0.02 + 1e-9, "inside the limits: " + q);
      }
    }
    assertTrue(tick(1).getInterventions() > 0);
  }

  @Test
  void anExpiredCommandIsNeverExecuted() throws Exception {
    double[] start = sim.jointState().positionsRad();
    commands.onNext(moveTo(new double[] {1.0, 1.0, 1.0}, 100_000_000L));
    JointStateMsg m = tick(4);
    assertFalse(m.getHolding());
    m = tick(1);
    assertTrue(m.getHolding(), "past 100 ms the arm holds");
    double[] heldTargets = sim.lastAction();
    tick(50);
    assertArrayEquals(
        heldTargets, sim.lastAction(), 0.0, "the held target does not follow the stale chunk");
    assertTrue(
        Math.abs(positions(tick(1))[0] - start[0]) < 0.2, "the arm stopped early on its way");
  }

  @Test
  void theWatchdogHoldsWhenCommandsStop() throws Exception {
    commands.onNext(moveTo(new double[] {1.0, 0.5, 0.0}, 10_000_000_000L));
    assertFalse(tick(4).getHolding());
    arm.pollWatchdogs();
    assertFalse(tick(1).getHolding(), "100 ms have not passed yet");
    clock.advanceMillis(10);
    arm.pollWatchdogs();
    assertTrue(tick(1).getHolding(), "held after 100 ms without a command");
    commands.onNext(moveTo(new double[] {1.0, 0.5, 0.0}, 10_000_000_000L));
    assertFalse(tick(1).getHolding(), "a fresh command moves it again");
  }

  @Test
  void eStopHoldsEveryCommandUntilReset() throws Exception {
    assertTrue(blocking().eStop(EStopRequest.newBuilder().setReason("test").build()).getEstopped());
    double[] before = positions(tick(1));
    commands.onNext(moveTo(new double[] {1.0, 1.0, 1.0}, 10_000_000_000L));
    JointStateMsg m = tick(30);
    assertTrue(m.getEstopped());
    assertTrue(m.getHolding());
    assertArrayEquals(before, positions(m), 1e-6);
    assertFalse(blocking().reset(ResetRequest.getDefaultInstance()).getEstopped());
    commands.onNext(moveTo(new double[] {1.0, 1.0, 1.0}, 10_000_000_000L));
    m = tick(30);
    assertFalse(m.getEstopped());
    assertTrue(Math.abs(positions(m)[0] - before[0]) > 0.1, "moves after reset");
  }

  @Test
  void holdStopsTheCurrentChunk() throws Exception {
    commands.onNext(moveTo(new double[] {1.5, 0, 0}, 10_000_000_000L));
    tick(10);
    assertTrue(
        blocking().hold(HoldRequest.newBuilder().setReason("operator").build()).getHolding());
    double[] heldTargets = null;
    for (int i = 0; i < 20; i++) {
      assertTrue(tick(1).getHolding());
      if (heldTargets == null) {
        heldTargets = sim.lastAction();
      }
      assertArrayEquals(heldTargets, sim.lastAction(), 0.0);
    }
  }

  @Test
  void commandsForAnotherRobotAreRefused() throws Exception {
    commands.onNext(
        moveTo(new double[] {1, 0, 0}, 1_000_000_000L).toBuilder().setRobotId("other").build());
    Status s = ends.poll(5, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> blocking().hold(HoldRequest.newBuilder().setRobotId("other").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void theStepListenerSeesEveryStepBeforeItIsAppliedAndResetEpisodeStartsOver() throws Exception {
    List<long[]> seen = new java.util.ArrayList<>();
    List<double[]> targets = new java.util.ArrayList<>();
    SimArmService listened =
        SimArmService.builder()
            .setSim(sim)
            .optRobotId("sim-1")
            .optClock(clock)
            .optStepListener(
                (s, q) -> {
                  seen.add(new long[] {s.stepCount()});
                  targets.add(q);
                })
            .build();
    long before = listened.withSim(TabletopSim::stepCount);
    for (int i = 0; i < 3; i++) {
      clock.advanceNanos(TICK_NANOS);
      listened.tick();
    }
    assertEquals(3, seen.size());
    assertEquals(before, seen.get(0)[0], "called before the step is applied");
    assertArrayEquals(sim.lastAction(), targets.get(2), 0.0);
    listened.resetEpisode(7, TaskFamily.REACH);
    assertEquals(0L, listened.withSim(TabletopSim::stepCount));
    assertEquals(7L, listened.withSim(TabletopSim::seed));
    listened.close();
  }
}
