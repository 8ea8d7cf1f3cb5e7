package mantis.sim.grpc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mantis.core.FakeClock;
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
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import org.junit.jupiter.api.Tag;

/**
 * The simulated arm's ArmService under a fuzzed sequence of operations: StreamCommands with fuzzed
 * chunks (wrong or missing robot ids, joint names and counts, NaN/infinite/huge targets, times out
 * of order, any validity), physics ticks, watchdog polls, Hold, EStop, Reset (also for another
 * robot), streams closed and reopened; on a fake clock, every call in-process on the caller's
 * thread.
 *
 * <p>Oracle, after every operation: calls answer OK, INVALID_ARGUMENT (a bad command) or NOT_FOUND
 * (another robot), with a description; every target the physics applies is finite and inside the
 * limits (inside the limits minus the margin while a chunk plays); every joint state streamed back
 * is finite and inside the limits and reports the e-stop as it is; from an EStop until the next
 * Reset the arm holds one target and executes no command; after Reset it keeps holding until a new
 * command.
 */
@Tag("slow")
class SimArmServiceFuzzTest {
  private static final long TICK_NANOS = 20_000_000L;
  private static final String ROBOT_ID = "sim-1";
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

  static final int MAX_OPS = 40;

  @FuzzTest(maxDuration = "10s")
  void theSimulatedArmStaysInsideItsLimitsAndExecutesNothingWhileEstopped(FuzzedDataProvider data)
      throws Exception {
    try (Rig rig = new Rig()) {
      run(rig, data);
    }
  }

  /** Runs the operations {@code data} asks for on {@code rig}, then three more ticks. */
  static void run(Rig rig, FuzzedDataProvider data) throws Exception {
    int ops = data.consumeInt(0, MAX_OPS);
    for (int i = 0; i < ops && (i == 0 || data.remainingBytes() > 0); i++) {
      rig.step(data);
    }
    rig.tick(3);
  }

  /** One simulated arm behind in-process gRPC, and what the oracle knows of it. */
  static final class Rig implements AutoCloseable {
    final FakeClock clock = new FakeClock(5_000_000_000L);
    final TabletopSim sim;
    final RobotSpec robot;
    final SimArmService arm;
    final Server server;
    final ManagedChannel channel;

    /** Per physics step: the target applied, and the arm's position just before. */
    final List<double[][]> applied = new ArrayList<>();

    final LinkedBlockingQueue<Object> streamed = new LinkedBlockingQueue<>();
    StreamObserver<JointCommand> commands;
    boolean estopped;

    /**
     * The target held since the e-stop (or the reset after it), until a command is accepted; null
     * when free.
     */
    double[] frozen;

    boolean freezeUntilCommand;

    /** What happened, for the seed writer's checks. */
    int commandsSent;

    int estops;
    int resets;

    Rig() throws Exception {
      sim = TabletopSim.create(SimConfig.builder().optMaxEpisodeSeconds(600).build());
      sim.reset(1, TaskFamily.PUSH_TO_TARGET);
      robot = sim.robot();
      arm =
          SimArmService.builder()
              .setSim(sim)
              .optRobotId(ROBOT_ID)
              .optClock(clock)
              .optStepListener(
                  (s, q) -> applied.add(new double[][] {q, s.jointState().positionsRad()}))
              .build();
      String name = InProcessServerBuilder.generateName();
      server =
          InProcessServerBuilder.forName(name).directExecutor().addService(arm).build().start();
      channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    void step(FuzzedDataProvider d) throws Exception {
      switch (d.consumeInt(0, 8)) {
        case 0, 1 -> command(d);
        case 2 -> tick(d.consumeInt(1, 25));
        case 3 ->
            status(
                ArmServiceGrpc.newBlockingStub(channel)
                    .hold(HoldRequest.newBuilder().setReason(d.pickValue(REASONS)).build()),
                "Hold");
        case 4 -> {
          status(
              ArmServiceGrpc.newBlockingStub(channel)
                  .eStop(
                      EStopRequest.newBuilder()
                          .setRobotId(d.consumeBoolean() ? ROBOT_ID : "")
                          .setReason(d.pickValue(REASONS))
                          .build()),
              "EStop");
          estopped = true;
          estops++;
          frozen = null;
          freezeUntilCommand = true;
        }
        case 5 -> {
          status(
              ArmServiceGrpc.newBlockingStub(channel).reset(ResetRequest.getDefaultInstance()),
              "Reset");
          estopped = false;
          resets++;
        }
        case 6 -> {
          clock.advanceMillis(d.consumeInt(0, 300));
          arm.pollWatchdogs();
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
            drainStream();
          }
        }
        default -> otherRobot(d);
      }
    }

    private void otherRobot(FuzzedDataProvider d) {
      var stub = ArmServiceGrpc.newBlockingStub(channel);
      String other = d.pickValue(List.of("sim-2", "SIM-1", "sim-1 ", "\uD800"));
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
      throw new AssertionError("a call for robot " + other + " was accepted by " + ROBOT_ID);
    }

    private void status(ArmStatus st, String rpc) {
      if (!st.getRobotId().equals(ROBOT_ID)) {
        throw new AssertionError(rpc + " answered for robot " + st.getRobotId());
      }
      boolean shouldBe = rpc.equals("EStop") || (!rpc.equals("Reset") && estopped);
      if (st.getEstopped() != shouldBe) {
        throw new AssertionError(
            rpc + " reports estopped=" + st.getEstopped() + ", expected " + shouldBe);
      }
      if (rpc.equals("EStop") && !st.getHolding()) {
        throw new AssertionError("EStop answered holding=false");
      }
    }

