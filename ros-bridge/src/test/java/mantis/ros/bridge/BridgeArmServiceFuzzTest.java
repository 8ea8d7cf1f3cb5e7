package mantis.ros.bridge;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.ArmStatus;
import mantis.proto.v1.EStopRequest;
import mantis.proto.v1.HoldRequest;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.proto.v1.ResetRequest;
import mantis.ros.msg.JointTrajectory;
import mantis.ros.msg.JointTrajectoryPoint;
import org.junit.jupiter.api.Tag;

/**
 * The ROS bridge's ArmService under a fuzzed sequence of operations, without ROS (the {@link
 * Harness}: a recording port, a fake policy server, a fake clock; every call in-process on the
 * caller's thread): StreamCommands with fuzzed chunks, joint states from ROS (huge values, NaN),
 * camera frames and ticks, time passing, Hold, EStop, Reset (also for another robot), streams
 * closed and reopened, and a policy server that answers well, wildly (NaN, out-of-limit,
 * out-of-order chunks) or not at all.
 *
 * <p>Oracle, after every operation: calls answer OK, INVALID_ARGUMENT or NOT_FOUND with a
 * description; every trajectory published to the controller names the configured joints, is finite,
 * inside the limits minus the margin, with strictly increasing positive times; from an EStop until
 * the next Reset every trajectory published is a hold at the last measured position (or an empty
 * one) — no command or policy chunk is executed; the state streamed back reports the e-stop as it
 * is.
 */
