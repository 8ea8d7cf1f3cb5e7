package mantis.server.fuzz;

import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import mantis.core.safety.SafetyFilter;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.Annotation;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.Mark;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PixelPoint;
import mantis.proto.v1.PolicyInfo;
import mantis.proto.v1.StageTiming;
import mantis.proto.v1.Trace;

/**
 * The fuzz oracle: what every answer of a PolicyService must satisfy, whatever the input. Each
 * check throws an {@link AssertionError} naming the broken property (Jazzer reports it as a
 * finding).
 *
 * <ul>
 *   <li>A call ends with an answer or a proper status: one of {@link #ALLOWED_ERRORS}, with a
 *       description and no stack trace. Never UNKNOWN or INTERNAL, never a deadline (a hang).
 *   <li>Every chunk keeps the safety invariants (DESIGN.md): joint names are the robot's; every
 *       value is finite; every position lies inside the limits minus the margin; {@code
 *       time_from_start} is positive and strictly increasing; velocities and accelerations from the
 *       measured state are within the robot's limits; a hold has one point and says why. Marks and
 *       traces are finite.
 *   <li>No call takes longer than {@link #CALL_BOUND}.
 * </ul>
 */
final class RpcOracle {
  /** The statuses a correct server may answer bad input with. */
  static final Set<Status.Code> ALLOWED_ERRORS =
      EnumSet.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.OUT_OF_RANGE);

  /**
   * The longest any one call may take, from sending the request to the answer; 10 s by default, set
   * with {@code -Dmantis.fuzz.callBoundMs}. Generous: a 2-core CI machine fuzzes several targets
   * and instrumentation slows the server several times.
   */
  static final Duration CALL_BOUND =
      Duration.ofMillis(Long.getLong("mantis.fuzz.callBoundMs", 10_000));

  /**
   * The deadline given to every call: the bound plus slack, so a hang ends as DEADLINE_EXCEEDED.
   */
  static final Duration DEADLINE = CALL_BOUND.plusSeconds(5);

  private static final double TOL = 1e-9;

  private final RobotSpec robot;
  private final double marginRad;

  RpcOracle(RobotSpec robot) {
    this(robot, SafetyFilter.DEFAULT_POSITION_MARGIN_RAD);
  }

  RpcOracle(RobotSpec robot, double marginRad) {
    this.robot = robot;
    this.marginRad = marginRad;
  }

  /** Fails unless {@code status} is a proper refusal of bad input. */
  static void checkRefusal(Status status, String rpc) {
    if (!ALLOWED_ERRORS.contains(status.getCode())) {
      throw new AssertionError(
          rpc
              + " answered "
              + status.getCode()
              + " (allowed: a reply or one of "
              + ALLOWED_ERRORS
              + "): "
              + status.getDescription(),
          status.getCause());
    }
    checkDescription(status, rpc);
  }

  /**
   * Fails unless {@code status} has a one-line description: no stack trace, and no control
   * character (client text echoed unescaped could forge lines).
   */
  static void checkDescription(Status status, String rpc) {
    String d = status.getDescription();
    if (d == null || d.isBlank()) {
      throw new AssertionError(rpc + " answered " + status.getCode() + " without a description");
    }
    if (d.contains("\tat ") || d.contains("Exception:")) {
      throw new AssertionError(rpc + " answered " + status.getCode() + " with a stack trace: " + d);
    }
    if (d.chars().anyMatch(Character::isISOControl)) {
      throw new AssertionError(
          rpc
              + " answered "
              + status.getCode()
              + " with control characters in its "
              + "description: "
              + d.replace("\n", "\\n").replace("\t", "\\t"));
    }
  }

  /** Fails when a call took longer than {@link #CALL_BOUND}. */
  static void checkDuration(long startNanos, String what) {
    long took = System.nanoTime() - startNanos;
    if (took > CALL_BOUND.toNanos()) {
      throw new AssertionError(
          what
              + " took "
              + took / 1_000_000
              + " ms; the bound is "
              + CALL_BOUND.toMillis()
              + " ms");
    }
  }

  /** The checks every chunk must pass, reply or hold. */
  void checkChunk(ActionChunk c, String what) {
    if (!c.getJointNamesList().equals(robot.jointNames())) {
      fail(what, "joint names " + c.getJointNamesList() + ", robot has " + robot.jointNames());
    }
    if (c.getPointsCount() == 0) {
      fail(what, "no points");
    }
    long prevT = 0;
    for (int i = 0; i < c.getPointsCount(); i++) {
      ActionPoint p = c.getPoints(i);
      if (p.getPositionsRadCount() != robot.jointCount()) {
        fail(
            what,
            "point "
                + i
                + " has "
                + p.getPositionsRadCount()
                + " positions for "
                + robot.jointCount()
                + " joints");
      }
      if (p.getTimeFromStartNanos() <= prevT) {
        fail(
            what,
            "time_from_start of point "
                + i
                + " is "
                + p.getTimeFromStartNanos()
                + " ns, not after "
                + prevT
                + " ns");
      }
      prevT = p.getTimeFromStartNanos();
      for (int j = 0; j < robot.jointCount(); j++) {
        double x = p.getPositionsRad(j);
        JointLimits l = robot.joint(j);
        if (!Double.isFinite(x)) {
          fail(what, "point " + i + " " + l.name() + " is " + x);
        }
        if (x < l.minPositionRad() + marginRad - TOL || x > l.maxPositionRad() - marginRad + TOL) {
          fail(
              what,
              "point "
                  + i
                  + " "
                  + l.name()
                  + " = "
                  + x
                  + " rad is outside the limits minus the margin ["
                  + (l.minPositionRad() + marginRad)
                  + ", "
                  + (l.maxPositionRad() - marginRad)
                  + "]");
        }
      }
    }
    if (c.getValidForNanos() < 0) {
      fail(what, "valid_for_nanos " + c.getValidForNanos() + " < 0");
    }
    if (c.getHeld() && c.getPointsCount() != 1) {
      fail(what, "a hold with " + c.getPointsCount() + " points");
    }
    if (c.getHeld() && c.getInterventionsCount() == 0) {
      fail(what, "a hold without an intervention saying why");
    }
    checkMarks(c.getMarksList(), what);
    for (Trace t : c.getTracesList()) {
      for (PixelPoint p : t.getPointsList()) {
        if (!Double.isFinite(p.getXPx()) || !Double.isFinite(p.getYPx())) {
          fail(
              what,
              "trace of mark " + t.getMarkId() + " has point " + p.getXPx() + ", " + p.getYPx());
        }
      }
    }
    if (c.getEffectorMarkId() != 0
        && c.getMarksList().stream().noneMatch(m -> m.getId() == c.getEffectorMarkId())) {
      fail(what, "effector_mark_id " + c.getEffectorMarkId() + " names no mark");
    }
    checkTimings(c.getStageTimingsList(), what);
  }

  /**
   * The checks of a reply to {@code sent} (which the server accepted): the echoes, and velocities
   * and accelerations from the measured joint state within the robot's limits, as the safety filter
   * promises (its Javadoc), recomputed here independently.
   */
  void checkReply(ActionChunk c, Observation sent, String what) {
    checkChunk(c, what);
    if (c.getSource() != ChunkSource.CHUNK_SOURCE_REPLY) {
      fail(what, "a reply with source " + c.getSource());
    }
    String id = sent.getRobotId().isEmpty() ? "default" : sent.getRobotId();
    if (!c.getRobotId().equals(id) || c.getStep() != sent.getStep()) {
      fail(
          what,
          "echoes robot "
              + c.getRobotId()
              + " step "
              + c.getStep()
              + " for robot "
              + id
              + " step "
              + sent.getStep());
    }
    int n = robot.jointCount();
    double[] p0 = new double[n];
    double[] v0 = new double[n];
    for (int j = 0; j < n; j++) {
      JointLimits l = robot.joint(j);
      double lo = l.minPositionRad() + marginRad;
      double hi = l.maxPositionRad() - marginRad;
      double pos = Math.min(hi, Math.max(lo, sent.getJointState().getPositionsRad(j)));
      double vel =
          sent.getJointState().getVelocitiesRadPerSCount() == 0
              ? 0
              : sent.getJointState().getVelocitiesRadPerS(j);
      vel = Math.min(l.maxVelocityRadPerS(), Math.max(-l.maxVelocityRadPerS(), vel));
      vel = Math.min(vel, Math.sqrt(2 * l.maxAccelerationRadPerS2() * (hi - pos)));
      vel = Math.max(vel, -Math.sqrt(2 * l.maxAccelerationRadPerS2() * (pos - lo)));
      p0[j] = pos;
      v0[j] = vel;
    }
    for (int j = 0; j < n; j++) {
      JointLimits l = robot.joint(j);
      double prevP = p0[j];
      double prevV = v0[j];
      long lastT = 0;
      for (int i = 0; i < c.getPointsCount(); i++) {
        long t = c.getPoints(i).getTimeFromStartNanos();
        double dt = (t - lastT) / 1e9;
        lastT = t;
        double x = c.getPoints(i).getPositionsRad(j);
        double v = (x - prevP) / dt;
        if (Math.abs(v) > l.maxVelocityRadPerS() + TOL) {
          fail(
              what,
              "point "
                  + i
                  + " "
                  + l.name()
                  + " moves at "
                  + v
                  + " rad/s, limit "
                  + l.maxVelocityRadPerS());
        }
        if (Math.abs(v - prevV) > l.maxAccelerationRadPerS2() * dt + TOL) {
          fail(
              what,
              "point "
                  + i
                  + " "
                  + l.name()
                  + " changes speed by "
                  + (v - prevV)
                  + " rad/s in "
                  + dt
                  + " s, limit "
                  + l.maxAccelerationRadPerS2()
                  + " rad/s^2");
        }
        prevP = x;
        prevV = v;
      }
    }
  }

  /** The checks of an Annotate answer to {@code sent}. */
  void checkAnnotation(Annotation a, Observation sent, String what) {
    checkMarks(a.getMarksList(), what);
    if (a.getEffectorMarkId() != 0
        && a.getMarksList().stream().noneMatch(m -> m.getId() == a.getEffectorMarkId())) {
      fail(what, "effector_mark_id " + a.getEffectorMarkId() + " names no mark");
    }
    checkTimings(a.getStageTimingsList(), what);
    if (sent.getAnnotateWithImage() != a.hasAnnotatedFrame()) {
      fail(
          what,
          "annotate_with_image "
              + sent.getAnnotateWithImage()
              + " but annotated frame "
              + (a.hasAnnotatedFrame() ? "sent" : "missing"));
    }
    if (a.hasAnnotatedFrame()) {
      try {
        var img =
            ImageIO.read(new ByteArrayInputStream(a.getAnnotatedFrame().getData().toByteArray()));
        if (img == null
            || img.getWidth() != a.getAnnotatedFrame().getWidthPx()
            || img.getHeight() != a.getAnnotatedFrame().getHeightPx()) {
          fail(what, "the annotated frame is not a PNG of the size it states");
        }
      } catch (java.io.IOException e) {
        fail(what, "the annotated frame does not decode: " + e.getMessage());
      }
    }
  }

  /** Describe's answer: the served robot's joints and a positive chunk length. */
  void checkInfo(PolicyInfo info, String what) {
    if (!info.getJointNamesList().equals(robot.jointNames())) {
      fail(
          what,
          "Describe names joints "
              + info.getJointNamesList()
              + ", robot has "
              + robot.jointNames());
    }
    if (info.getName().isBlank() || info.getInputWidthPx() < 0 || info.getInputHeightPx() < 0) {
      fail(what, "Describe answered " + info);
    }
  }

  private static void checkMarks(List<Mark> marks, String what) {
    Set<Integer> ids = new HashSet<>();
    for (Mark m : marks) {
      double[] v = {
        m.getCentroid().getXPx(),
        m.getCentroid().getYPx(),
        m.getBox().getXPx(),
        m.getBox().getYPx(),
        m.getBox().getWidthPx(),
        m.getBox().getHeightPx(),
        m.getAreaPx()
      };
      for (double x : v) {
        if (!Double.isFinite(x)) {
          fail(what, "mark " + m.getId() + " has a non-finite value: " + m);
        }
      }
      if (m.getId() <= 0 || !ids.add(m.getId())) {
        fail(what, "mark id " + m.getId() + " is not positive or repeats");
      }
      if (m.getBox().getWidthPx() < 0 || m.getBox().getHeightPx() < 0 || m.getAreaPx() < 0) {
        fail(what, "mark " + m.getId() + " has a negative size: " + m);
      }
    }
  }

  private static void checkTimings(List<StageTiming> timings, String what) {
    for (StageTiming t : timings) {
      if (t.getDurationNanos() < 0) {
        fail(what, "stage " + t.getStage() + " took " + t.getDurationNanos() + " ns");
      }
    }
  }

  private static void fail(String what, String why) {
    throw new AssertionError(what + ": " + why);
  }
}
