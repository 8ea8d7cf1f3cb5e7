package mantis.wire.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mantis.core.ActionChunk;
import mantis.core.FakeClock;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.core.arm.Arm;
import mantis.core.arm.ArmListener;
import mantis.core.arm.ArmState;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArmServiceAdapterTest {
  private static final List<String> JOINTS = List.of("j0", "j1");

  private final FakeArm arm = new FakeArm();
  private ArmServiceAdapter adapter;
  private Server server;
  private ManagedChannel channel;

  /** An arm that records what it is asked. */
  static final class FakeArm implements Arm {
    final FakeClock clock = new FakeClock(1_000_000_000L);
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    volatile ArmState state = new ArmState(true, false, 0);
    volatile boolean refuse;

    @Override
    public String robotId() {
      return "arm-1";
    }

    @Override
    public RobotSpec robot() {
      return RobotSpecs.mantisPlanar3();
    }

    @Override
    public MonotonicClock clock() {
      return clock;
    }

    @Override
    public ArmState state() {
      return state;
    }

    @Override
    public void hold(String reason) {
      calls.add("hold:" + reason);
      state = new ArmState(true, state.estopped(), state.interventions());
    }

    @Override
    public void estop(String reason) {
      calls.add("estop:" + reason);
      state = new ArmState(true, true, state.interventions());
    }

    @Override
    public void reset() {
      calls.add("reset");
      state = new ArmState(state.holding(), false, state.interventions());
    }

    @Override
    public Session openSession(ArmListener listener) {
      if (refuse) {
        throw new IllegalStateException("closed");
      }
      FakeSession s = new FakeSession(listener);
      sessions.add(s);
      return s;
    }

    void publish(double q0, double q1) {
      JointState js =
          new JointState(JOINTS, new double[] {q0, q1}, new double[] {0.5, -0.5}, clock.nanoTime());
      for (FakeSession s : sessions) {
        if (s.outcome == null) {
          s.listener.onJointState(js, state);
        }
      }
    }
  }

  static final class FakeSession implements Arm.Session {
    final ArmListener listener;
    final List<ActionChunk> chunks = new CopyOnWriteArrayList<>();
    volatile String outcome;
    int closes;

    FakeSession(ArmListener listener) {
      this.listener = listener;
    }

    @Override
    public void command(ActionChunk chunk) {
      chunks.add(chunk);
    }

    @Override
    public synchronized void close(String outcome) {
      closes++;
      this.outcome = outcome;
    }
  }

  /** An open StreamCommands call and what happened to it. */
  private final class Call implements StreamObserver<JointStateMsg> {
    final List<JointStateMsg> states = new CopyOnWriteArrayList<>();
    final List<Status> ends = new CopyOnWriteArrayList<>();
    final StreamObserver<JointCommand> in = ArmServiceGrpc.newStub(channel).streamCommands(this);

    @Override
    public void onNext(JointStateMsg m) {
      states.add(m);
    }

    @Override
    public void onError(Throwable t) {
      ends.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ends.add(Status.OK);
    }
  }

  private void serve(ArmServiceAdapter.Builder b) throws Exception {
    adapter = b.build();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name).directExecutor().addService(adapter).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  private void serve() throws Exception {
    serve(ArmServiceAdapter.builder().setArm(arm));
  }

  @AfterEach
  void tearDown() {
    if (channel != null) {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  private static JointCommand command(String robotId, long validForNanos) {
    return JointCommand.newBuilder()
        .setRobotId(robotId)
        .setChunk(
            mantis.proto.v1.ActionChunk.newBuilder()
                .addAllJointNames(JOINTS)
                .setValidForNanos(validForNanos)
                .setValidUntilNanos(7)
                .addPoints(
                    ActionPoint.newBuilder()
                        .addPositionsRad(0.1)
                        .addPositionsRad(0.2)
                        .setTimeFromStartNanos(10)))
        .build();
  }

  @Test
  void holdEstopAndResetReachTheArmWithTheCallersReasonAndAnswerItsStatus() throws Exception {
    serve();
    var stub = ArmServiceGrpc.newBlockingStub(channel);
    ArmStatus held = stub.hold(HoldRequest.newBuilder().setReason("lunch").build());
    assertEquals("arm-1", held.getRobotId());
    assertTrue(held.getHolding());
    ArmStatus stopped = stub.eStop(EStopRequest.newBuilder().setRobotId("arm-1").build());
    assertTrue(stopped.getEstopped());
    ArmStatus reset = stub.reset(ResetRequest.getDefaultInstance());
    assertFalse(reset.getEstopped());
    assertEquals(List.of("hold:lunch", "estop:", "reset"), arm.calls);
  }

  @Test
  void aRequestForAnotherRobotIsNotFoundAndNeverReachesTheArm() throws Exception {
    serve();
    var stub = ArmServiceGrpc.newBlockingStub(channel);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub.eStop(EStopRequest.newBuilder().setRobotId("arm-2").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("this arm is arm-1, not arm-2", e.getStatus().getDescription());
    assertThrows(
        StatusRuntimeException.class,
        () -> stub.hold(HoldRequest.newBuilder().setRobotId("x").build()));
    assertThrows(
        StatusRuntimeException.class,
        () -> stub.reset(ResetRequest.newBuilder().setRobotId("x").build()));
    assertEquals(List.of(), arm.calls);
  }

  @Test
  void aCommandIsPlayedValidFromItsArrivalOnTheArmsClock() throws Exception {
    serve();
    Call call = new Call();
    arm.clock.advanceMillis(5);
    call.in.onNext(command("", 40_000_000L));
    call.in.onNext(command("arm-1", -3));
    FakeSession s = arm.sessions.get(0);
    assertEquals(2, s.chunks.size());
    assertEquals(arm.clock.nanoTime() + 40_000_000L, s.chunks.get(0).validUntilNanos());
    assertEquals(
        arm.clock.nanoTime(), s.chunks.get(1).validUntilNanos(), "no validity: already expired");
    assertEquals(JOINTS, s.chunks.get(0).jointNames());
    assertEquals(0.2, s.chunks.get(0).points().get(0).positionRad(1));
  }

  @Test
  void everyJointStateStreamsBackWithTheArmsState() throws Exception {
    serve();
    Call a = new Call();
    Call b = new Call();
    arm.state = new ArmState(false, true, 3);
    arm.publish(0.25, -0.5);
    for (Call c : List.of(a, b)) {
      assertEquals(1, c.states.size());
      JointStateMsg m = c.states.get(0);
      assertEquals("arm-1", m.getRobotId());
      assertEquals(JOINTS, m.getJointState().getNamesList());
      assertEquals(List.of(0.25, -0.5), m.getJointState().getPositionsRadList());
      assertEquals(List.of(0.5, -0.5), m.getJointState().getVelocitiesRadPerSList());
      assertEquals(arm.clock.nanoTime(), m.getJointState().getStampNanos());
      assertFalse(m.getHolding());
      assertTrue(m.getEstopped());
      assertEquals(3, m.getInterventions());
    }
  }

  @Test
  void aCommandForAnotherRobotOrWithoutAChunkEndsTheCallWithInvalidArgumentAndClosesTheSession()
      throws Exception {
    serve();
    Call wrong = new Call();
    wrong.in.onNext(command("arm-9", 1));
    assertEquals(1, wrong.ends.size());
    assertEquals(Status.Code.INVALID_ARGUMENT, wrong.ends.get(0).getCode());
    assertEquals("command for robot arm-9 sent to arm arm-1", wrong.ends.get(0).getDescription());
    assertEquals("INVALID_ARGUMENT", arm.sessions.get(0).outcome);
    assertEquals(List.of(), arm.sessions.get(0).chunks);

    Call empty = new Call();
    empty.in.onNext(JointCommand.newBuilder().setRobotId("arm-1").build());
    assertEquals("command has no chunk", empty.ends.get(0).getDescription());
    assertEquals(Status.Code.INVALID_ARGUMENT, empty.ends.get(0).getCode());
    assertEquals(0, adapter.openStreams());
    arm.publish(0, 0);
    assertEquals(List.of(), wrong.states, "an ended call gets no more states");
  }

  @Test
  void aCompletedOrCancelledCallClosesItsSessionOnceWithItsOutcome() throws Exception {
    serve();
    Call done = new Call();
    Call gone = new Call();
    assertEquals(2, adapter.openStreams());
    done.in.onCompleted();
    assertEquals(List.of(Status.OK), done.ends);
    gone.in.onError(Status.CANCELLED.asRuntimeException());
    assertEquals("OK", arm.sessions.get(0).outcome);
    assertEquals("CANCELLED", arm.sessions.get(1).outcome);
    assertEquals(1, arm.sessions.get(0).closes);
    assertEquals(1, arm.sessions.get(1).closes);
    assertEquals(0, adapter.openStreams());
  }

  @Test
  void closeEndsEveryOpenCallWithOk() throws Exception {
    serve();
    Call a = new Call();
    Call b = new Call();
    adapter.close();
    assertEquals(List.of(Status.OK), a.ends);
    assertEquals(List.of(Status.OK), b.ends);
    assertEquals("OK", arm.sessions.get(1).outcome);
    adapter.close();
    assertEquals(1, arm.sessions.get(0).closes);
  }

  @Test
  void aCallBeyondMaxStreamsIsRefusedNamingTheLimitAndOpensNoSession() throws Exception {
    serve(
        ArmServiceAdapter.builder()
            .setArm(arm)
            .optMaxStreams(2, "arm_service.max_streams")
            .optLabel("bridge's ArmService"));
    Call a = new Call();
    Call b = new Call();
    Call c = new Call();
    assertEquals(List.of(), a.ends);
    assertEquals(List.of(), b.ends);
    assertEquals(1, c.ends.size());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, c.ends.get(0).getCode());
    assertEquals(
        "the bridge's ArmService has 2 StreamCommands calls open, its limit (arm_service.max_streams: 2);"
            + " close one first",
        c.ends.get(0).getDescription());
    assertEquals(2, arm.sessions.size());
    c.in.onNext(command("", 1));
    a.in.onCompleted();
    Call d = new Call();
    assertEquals(List.of(), d.ends, "the closed call's place is free");
  }

  @Test
  void theDefaultRefusalNamesTheArm() throws Exception {
    serve(ArmServiceAdapter.builder().setArm(arm).optMaxStreams(1, "max_streams"));
    new Call();
    Call c = new Call();
    assertEquals(
        "the ArmService of arm arm-1 has 1 StreamCommands calls open, its limit (max_streams: 1);"
            + " close one first",
        c.ends.get(0).getDescription());
  }

  @Test
  void anArmThatCannotTakeAControllerMakesTheCallUnavailable() throws Exception {
    serve(ArmServiceAdapter.builder().setArm(arm).optMaxStreams(1, "max_streams"));
    arm.refuse = true;
    Call c = new Call();
    assertEquals(Status.Code.UNAVAILABLE, c.ends.get(0).getCode());
    assertEquals("arm arm-1 cannot take commands now", c.ends.get(0).getDescription());
    arm.refuse = false;
    Call d = new Call();
    assertEquals(List.of(), d.ends, "the refused call took no place");
  }

  @Test
  void theBuilderNeedsAnArmAndAPositiveLimit() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> ArmServiceAdapter.builder().build());
    assertEquals("setArm is required", e.getMessage());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> ArmServiceAdapter.builder().setArm(arm).optMaxStreams(0, "x").build());
    assertEquals("max streams must be >= 1, got 0", bad.getMessage());
  }
}