@Tag("slow")
class BridgeArmServiceFuzzTest {
  static final int MAX_OPS = 40;
  private static final double[] SPECIAL = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    0.0,
    -0.0,
    2.6,
    -2.6,
    2.59,
    1e-300,
    100.0
  };
  private static final List<String> REASONS =
      List.of("", "operator", "x".repeat(5000), "\uD800", "a\nb\u0000");

  @FuzzTest(maxDuration = "10s")
  void theBridgePublishesOnlySafeTrajectoriesAndOnlyHoldsWhileEstopped(FuzzedDataProvider data)
      throws Exception {
    try (Rig rig = new Rig()) {
      run(rig, data);
    }
  }

  /** Runs the operations {@code data} asks for on {@code rig}, then a last step. */
  static void run(Rig rig, FuzzedDataProvider data) throws Exception {
    int ops = data.consumeInt(0, MAX_OPS);
    for (int i = 0; i < ops && (i == 0 || data.remainingBytes() > 0); i++) {
      rig.step(data);
      rig.check();
    }
    rig.h.step(0.1, 0.2, 0.3);
    rig.check();
  }

  /** A bridge with its ArmService, and what the oracle knows of it. */
  static final class Rig implements AutoCloseable {
    final Harness h;
    final RobotSpec robot;
    final Server armServer;
    final ManagedChannel channel;
    final LinkedBlockingQueue<Object> streamed = new LinkedBlockingQueue<>();
    StreamObserver<JointCommand> commands;
    boolean estopped;
    int checked;

    /** What happened, for the seed writer's checks. */
    int commandsSent;

    int estops;
    int resets;

    Rig() throws Exception {
      h = new Harness().started();
      robot = h.config.robot().spec();
      String name = InProcessServerBuilder.generateName();
      armServer =
          BridgeArmService.serve(
              h.core,
              h.clock,
              InProcessServerBuilder.forName(name).directExecutor(),
              new HealthStatusManager(),
              mantis.security.AuthInterceptor.builder()
                  .setOpen(mantis.security.Principal.LOCAL_NO_AUTH)
                  .build());
      channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    void step(FuzzedDataProvider d) throws Exception {
      switch (d.consumeInt(0, 9)) {
        case 0, 1 -> command(d);
        case 2 -> h.step(position(d, 0), position(d, 1), position(d, 2));
        case 3 -> {
          h.clock.advanceMillis(d.consumeInt(0, 300));
          h.core.tick();
        }
        case 4 ->
            status(
                ArmServiceGrpc.newBlockingStub(channel)
                    .hold(HoldRequest.newBuilder().setReason(d.pickValue(REASONS)).build()),
                "Hold");
        case 5 -> {
          status(
              ArmServiceGrpc.newBlockingStub(channel)
                  .eStop(
                      EStopRequest.newBuilder()
                          .setRobotId(d.consumeBoolean() ? "arm7" : "")
                          .setReason(d.pickValue(REASONS))
                          .build()),
              "EStop");
          estopped = true;
          estops++;
        }
        case 6 -> {
          status(
              ArmServiceGrpc.newBlockingStub(channel).reset(ResetRequest.getDefaultInstance()),
              "Reset");
          estopped = false;
          resets++;
        }
        case 7 -> {
          if (commands != null) {
            if (d.consumeBoolean()) {
              commands.onCompleted();
            } else {
              commands.onError(
                  Status.CANCELLED.withDescription("fuzz client gone").asRuntimeException());
            }
            commands = null;
          }
        }
        case 8 -> {
          int mode = d.consumeInt(0, 2);
          ActionChunk wild = mode == 2 ? chunk(d) : null;
          h.policy.reply =
              switch (mode) {
                case 0 -> Harness::gentle;
                case 1 -> o -> null;
                default -> o -> wild.toBuilder().setStep(o.getStep()).build();
              };
        }
        default -> otherRobot(d);
      }
    }

    private double position(FuzzedDataProvider d, int j) {
      return switch (d.consumeInt(0, 3)) {
        case 0 -> SPECIAL[d.consumeInt(0, SPECIAL.length - 1)];
        case 1 -> d.consumeDouble();
        default -> 0.1 * (j + 1) + d.consumeInt(-3000, 3000) / 1000.0;
      };
    }

    private void otherRobot(FuzzedDataProvider d) {
      var stub = ArmServiceGrpc.newBlockingStub(channel);
      String other = d.pickValue(List.of("arm8", "ARM7", "arm7 ", "\uD800"));
      try {
        switch (d.consumeInt(0, 2)) {
          case 0 -> stub.hold(HoldRequest.newBuilder().setRobotId(other).build());
          case 1 -> stub.eStop(EStopRequest.newBuilder().setRobotId(other).build());
          default -> stub.reset(ResetRequest.newBuilder().setRobotId(other).build());
        }
      } catch (StatusRuntimeException e) {
        expect(e.getStatus(), Status.Code.NOT_FOUND, "a call for another robot");
        return;
      }
      throw new AssertionError("a call for robot " + other + " was accepted by arm7");
    }

    private void status(ArmStatus st, String rpc) {
      boolean shouldBe = rpc.equals("EStop") || (!rpc.equals("Reset") && estopped);
      if (!st.getRobotId().equals("arm7") || st.getEstopped() != shouldBe) {
        throw new AssertionError(rpc + " answered " + st + ", expected estopped=" + shouldBe);
      }
    }

    private void command(FuzzedDataProvider d) throws InterruptedException {
      if (commands == null) {
        commands =
            ArmServiceGrpc.newStub(channel)
                .streamCommands(
                    new StreamObserver<>() {
                      @Override
                      public void onNext(JointStateMsg m) {
                        streamed.add(m);
                      }

                      @Override
                      public void onError(Throwable t) {
                        streamed.add(Status.fromThrowable(t));
                      }

                      @Override
                      public void onCompleted() {
                        streamed.add(Status.OK);
                      }
                    });
      }
      JointCommand.Builder c =
          JointCommand.newBuilder()
              .setRobotId(d.pickValue(List.of("arm7", "arm7", "", "arm8")))
              .setSendTimeNanos(d.consumeLong());
      boolean hasChunk = d.consumeInt(0, 7) != 0;
      if (hasChunk) {
        c.setChunk(chunk(d));
      }
      JointCommand cmd = c.build();
      commands.onNext(cmd);
      commandsSent++;
      if (!hasChunk || !(cmd.getRobotId().isEmpty() || cmd.getRobotId().equals("arm7"))) {
        Object end;
        while ((end = streamed.poll()) instanceof JointStateMsg m) {
          checkState(m);
        }
        if (!(end instanceof Status st)) {
          throw new AssertionError("a bad command did not end its stream: " + cmd);
        }
        expect(st, Status.Code.INVALID_ARGUMENT, "a bad command");
        commands = null;
      }
    }

    /**
     * A fuzzed chunk for the robot's joints (spec order): names, validity, points, times, values.
     */
    ActionChunk chunk(FuzzedDataProvider d) {
      List<String> names = robot.jointNames();
      ActionChunk.Builder b = ActionChunk.newBuilder();
      switch (d.consumeInt(0, 5)) {
        case 0 -> b.addAllJointNames(List.of(names.get(2), names.get(1), names.get(0)));
        case 1 -> b.addAllJointNames(names.subList(0, 2));
        case 2 -> b.addJointNames(d.pickValue(REASONS));
        default -> b.addAllJointNames(names);
      }
      b.setValidForNanos(
          switch (d.consumeInt(0, 5)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MAX_VALUE;
            case 3 -> d.consumeLong();
            default -> d.consumeLong(1, 3_000_000_000L);
          });
      int points = d.consumeInt(0, 6);
      long t = 0;
      for (int i = 0; i < points; i++) {
        t =
            switch (d.consumeInt(0, 4)) {
              case 0 -> t;
              case 1 -> -t;
              case 2 -> d.consumeLong();
              default -> t + d.consumeLong(1, 500_000_000L);
            };
        ActionPoint.Builder p = ActionPoint.newBuilder().setTimeFromStartNanos(t);
        int n = d.consumeInt(0, 7) == 0 ? d.consumeInt(0, 5) : names.size();
        for (int j = 0; j < n; j++) {
          p.addPositionsRad(position(d, j));
        }
        b.addPoints(p);
      }
      return b.build();
    }

    /** Judges everything published or streamed since the last check. */
    void check() {
      List<JointTrajectory> all = h.port.trajectories;
      for (; checked < all.size(); checked++) {
        checkTrajectory(all.get(checked));
      }
      for (Object o; (o = streamed.poll()) != null; ) {
        if (o instanceof JointStateMsg m) {
          checkState(m);
        } else if (commands != null) {
          throw new AssertionError("an open command stream ended by itself: " + o);
        }
      }
    }

    private void checkTrajectory(JointTrajectory t) {
      if (!t.jointNames().equals(Harness.ROS_NAMES)) {
        throw new AssertionError("a trajectory for joints " + t.jointNames());
      }
      long prev = 0;
      for (JointTrajectoryPoint p : t.points()) {
        if (p.positions().size() != robot.jointCount()) {
          throw new AssertionError(
              "a trajectory point with " + p.positions().size() + " positions");
        }
        long tfs = p.timeFromStart().toNanos();
        if (tfs <= prev) {
          throw new AssertionError(
              "time_from_start " + tfs + " ns not after " + prev + " ns: " + t);
        }
        prev = tfs;
        for (int j = 0; j < robot.jointCount(); j++) {
          double x = p.positions().get(j);
          JointLimits l = robot.joint(j);
          double margin = SafetyFilter.DEFAULT_POSITION_MARGIN_RAD;
          if (!Double.isFinite(x)
              || x < l.minPositionRad() + margin - 1e-9
              || x > l.maxPositionRad() - margin + 1e-9) {
            throw new AssertionError("a trajectory sends " + l.name() + " to " + x + ": " + t);
          }
        }
      }
      if (estopped) {
        var state = h.core.latestJointState();
        if (t.points().size() > 1 || (t.points().isEmpty() && state != null)) {
          throw new AssertionError(
              "while the e-stop is latched the bridge published a motion: " + t);
        }
        if (t.points().size() == 1) {
          for (int j = 0; j < robot.jointCount(); j++) {
            JointLimits l = robot.joint(j);
            double margin = SafetyFilter.DEFAULT_POSITION_MARGIN_RAD;
            double held =
                Math.max(
                    l.minPositionRad() + margin,
                    Math.min(l.maxPositionRad() - margin, state.positionsRad()[j]));
            if (Math.abs(t.points().get(0).positions().get(j) - held) > 1e-12) {
              throw new AssertionError(
                  "while the e-stop is latched the bridge sent "
                      + l.name()
                      + " to "
                      + t.points().get(0).positions().get(j)
                      + ", not its hold at "
                      + held);
            }
          }
        }
      }
    }

    private void checkState(JointStateMsg m) {
      if (m.getEstopped() != estopped) {
        throw new AssertionError(
            "a streamed state reports estopped=" + m.getEstopped() + ", expected " + estopped);
      }
      for (double x : m.getJointState().getPositionsRadList()) {
        if (!Double.isFinite(x)) {
          throw new AssertionError("a streamed state has position " + x);
        }
      }
    }

    private static void expect(Status st, Status.Code code, String what) {
      if (st.getCode() != code || st.getDescription() == null || st.getDescription().isBlank()) {
        throw new AssertionError(
            what + " was answered " + st + ", expected " + code + " with a description");
      }
    }

    @Override
    public void close() {
      if (commands != null) {
        commands.onCompleted();
      }
      channel.shutdownNow();
      armServer.shutdownNow();
      h.close();
    }
  }
}
