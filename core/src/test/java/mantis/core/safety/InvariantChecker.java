package mantis.core.safety;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mantis.core.ActionChunk;
import mantis.core.ActionPoint;
import mantis.core.JointLimits;
import mantis.core.JointState;
import mantis.core.RobotSpec;

/**
 * An independent checker of the safety invariants, written from the definitions in the {@link
 * SafetyFilter} Javadoc and DESIGN.md, sharing no code with the filter. Tolerance 1e-9 on positions
 * (rad), velocities (rad/s) and velocity changes (rad/s).
 */
final class InvariantChecker {
  static final double TOL = 1e-9;

  private final RobotSpec robot;
  private final double margin;

  InvariantChecker(RobotSpec robot, double marginRad) {
    this.robot = robot;
    this.margin = marginRad;
  }

  /** The start state of the definition, or null when {@code current} is unusable. */
  double[][] startState(JointState current) {
    if (current == null) {
      return null;
    }
    int n = robot.jointCount();
    if (current.names().size() != n) {
      return null;
    }
    double[] p = new double[n];
    double[] v = new double[n];
    double[] vel = current.velocitiesRadPerS();
    for (int j = 0; j < n; j++) {
      JointLimits l = robot.joint(j);
      int k = current.names().indexOf(l.name());
      if (k < 0) {
        return null;
      }
      double pos = current.positionsRad()[k];
      double speed = vel.length == 0 ? 0 : vel[k];
      if (Double.isNaN(pos)
          || Double.isInfinite(pos)
          || Double.isNaN(speed)
          || Double.isInfinite(speed)) {
        return null;
      }
      double lo = l.minPositionRad() + margin;
      double hi = l.maxPositionRad() - margin;
      pos = Math.min(hi, Math.max(lo, pos));
      speed = Math.min(l.maxVelocityRadPerS(), Math.max(-l.maxVelocityRadPerS(), speed));
      double upStop = Math.sqrt(2 * l.maxAccelerationRadPerS2() * (hi - pos));
      double downStop = Math.sqrt(2 * l.maxAccelerationRadPerS2() * (pos - lo));
      if (speed > upStop) {
        speed = upStop;
      }
      if (speed < -downStop) {
        speed = -downStop;
      }
      p[j] = pos;
      v[j] = speed;
    }
    return new double[][] {p, v};
  }

