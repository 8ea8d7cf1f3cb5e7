package mantis.sim.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
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
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ArmService serving the simulated UR5e-like 6-joint arm. */
class SixJointSimArmTest {
  private static final List<String> UR_JOINTS =
      List.of(
          "shoulder_pan_joint",
          "shoulder_lift_joint",
          "elbow_joint",
          "wrist_1_joint",
          "wrist_2_joint",
          "wrist_3_joint");
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
    sim = TabletopSim.create(SimConfig.builder().optRobot("ur5e").optMaxEpisodeSeconds(60).build());
    sim.reset(1, TaskFamily.PUSH_TO_TARGET);
    arm = SimArmService.builder().setSim(sim).optRobotId("ur-1").optClock(clock).build();
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

  private JointCommand moveTo(List<String> names, double[] target) {
    double[] q0 = sim.jointState().positionsRad();
    ActionChunk.Builder c =
        ActionChunk.newBuilder().addAllJointNames(names).setValidForNanos(5_000_000_000L);
    for (int i = 1; i <= 4; i++) {
      ActionPoint.Builder p = ActionPoint.newBuilder().setTimeFromStartNanos(i * 200_000_000L);
      for (int j = 0; j < target.length; j++) {
        p.addPositionsRad(q0[j] + (target[j] - q0[j]) * i / 4.0);
      }
      c.addPoints(p);
    }
    return JointCommand.newBuilder().setRobotId("ur-1").setChunk(c).build();
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
  void jointStatesCarrySixJointsWithTheUrNamesAndCommandsMoveThem() throws Exception {
    double[] q0 = sim.jointState().positionsRad();
    double[] target = q0.clone();
    target[0] += 0.3;
    target[3] -= 0.2;
    target[5] += 0.3;
    commands.onNext(moveTo(UR_JOINTS, target));
    JointStateMsg m = tick(1);
    assertEquals(UR_JOINTS, m.getJointState().getNamesList());
    assertEquals(6, m.getJointState().getPositionsRadCount());
    assertFalse(m.getHolding());
    m = tick(100);
    assertArrayEquals(target, positions(m), 0.01);
    assertEquals(0, m.getInterventions());
  }

  @Test
  void aCommandForThePlanarArmsJointsIsHeldBySafetyFilterAndNeverMovesTheArm() throws Exception {
    double[] q0 = sim.jointState().positionsRad();
    commands.onNext(moveTo(List.of("shoulder", "elbow", "wrist"), new double[] {1, 1, 1}));
    JointStateMsg m = tick(30);
    assertTrue(m.getHolding(), "wrong joints become a hold");
    assertTrue(m.getInterventions() > 0);
    assertArrayEquals(q0, positions(m), 1e-9);
    assertEquals(null, ends.poll(), "the stream stays open");
  }
}
