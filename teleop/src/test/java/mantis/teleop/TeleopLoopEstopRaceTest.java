package mantis.teleop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.core.FakeClock;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointState;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.Principal;
import mantis.security.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The e-stop/reset race of {@link TeleopLoop}: the arm's joint-state stream lags, so after a
 * dashboard e-stop and reset, states the arm sent before it latched (estopped=false) and while it
 * was latched (estopped=true) can still arrive. A scripted in-process ArmService pushes each state
 * by hand and a fake clock stands still; every push is awaited until the session has processed it
 * (no sleeps).
 */
class TeleopLoopEstopRaceTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();
  private static final String ROBOT_ID = "arm-1";
  private static final long STEP_NANOS = 20_000_000L;

  private final Principal alice = new Principal("alice", Role.OPERATOR, "10.0.0.7:50123");
  private final FakeClock clock = new FakeClock(5_000_000_000L);
  private final MemoryAuditLog audit = new MemoryAuditLog();
  private final ScriptedArm scripted = new ScriptedArm();

  /** Released once per arm state the session has finished processing. */
  private final Semaphore processed = new Semaphore(0);

  private Server server;
  private ManagedChannel channel;
  private TeleopLoop loop;
  private StreamObserver<JointStateMsg> armStates;
  private long sequence;

  @BeforeEach
  void openSession() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(scripted).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    Channel counted = ClientInterceptors.intercept(channel, new CountProcessedStates());
    loop =
        new TeleopLoop(
            new NoFrames(),
            channel,
            ROBOT,
            10,
            clock,
            64,
            Duration.ofSeconds(1),
            "reach",
            1,
            "teleop-race-test",
            audit);
    loop.markStarted();
    loop.open(counted);
    armStates = scripted.stream.get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeSession() throws Exception {
    loop.stopTicks();
    loop.closeStream();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void staleStatesFromBeforeTheLatchArrivingAfterAResetAreNotTakenForANewArmSideEStop()
      throws Exception {
    push(false);
    push(false);
    assertFalse(loop.state().estopped());

    // The dashboard e-stops; the arm latches (its EStop answer says so) but has not yet sent a
    // latched state.
    loop.estop("hand in the cell", alice);
    assertEquals(1, scripted.estops.get());
    assertTrue(loop.state().estopped());
    clock.advanceNanos(STEP_NANOS);
    loop.reset(alice);
    assertEquals(1, scripted.resets.get());
    assertFalse(loop.state().estopped());

    // The stream catches up: a state sent before the latch, two sent while latched (before the
    // reset), then the arm's answer to the reset.
    push(false);
    assertFalse(loop.state().estopped(), "a stale estopped=false is not the arm's clear");
    push(true);
    push(true);
    assertFalse(
        loop.state().estopped(), "latched states sent before the reset are not a new e-stop");
    assertTrue(loop.jog(List.of(0.1, 0.0, 0.0), 100, alice), "jogs are accepted after the reset");
    push(false);

    assertFalse(loop.state().estopped());
    assertEquals(List.of(), armSideEStops(), audit.events.toString());
    List<AuditEvent> estops = audit.of(AuditEvent.ESTOP);
    assertEquals(1, estops.size(), audit.events.toString());
    assertEquals(TeleopLoop.VIA, estops.get(0).fields().get("via"));
    assertEquals(1, audit.of(AuditEvent.RESET).size(), audit.events.toString());

    // That last estopped=false was the arm's clear: a latch after it is the arm's own.
    push(true);
    assertTrue(loop.state().estopped(), "a latch after the arm's clear is followed");
    assertEquals(1, armSideEStops().size(), audit.events.toString());
  }

  @Test
  void withoutALatchOnTheStreamAnEstoppedFalseIsTheClearOnceTheStaleWindowHasPassed()
      throws Exception {
    push(false);
    loop.estop("hand in the cell", alice);
    loop.reset(alice);
    assertFalse(loop.state().estopped());

    // The arm sent no latched state at all; by the window's end nothing stale can follow.
    clock.advanceNanos(TeleopLoop.STALE_CLEAR_NANOS);
    push(false);
    assertFalse(loop.state().estopped());
    assertEquals(List.of(), armSideEStops(), audit.events.toString());

    // Latched on the arm's side (not from this dashboard): the session follows it.
    push(true);
    assertTrue(loop.state().estopped(), "an arm-side latch after the clear is followed");
    assertFalse(loop.jog(List.of(0.1, 0.0, 0.0), 100, alice), "jogs are refused under e-stop");
    List<AuditEvent> fromArm = armSideEStops();
    assertEquals(1, fromArm.size(), audit.events.toString());
    assertEquals(ROBOT_ID, fromArm.get(0).robotId());
    assertTrue(
        fromArm.get(0).detail().startsWith("the arm reports its e-stop latched"),
        fromArm.get(0).toString());
    assertEquals(2, audit.of(AuditEvent.ESTOP).size(), audit.events.toString());
  }

  /** The arm sends one joint state; returns once the session has processed it. */
  private void push(boolean estopped) throws InterruptedException {
    clock.advanceNanos(STEP_NANOS);
    long seq = ++sequence;
    armStates.onNext(
        JointStateMsg.newBuilder()
            .setRobotId(ROBOT_ID)
            .setJointState(
                JointState.newBuilder()
                    .addAllNames(ROBOT.jointNames())
                    .addPositionsRad(0.01 * seq)
                    .addPositionsRad(0.0)
                    .addPositionsRad(0.0)
                    .setStampNanos(clock.nanoTime()))
            .setEstopped(estopped)
            .setHolding(estopped)
            .build());
    assertTrue(
        processed.tryAcquire(5, TimeUnit.SECONDS), "the session did not process state " + seq);
  }

  private List<AuditEvent> armSideEStops() {
    return audit.of(AuditEvent.ESTOP).stream()
        .filter(e -> "arm".equals(e.fields().get("via")))
        .toList();
  }

  /** Keeps events in memory. */
  private static final class MemoryAuditLog implements AuditLog {
    final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(AuditEvent event) {
      events.add(event);
    }

    List<AuditEvent> of(String event) {
      return events.stream().filter(e -> e.event().equals(event)).toList();
    }

    @Override
    public void close() {}
  }

  /** An arm with no camera: the loop's ticks (not started here) would have nothing to act on. */
  private static final class NoFrames implements TeleopArm {
    @Override
    public String robotId() {
      return ROBOT_ID;
    }

    @Override
    public Snapshot snapshot(long nowNanos, JointStateMsg latest, long latestArrivalNanos) {
      return null;
    }

    @Override
    public boolean holdsWhenIdle() {
      return false;
    }

    @Override
    public String recordingName() {
      return "";
    }
  }

  /**
   * An ArmService whose joint-state stream the test writes by hand; EStop and Reset answer at once
   * (latched, cleared) without sending a state.
   */
  private static final class ScriptedArm extends ArmServiceGrpc.ArmServiceImplBase {
    final CompletableFuture<StreamObserver<JointStateMsg>> stream = new CompletableFuture<>();
    final AtomicInteger estops = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();

    @Override
    public StreamObserver<JointCommand> streamCommands(StreamObserver<JointStateMsg> states) {
      stream.complete(states);
      return new StreamObserver<>() {
        @Override
        public void onNext(JointCommand value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          states.onCompleted();
        }
      };
    }

    @Override
    public void eStop(EStopRequest request, StreamObserver<ArmStatus> reply) {
      estops.incrementAndGet();
      reply.onNext(
          ArmStatus.newBuilder()
              .setRobotId(request.getRobotId())
              .setEstopped(true)
              .setHolding(true)
              .build());
      reply.onCompleted();
    }

    @Override
    public void reset(ResetRequest request, StreamObserver<ArmStatus> reply) {
      resets.incrementAndGet();
      reply.onNext(ArmStatus.newBuilder().setRobotId(request.getRobotId()).build());
      reply.onCompleted();
    }
  }

  /**
   * Releases {@link #processed} after the session's stream observer has returned from each joint
   * state (gRPC delivers a call's messages one at a time, so the state and its audit line are
   * done).
   */
  private final class CountProcessedStates implements ClientInterceptor {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onMessage(RespT message) {
                  super.onMessage(message);
                  if (message instanceof JointStateMsg) {
                    processed.release();
                  }
                }
              },
              headers);
        }
      };
    }
  }
}