  /**
   * Every violation of the invariants by {@code result}, the filter's answer to {@code raw} from
   * {@code current} at clock time {@code nowNanos}.
   */
  List<String> violations(
      ActionChunk raw, JointState current, long nowNanos, boolean estopped, SafetyResult result) {
    List<String> v = new ArrayList<>();
    if (result == null || result.chunk() == null) {
      v.add("no result");
      return v;
    }
    ActionChunk out = result.chunk();
    int n = robot.jointCount();
    if (!out.jointNames().equals(robot.jointNames())) {
      v.add("joint names " + out.jointNames());
    }
    List<ActionPoint> pts = out.points();
    if (pts.isEmpty()) {
      v.add("empty output");
      return v;
    }
    long prevT = 0;
    for (int i = 0; i < pts.size(); i++) {
      ActionPoint p = pts.get(i);
      if (p.size() != n) {
        v.add("point " + i + " has " + p.size() + " positions");
        return v;
      }
      if (p.timeFromStartNanos() <= prevT) {
        v.add("time of point " + i + " = " + p.timeFromStartNanos() + " not after " + prevT);
      }
      prevT = p.timeFromStartNanos();
      for (int j = 0; j < n; j++) {
        double x = p.positionsRad()[j];
        JointLimits l = robot.joint(j);
        if (!Double.isFinite(x)) {
          v.add("non-finite position point " + i + " joint " + j + ": " + x);
        } else if (x < l.minPositionRad() + margin - TOL || x > l.maxPositionRad() - margin + TOL) {
          v.add("position out of limits point " + i + " joint " + j + ": " + x);
        }
      }
    }
    if (!(out.validUntilNanos() > nowNanos)) {
      v.add("output valid until " + out.validUntilNanos() + " is not after now " + nowNanos);
    }
    if (result.held() && result.interventions().isEmpty()) {
      v.add("hold without an intervention");
    }
    if (!result.interventions().isEmpty() && result.passedUnchanged()) {
      v.add("passedUnchanged with interventions");
    }

    // Expected holds.
    double[][] start = startState(current);
    boolean namesOk = raw != null && raw.jointNames().equals(robot.jointNames());
    boolean countsOk = raw != null && raw.points().stream().allMatch(p -> p.size() == n);
    boolean mustHold =
        estopped
            || raw == null
            || raw.points().isEmpty()
            || start == null
            || !namesOk
            || !countsOk
            || raw.validUntilNanos() <= nowNanos;
    if (mustHold && !result.held()) {
      v.add(
          "should have been a hold (estop="
              + estopped
              + ", start="
              + (start != null)
              + ", names="
              + namesOk
              + ", counts="
              + countsOk
              + ")");
    }
    if (estopped && !result.has(InterventionKind.ESTOP)) {
      v.add("e-stop not reported");
    }
    if (result.held() && pts.size() != 1) {
      v.add("a hold has " + pts.size() + " points");
    }
    if (!estopped
        && start != null
        && raw != null
        && !raw.points().isEmpty()
        && namesOk
        && countsOk
        && raw.validUntilNanos() <= nowNanos
        && !result.has(InterventionKind.EXPIRED)) {
      v.add("expiry not reported");
    }
    if (!result.held() && raw != null && out.validUntilNanos() != raw.validUntilNanos()) {
      v.add("validity changed");
    }

    // Metadata kept.
    if (raw != null) {
      if (!Arrays.equals(raw.latentTokens(), out.latentTokens())) {
        v.add("latent tokens lost");
      }
      if (!raw.marks().equals(out.marks()) || !raw.traces().equals(out.traces())) {
        v.add("marks or traces lost");
      }
      if (!raw.modelVersion().equals(out.modelVersion())
          || !raw.stageNanos().equals(out.stageNanos())) {
        v.add("model version or stage timing lost");
      }
    }

    // Rates, from the start state.
    if (start == null) {
      if (!result.held()) {
        v.add("moved from an unusable joint state");
      }
      return v;
    }
    for (int j = 0; j < n; j++) {
      JointLimits l = robot.joint(j);
      double lo = l.minPositionRad() + margin;
      double hi = l.maxPositionRad() - margin;
      double vmax = l.maxVelocityRadPerS();
      double amax = l.maxAccelerationRadPerS2();
      double prevP = start[0][j];
      double prevV = start[1][j];
      long lastT = 0;
      for (int i = 0; i < pts.size(); i++) {
        double dt = (pts.get(i).timeFromStartNanos() - lastT) / 1e9;
        lastT = pts.get(i).timeFromStartNanos();
        double x = pts.get(i).positionsRad()[j];
        double vel = (x - prevP) / dt;
        if (Math.abs(vel) > vmax + TOL) {
          v.add("velocity " + vel + " > " + vmax + " at point " + i + " joint " + j);
        }
        if (Math.abs(vel - prevV) > amax * dt + TOL) {
          v.add(
              "velocity change "
                  + (vel - prevV)
                  + " > "
                  + (amax * dt)
                  + " at point "
                  + i
                  + " joint "
                  + j);
        }
        // Room to stop before the limit the joint moves towards.
        double room = vel >= 0 ? hi - x : x - lo;
        if (vel * vel > 2 * amax * Math.max(0, room) + TOL) {
          v.add(
              "cannot stop: speed "
                  + vel
                  + " with "
                  + room
                  + " rad left at point "
                  + i
                  + " joint "
                  + j);
        }
        prevP = x;
        prevV = vel;
      }
    }
    return v;
  }
}
