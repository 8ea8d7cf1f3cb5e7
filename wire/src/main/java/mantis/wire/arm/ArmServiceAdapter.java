package mantis.wire.arm;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mantis.core.ActionChunk;
import mantis.core.JointState;
import mantis.core.arm.Arm;
import mantis.core.arm.ArmListener;
import mantis.core.arm.ArmState;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.wire.ProtoMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one {@link Arm} as {@code mantis.v1.ArmService}.
 *
 * <ul>
 *   <li>Hold, EStop and Reset act on the arm and answer its {@link ArmStatus}; a request naming
 *       another robot fails with {@code NOT_FOUND} ("this arm is A, not B").
 *   <li>Each StreamCommands call opens an {@link Arm.Session}: every joint state of the arm streams
 *       back to it, and each command's chunk is played valid for {@code valid_for_nanos} from its
 *       arrival on the arm's clock. A command for another robot, or without a chunk, ends the call
 *       with {@code INVALID_ARGUMENT}. When the call ends (completed, cancelled, failed, or {@link
 *       #close()}) the session closes with the status code's name.
 *   <li>With {@link Builder#optMaxStreams}, one call more than the limit is refused at once with
 *       {@code RESOURCE_EXHAUSTED} naming the limit; it gets no joint states and opens no session.
 * </ul>
 *
 * <p>No credentials are checked here: the server it is added to wraps it with {@code
 * mantis.security.AuthInterceptor} where it is reachable by others. Constructors start nothing;
 * thread-safe.
 */
public final class ArmServiceAdapter implements BindableService, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ArmServiceAdapter.class);

  private final Arm arm;
  private final String robotId;
  private final int maxStreams;
  private final String maxStreamsName;
  private final String label;
  private final AtomicInteger openStreams = new AtomicInteger();
  private final Set<CommandStream> streams = ConcurrentHashMap.newKeySet();
  private final Handler handler = new Handler();

  private ArmServiceAdapter(Builder b) {
    this.arm = b.arm;
    this.robotId = b.arm.robotId();
    this.maxStreams = b.maxStreams;
    this.maxStreamsName = b.maxStreamsName;
    this.label = b.label != null ? b.label : "ArmService of arm " + robotId;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ServerServiceDefinition bindService() {
    return handler.bindService();
  }

  /** StreamCommands calls open now. */
  public int openStreams() {
    return streams.size();
  }

  /**
   * Ends every open StreamCommands call (OK, or nothing sent when the client already cancelled).
   */
  @Override
  public void close() {
    for (CommandStream s : streams) {
      s.end();
    }
  }

  private ArmStatus status() {
    ArmState s = arm.state();
    return ArmStatus.newBuilder()
        .setRobotId(robotId)
        .setHolding(s.holding())
        .setEstopped(s.estopped())
        .build();
  }

  private boolean wrongRobot(String requested, StreamObserver<?> out) {
    if (!requested.isEmpty() && !requested.equals(robotId)) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("this arm is " + robotId + ", not " + requested)
              .asRuntimeException());
      return true;
    }
    return false;
  }

  private final class Handler extends ArmServiceGrpc.ArmServiceImplBase {
    @Override
    public void hold(HoldRequest request, StreamObserver<ArmStatus> out) {
      if (wrongRobot(request.getRobotId(), out)) {
        return;
      }
      arm.hold(request.getReason());
      out.onNext(status());
      out.onCompleted();
    }

    @Override
    public void eStop(EStopRequest request, StreamObserver<ArmStatus> out) {
      if (wrongRobot(request.getRobotId(), out)) {
        return;
      }
      arm.estop(request.getReason());
      out.onNext(status());
      out.onCompleted();
    }

    @Override
    public void reset(ResetRequest request, StreamObserver<ArmStatus> out) {
      if (wrongRobot(request.getRobotId(), out)) {
        return;
      }
      arm.reset();
      out.onNext(status());
      out.onCompleted();
    }

    @Override
    public StreamObserver<JointCommand> streamCommands(StreamObserver<JointStateMsg> out) {
      int open;
      do {
        open = openStreams.get();
        if (open >= maxStreams) {
          log.debug("StreamCommands refused: {} streams open ({})", open, maxStreamsName);
          out.onError(
              Status.RESOURCE_EXHAUSTED
                  .withDescription(
                      "the "
                          + label
                          + " has "
                          + open
                          + " StreamCommands calls open, its limit ("
                          + maxStreamsName
                          + ": "
                          + maxStreams
                          + "); close one first")
                  .asRuntimeException());
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
      CommandStream s = new CommandStream((ServerCallStreamObserver<JointStateMsg>) out);
      streams.add(s);
      try {
        s.session = arm.openSession(s);
      } catch (RuntimeException e) {
        streams.remove(s);
        openStreams.decrementAndGet();
        log.debug("StreamCommands refused: {}", e.toString());
        out.onError(
            Status.UNAVAILABLE
                .withDescription("arm " + robotId + " cannot take commands now")
                .asRuntimeException());
        return s;
      }
      return s;
    }
  }

  private final class CommandStream implements StreamObserver<JointCommand>, ArmListener {
    private final ServerCallStreamObserver<JointStateMsg> out;
    private volatile Arm.Session session;
    // Guarded by this.
    private boolean ended;

    CommandStream(ServerCallStreamObserver<JointStateMsg> out) {
      this.out = out;
    }

    @Override
    public void onNext(JointCommand command) {
      long now = arm.clock().nanoTime();
      if (!command.getRobotId().isEmpty() && !command.getRobotId().equals(robotId)) {
        fail(
            Status.INVALID_ARGUMENT.withDescription(
                "command for robot " + command.getRobotId() + " sent to arm " + robotId));
        return;
      }
      if (!command.hasChunk()) {
        fail(Status.INVALID_ARGUMENT.withDescription("command has no chunk"));
        return;
      }
      Arm.Session s = session;
      if (s == null) {
        return;
      }
      ActionChunk chunk = ProtoMapping.chunkFromProto(command.getChunk(), now);
      s.command(chunk);
    }

    /** A joint state of the arm, streamed back. */
    @Override
    public void onJointState(JointState jointState, ArmState state) {
      JointStateMsg msg =
          JointStateMsg.newBuilder()
              .setRobotId(robotId)
              .setJointState(ProtoMapping.toProto(jointState))
              .setHolding(state.holding())
              .setEstopped(state.estopped())
              .setInterventions(state.interventions())
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

    /** Completes the call (unless the client already cancelled it). */
    void end() {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        if (!out.isCancelled()) {
          out.onCompleted();
        }
      }
      cleanup(Status.OK);
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
      }
      Status status = Status.fromThrowable(t);
      log.debug("arm command stream failed: {}", status);
      cleanup(status);
    }

    @Override
    public void onCompleted() {
      end();
    }

    private void cleanup(Status status) {
      if (!streams.remove(this)) {
        return;
      }
      openStreams.decrementAndGet();
      Arm.Session s = session;
      if (s != null) {
        s.close(status.getCode().name());
      }
    }
  }

  /** Builds an {@link ArmServiceAdapter}; {@code set*} required, {@code opt*} optional. */
  public static final class Builder {
    private Arm arm;
    private int maxStreams = Integer.MAX_VALUE;
    private String maxStreamsName = "max_streams";
    private String label;

    private Builder() {}

    /** The arm to serve. Required. */
    public Builder setArm(Arm arm) {
      this.arm = arm;
      return this;
    }

    /**
     * At most {@code maxStreams} StreamCommands calls open at once; default unlimited.
     *
     * @param settingName the setting the limit comes from, named in the refusal (e.g.
     *     "arm_service.max_streams")
     */
    public Builder optMaxStreams(int maxStreams, String settingName) {
      this.maxStreams = maxStreams;
      this.maxStreamsName = settingName;
      return this;
    }

    /**
     * What the service is called in a refusal ("the LABEL has 4 StreamCommands calls open ...");
     * default "ArmService of arm ID".
     */
    public Builder optLabel(String label) {
      this.label = label;
      return this;
    }

    public ArmServiceAdapter build() {
      Objects.requireNonNull(arm, "setArm is required");
      Objects.requireNonNull(arm.robotId(), "arm.robotId()");
      Objects.requireNonNull(maxStreamsName, "settingName");
      if (maxStreams < 1) {
        throw new IllegalArgumentException("max streams must be >= 1, got " + maxStreams);
      }
      return new ArmServiceAdapter(this);
    }
  }
}
