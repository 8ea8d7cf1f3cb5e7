package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.ros.msg.JointTrajectoryPoint;
import mantis.security.AuthInterceptor;
import mantis.security.Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BridgeArmServiceTest {
  private Harness h;
  private Server armServer;
  private ManagedChannel armChannel;
  private final List<JointStateMsg> states = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    h = new Harness().started();
    String name = InProcessServerBuilder.generateName();
    armServer =
        BridgeArmService.serve(
            h.core,
            h.clock,
            InProcessServerBuilder.forName(name).directExecutor(),
            new HealthStatusManager(),
            AuthInterceptor.builder().setOpen(Principal.LOCAL_NO_AUTH).build());
    armChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() {
    armChannel.shutdownNow();
    armServer.shutdownNow();
    h.close();
  }

  private StreamObserver<JointCommand> openStream() {
    return ArmServiceGrpc.newStub(armChannel)
        .streamCommands(
            new StreamObserver<>() {
              @Override
              public void onNext(JointStateMsg m) {
                states.add(m);
              }

              @Override
              public void onError(Throwable t) {
                errors.add(t);
              }

              @Override
              public void onCompleted() {}
            });
  }

  private static JointCommand command(double[]... points) {
    return JointCommand.newBuilder()
        .setRobotId("arm7")
        .setChunk(Harness.chunk(0, 500_000_000L, points))
        .build();
  }

  @Test
  void healthSaysServing() {
    var health = HealthGrpc.newBlockingStub(armChannel);
    assertEquals(
        ServingStatus.SERVING,
        health
            .check(HealthCheckRequest.newBuilder().setService(ArmServiceGrpc.SERVICE_NAME).build())
            .getStatus());
  }

  @Test
  void streamedCommandsPassTheSafetyFilterAndTakePriorityOverThePolicy() {
    h.step(0.1, 0.2, 0.3);
    assertEquals(1, h.port.trajectories.size(), "the policy drives");
    StreamObserver<JointCommand> arm = openStream();
    arm.onNext(command(new double[] {0.12, 0.2, 0.3}, new double[] {50.0, -50.0, Double.NaN}));
    assertEquals(2, h.port.trajectories.size());
    double limit = 2.6 - SafetyFilter.DEFAULT_POSITION_MARGIN_RAD;
    for (JointTrajectoryPoint p : h.port.last().points()) {
      for (double q : p.positions()) {
        assertTrue(Double.isFinite(q) && Math.abs(q) <= limit, "position " + q);
      }
    }
    assertEquals(Harness.ROS_NAMES, h.port.last().jointNames());

    h.clock.advanceMillis(60);
    arm.onNext(command(new double[] {0.12, 0.2, 0.3}));
    assertEquals(3, h.port.trajectories.size());
    h.clock.advanceMillis(40);
    h.step(0.1, 0.2, 0.3);
    assertEquals(2, h.policy.observations.size(), "the policy still gets observations ...");
    assertEquals(3, h.port.trajectories.size(), "... but its chunks are not published");
    assertFalse(states.isEmpty(), "joint states stream back");
    assertEquals(
        List.of(0.1, 0.2, 0.3),
        states.get(states.size() - 1).getJointState().getPositionsRadList());
    assertEquals("arm7", states.get(0).getRobotId());

    // The arm client goes quiet for 100 ms: the watchdog holds, and the policy drives again.
    h.clock.advanceMillis(59);
    h.core.tick();
    assertEquals(3, h.port.trajectories.size());
    h.clock.advanceMillis(1);
    h.core.tick();
    assertEquals(4, h.port.trajectories.size());
    BridgeCoreTest.assertHold(h.port.last(), 0.1, 0.2, 0.3);
    h.clock.advanceMillis(40);
    h.step(0.1, 0.2, 0.3);
    assertEquals(5, h.port.trajectories.size());
    assertEquals(2, h.port.last().points().size());
    arm.onCompleted();
  }

  @Test
  void estopThroughGrpcHoldsAndBlocksThePolicyUntilReset() {
    h.step(0.1, 0.2, 0.3);
    var blocking = ArmServiceGrpc.newBlockingStub(armChannel);
    ArmStatus st = blocking.eStop(EStopRequest.newBuilder().setReason("operator").build());
    assertTrue(st.getEstopped());
    assertTrue(st.getHolding());
    assertEquals(2, h.port.trajectories.size());
    BridgeCoreTest.assertHold(h.port.last(), 0.1, 0.2, 0.3);

    StreamObserver<JointCommand> arm = openStream();
    arm.onNext(command(new double[] {0.2, 0.2, 0.3}));
    arm.onCompleted();
    for (int i = 0; i < 3; i++) {
      h.clock.advanceMillis(100);
      h.step(0.1, 0.2, 0.3);
    }
    assertEquals(
        2, h.port.trajectories.size(), "neither the arm client nor the policy moves the arm");
    assertTrue(h.core.status().startsWith("state=estopped"));

    assertFalse(blocking.reset(ResetRequest.getDefaultInstance()).getEstopped());
    h.clock.advanceMillis(100);
    h.step(0.1, 0.2, 0.3);
    assertEquals(3, h.port.trajectories.size());
    assertEquals(2, h.port.last().points().size());
  }

  @Test
  void holdAlwaysPublishesAndAWrongRobotIsRefused() {
    h.step(0.1, 0.2, 0.3);
    var blocking = ArmServiceGrpc.newBlockingStub(armChannel);
    assertTrue(blocking.hold(HoldRequest.newBuilder().setReason("test").build()).getHolding());
    assertTrue(blocking.hold(HoldRequest.getDefaultInstance()).getHolding());
    assertEquals(3, h.port.trajectories.size());
    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> blocking.eStop(EStopRequest.newBuilder().setRobotId("other").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertFalse(h.core.filter().isEstopped());

    StreamObserver<JointCommand> arm = openStream();
    arm.onNext(
        JointCommand.newBuilder()
            .setRobotId("other")
            .setChunk(Harness.chunk(0, 1, new double[] {0, 0, 0}))
            .build());
    assertEquals(1, errors.size());
    assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(errors.get(0)).getCode());
    assertEquals(3, h.port.trajectories.size());
  }
}
