package mantis.ros.bridge;

import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mantis.core.JointState;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.security.AuditEvent;
import mantis.security.Principal;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real arm behind {@code mantis.v1.ArmService}: each StreamCommands chunk (valid for {@code
 * valid_for_nanos} from its arrival on the bridge's clock) goes through the bridge's {@link
 * mantis.core.safety.SafetyFilter} and is published as a trajectory; every joint state from ROS is
 * streamed back to every open call. Hold, EStop and Reset act on the same latch as the e-stop and
 * reset topics. While a call is open and sending, policy chunks are not published (see {@link
 * BridgeCore}). When commands stop for the watchdog timeout, or the last call closes, the arm holds.
 *
 * <p>At most {@code arm_service.max_streams} StreamCommands calls are open at once (each is sent every
 * joint state); one more is refused with {@code RESOURCE_EXHAUSTED} naming the limit.
 *
 * <p>Every call, health checks included, passes the {@link mantis.security.AuthInterceptor} given to
 * {@link #serve}; the caller's {@link Principal} goes to the audit log with each Hold, EStop and Reset,
 * and when a StreamCommands client takes control of the arm (its first command) and gives it back (its
 * stream ends).
 */
final class BridgeArmService extends ArmServiceGrpc.ArmServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(BridgeArmService.class);

  private final BridgeCore core;
  private final String robotId;
  private final MonotonicClock clock;
  private final int maxStreams;
  private final AtomicInteger openStreams = new AtomicInteger();

  BridgeArmService(BridgeCore core, MonotonicClock clock) {
    this.core = core;
    this.robotId = core.config().robot().id();
    this.clock = clock;
    this.maxStreams = core.config().armService().maxStreams();
  }

  /**
   * Builds and starts a server on {@code sb} with this service for {@code core} and gRPC health
   * ({@code ""} and {@code mantis.v1.ArmService} SERVING), both behind {@code auth}.
   */
  static io.grpc.Server serve(BridgeCore core, MonotonicClock clock, io.grpc.ServerBuilder<?> sb,
      io.grpc.protobuf.services.HealthStatusManager health, ServerInterceptor auth) throws java.io.IOException {
    return serve(core, clock, sb, health, auth, true);
  }

  /**
   * As {@link #serve(BridgeCore, MonotonicClock, io.grpc.ServerBuilder,
   * io.grpc.protobuf.services.HealthStatusManager, ServerInterceptor)}; with {@code servingNow} false health
   * says NOT_SERVING until the caller sets SERVING (the bridge binds before it has joined the ROS graph).
   */
  static io.grpc.Server serve(BridgeCore core, MonotonicClock clock, io.grpc.ServerBuilder<?> sb,
      io.grpc.protobuf.services.HealthStatusManager health, ServerInterceptor auth, boolean servingNow)
      throws java.io.IOException {
    io.grpc.health.v1.HealthCheckResponse.ServingStatus initial = servingNow
        ? io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
        : io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
    health.setStatus("", initial);
    health.setStatus(ArmServiceGrpc.SERVICE_NAME, initial);
    return sb.addService(ServerInterceptors.intercept(new BridgeArmService(core, clock), auth))
        .addService(ServerInterceptors.intercept(health.getHealthService(), auth))
        .build().start();
  }

  private ArmStatus status() {
    return ArmStatus.newBuilder()
        .setRobotId(robotId)
        .setHolding(core.isHolding())
        .setEstopped(core.filter().isEstopped())
        .build();
  }

  private boolean wrongRobot(String requested, StreamObserver<?> out) {
    if (!requested.isEmpty() && !requested.equals(robotId)) {
      out.onError(Status.NOT_FOUND.withDescription("this arm is " + robotId + ", not " + requested)
          .asRuntimeException());
      return true;
    }
    return false;
  }

  @Override
  public void hold(HoldRequest request, StreamObserver<ArmStatus> out) {
    if (wrongRobot(request.getRobotId(), out)) {
      return;
    }
    core.armHold(request.getReason().isEmpty() ? "ArmService Hold" : "ArmService Hold: " + request.getReason(),
        Principal.current());
    out.onNext(status());
    out.onCompleted();
  }

  @Override
  public void eStop(EStopRequest request, StreamObserver<ArmStatus> out) {
    if (wrongRobot(request.getRobotId(), out)) {
      return;
    }
    core.estop(request.getReason().isEmpty() ? "ArmService EStop" : "ArmService EStop: " + request.getReason(),
        Principal.current());
    out.onNext(status());
    out.onCompleted();
  }

  @Override
  public void reset(ResetRequest request, StreamObserver<ArmStatus> out) {
    if (wrongRobot(request.getRobotId(), out)) {
      return;
    }
    core.reset(Principal.current());
    out.onNext(status());
    out.onCompleted();
  }

  @Override
  public StreamObserver<JointCommand> streamCommands(StreamObserver<JointStateMsg> out) {
    int open;
    do {
      open = openStreams.get();
      if (open >= maxStreams) {
        log.debug("StreamCommands refused: {} streams open (arm_service.max_streams)", open);
        out.onError(Status.RESOURCE_EXHAUSTED.withDescription("the bridge's ArmService has " + open
            + " StreamCommands calls open, its limit (arm_service.max_streams: " + maxStreams
            + "); close one first").asRuntimeException());
        return new StreamObserver<>() {
          @Override
          public void onNext(JointCommand value) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        };
      }
    } while (!openStreams.compareAndSet(open, open + 1));
    CommandStream s = new CommandStream((ServerCallStreamObserver<JointStateMsg>) out, Principal.current());
    core.armStreamOpened();
    core.addJointStateListener(s);
    return s;
  }

  private final class CommandStream implements StreamObserver<JointCommand>, Consumer<JointState> {
    private final ServerCallStreamObserver<JointStateMsg> out;
    private final Principal caller;
    private boolean ended;
    // Guarded by this.
    private long commands;
    private long firstCommandNanos;

    CommandStream(ServerCallStreamObserver<JointStateMsg> out, Principal caller) {
      this.out = out;
      this.caller = caller;
    }

    @Override
    public void onNext(JointCommand command) {
      long now = clock.nanoTime();
      if (!command.getRobotId().isEmpty() && !command.getRobotId().equals(robotId)) {
        fail(Status.INVALID_ARGUMENT.withDescription("command for robot " + command.getRobotId()
            + " sent to arm " + robotId));
        return;
      }
      if (!command.hasChunk()) {
        fail(Status.INVALID_ARGUMENT.withDescription("command has no chunk"));
        return;
      }
      boolean first;
      synchronized (this) {
        first = commands++ == 0;
        if (first) {
          firstCommandNanos = now;
        }
      }
      if (first) {
        core.audit().record(AuditEvent.of(AuditEvent.COMMAND_SOURCE).principal(caller).robot(robotId)
            .detail("ArmService StreamCommands client takes control of the arm from the policy"));
      }
      core.armCommand(ProtoMapping.chunkFromProto(command.getChunk(), now));
    }

    /** A joint state from ROS, streamed back. */
    @Override
    public void accept(JointState js) {
      JointStateMsg msg = JointStateMsg.newBuilder()
          .setRobotId(robotId)
          .setJointState(ProtoMapping.toProto(js))
          .setHolding(core.isHolding())
          .setEstopped(core.filter().isEstopped())
          .setInterventions(core.interventions())
          .build();
      synchronized (this) {
        if (ended || out.isCancelled()) {
          return;
        }
        out.onNext(msg);
      }
    }

    private void fail(Status status) {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        out.onError(status.asRuntimeException());
      }
      cleanup(status);
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
      }
      log.debug("arm command stream failed: {}", Status.fromThrowable(t));
      cleanup(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        out.onCompleted();
      }
      cleanup(Status.OK);
    }

    private void cleanup(Status status) {
      openStreams.decrementAndGet();
      core.removeJointStateListener(this);
      core.armStreamClosed();
      long n;
      long since;
      synchronized (this) {
        n = commands;
        since = firstCommandNanos;
      }
      if (n > 0) {
        core.audit().record(AuditEvent.of(AuditEvent.COMMAND_SOURCE_END).principal(caller).robot(robotId)
            .detail("ArmService StreamCommands ended (" + status.getCode() + "): control goes back to the policy")
            .field("status", status.getCode().name())
            .field("commands", n)
            .field("seconds", Math.round((clock.nanoTime() - since) / 1e6) / 1e3));
      }
    }
  }
}