    private void command(FuzzedDataProvider d) throws Exception {
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
              .setRobotId(d.pickValue(List.of(ROBOT_ID, ROBOT_ID, "", "sim-2")))
              .setSendTimeNanos(d.consumeLong());
      boolean hasChunk = d.consumeInt(0, 7) != 0;
      if (hasChunk) {
        c.setChunk(chunk(d));
      }
      JointCommand cmd = c.build();
      commands.onNext(cmd);
      commandsSent++;
      boolean refused =
          !cmd.getRobotId().isEmpty() && !cmd.getRobotId().equals(ROBOT_ID) || !hasChunk;
      if (refused) {
        Object end = streamed.poll(5, TimeUnit.SECONDS);
        while (end instanceof JointStateMsg m) {
          checkState(m);
          end = streamed.poll(5, TimeUnit.SECONDS);
        }
        if (!(end instanceof Status st)) {
          throw new AssertionError("a bad command did not end its stream: " + cmd);
        }
        expect(st, Status.Code.INVALID_ARGUMENT, "a bad command");
        commands = null;
      } else if (!estopped) {
        // A command accepted while free may move the arm from the next tick.
        frozen = null;
        freezeUntilCommand = false;
      }
    }

    private ActionChunk chunk(FuzzedDataProvider d) {
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
      b.setValidUntilNanos(d.consumeLong());
      int points = d.consumeInt(0, 6);
      double[] q = sim.jointState().positionsRad();
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
          double base = j < q.length ? q[j] : 0;
          p.addPositionsRad(
              switch (d.consumeInt(0, 3)) {
                case 0 -> SPECIAL[d.consumeInt(0, SPECIAL.length - 1)];
                case 1 -> d.consumeDouble();
                default -> base + d.consumeInt(-3000, 3000) / 1000.0;
              });
        }
        b.addPoints(p);
      }
      return b.build();
    }

    void tick(int n) throws InterruptedException {
      for (int i = 0; i < n; i++) {
        int before = applied.size();
        clock.advanceNanos(TICK_NANOS);
        arm.tick();
        if (applied.size() != before + 1) {
          throw new AssertionError("a tick applied " + (applied.size() - before) + " targets");
        }
        double[] q = applied.get(applied.size() - 1)[0];
        double[] at = applied.get(applied.size() - 1)[1];
        JointStateMsg m = null;
        for (Object o; (o = streamed.poll()) != null; ) {
          if (o instanceof JointStateMsg s) {
            checkState(s);
            m = s;
          } else {
            throw new AssertionError("an open command stream ended by itself: " + o);
          }
        }
        if (commands != null && m == null) {
          throw new AssertionError("an open command stream got no joint state for a tick");
        }
        boolean holding = m == null || m.getHolding(); // no open stream: the arm holds
        checkTarget(q, holding);
        if (freezeUntilCommand) {
          // Holding means: the same target as before, or (re-captured) where the arm is now.
          if (frozen != null && !Arrays.equals(frozen, q) && !Arrays.equals(at, q)) {
            throw new AssertionError(
                (estopped ? "while the e-stop is latched" : "after a reset, before any new command")
                    + " the arm was commanded to "
                    + Arrays.toString(q)
                    + ", neither its hold "
                    + Arrays.toString(frozen)
                    + " nor where it is "
                    + Arrays.toString(at));
          }
          frozen = q.clone();
        }
      }
    }

    private void drainStream() throws InterruptedException {
      for (Object o; (o = streamed.poll(0, TimeUnit.SECONDS)) != null; ) {
        if (o instanceof JointStateMsg s) {
          checkState(s);
        }
      }
    }

    private void checkTarget(double[] q, boolean holding) {
      double margin = holding ? 0 : SafetyFilter.DEFAULT_POSITION_MARGIN_RAD;
      for (int j = 0; j < q.length; j++) {
        JointLimits l = robot.joint(j);
        if (!Double.isFinite(q[j])
            || q[j] < l.minPositionRad() + margin - 1e-9
            || q[j] > l.maxPositionRad() - margin + 1e-9) {
          throw new AssertionError(
              "the physics applied target "
                  + q[j]
                  + " to "
                  + l.name()
                  + " (holding "
                  + holding
                  + ")");
        }
      }
    }

    private void checkState(JointStateMsg m) {
      if (!m.getRobotId().equals(ROBOT_ID)
          || !m.getJointState().getNamesList().equals(robot.jointNames())) {
        throw new AssertionError(
            "a joint state for " + m.getRobotId() + " " + m.getJointState().getNamesList());
      }
      if (m.getEstopped() != estopped) {
        throw new AssertionError(
            "a joint state reports estopped=" + m.getEstopped() + ", expected " + estopped);
      }
      if (estopped && !m.getHolding()) {
        throw new AssertionError("a joint state reports holding=false while the e-stop is latched");
      }
      for (int j = 0; j < robot.jointCount(); j++) {
        double p = m.getJointState().getPositionsRad(j);
        double v = m.getJointState().getVelocitiesRadPerS(j);
        JointLimits l = robot.joint(j);
        if (!Double.isFinite(p)
            || !Double.isFinite(v)
            || p < l.minPositionRad()
            || p > l.maxPositionRad()) {
          throw new AssertionError(
              "a joint state has " + l.name() + " at " + p + " rad, " + v + " rad/s");
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
    public void close() throws InterruptedException {
      if (commands != null) {
        commands.onCompleted();
      }
      arm.close();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
