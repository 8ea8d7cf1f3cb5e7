package mantis.sim;

import java.util.ArrayList;
import java.util.List;
import mantis.calibration.Vec3;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/**
 * Mutable physical state and the quasi-static 2-D pushing physics.
 *
 * <p>Model: the effector (arm pusher tip or hand palm) is a kinematic disc; any object it
 * penetrates is displaced along the contact normal by the penetration depth. Overlapping objects
 * are separated along their contact normal, half each, which lets one object push another; a few
 * relaxation sweeps per substep settle chains of contacts. Blocks do not rotate (quasi-static,
 * frictionless contacts through the centre of a face move a block straight). Object centres are
 * clamped so their footprint stays on the table. Arm links never collide. Everything is plain
 * double arithmetic in a fixed order, so a run is bit-for-bit deterministic.
 */
final class World {
  private static final int RELAX_SWEEPS = 6;

  /** Largest effector travel per contact substep, metres. */
  private static final double SUBSTEP_TRAVEL_M = 0.004;

  final List<ObjectState> spec;
  final double[] x;
  final double[] y;
  final double[] half;
  final boolean[] disc;
  final int n;

  final RobotSpec robot;

  /** The arm; for the planar 3-joint arm the original planar code paths run. */
  final SimRobot arm;

  final double[] q;
  final double[] qd;
  final double[] lastTargets;
  double handX;
  double handY;
  double handVx;
  double handVy;
  double lastHandTargetX;
  double lastHandTargetY;

  private final double[] fk = new double[8];

  /** A world with the planar 3-joint arm of these limits. */
  World(List<ObjectState> objects, RobotSpec planarLimits) {
    this(objects, SimRobot.planar(planarLimits));
  }

  World(List<ObjectState> objects, SimRobot arm) {
    this.spec = List.copyOf(objects);
    this.arm = arm;
    this.robot = arm.spec();
    q = new double[robot.jointCount()];
    qd = new double[robot.jointCount()];
    lastTargets = new double[robot.jointCount()];
    n = objects.size();
    x = new double[n];
    y = new double[n];
    half = new double[n];
    disc = new boolean[n];
    for (int i = 0; i < n; i++) {
      ObjectState o = objects.get(i);
      x[i] = o.xM();
      y[i] = o.yM();
      half[i] = o.halfSizeM();
      disc[i] = o.shape() == Shape.DISC;
    }
  }

  List<ObjectState> objects() {
    List<ObjectState> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ObjectState o = spec.get(i);
      out.add(
          new ObjectState(
              o.name(), o.colour(), o.rgb(), o.shape(), x[i], y[i], 0.0, half[i], o.heightM()));
    }
    return out;
  }

  /**
   * Tip position {x, y} and heading of the arm (for a spatial arm: the tool tip projected onto the
   * table, and the yaw of the tool's x axis).
   */
  double[] tip() {
    if (!arm.planar()) {
      Vec3 t = arm.tip(q);
      return new double[] {t.xM(), t.yM(), arm.toolYaw(q)};
    }
    Table.jointPositions(q, fk);
    return new double[] {fk[6], fk[7], q[0] + q[1] + q[2]};
  }

  /** One arm physics step of {@code dt} seconds toward (clamped) joint targets. */
  void stepArm(double[] targets, double dt) {
    double[] qStart = q.clone();
    for (int j = 0; j < q.length; j++) {
      JointLimits lim = robot.joint(j);
      double t = targets[j];
      if (!Double.isFinite(t)) {
        t = q[j];
      }
      t = Math.max(lim.minPositionRad(), Math.min(lim.maxPositionRad(), t));
      lastTargets[j] = t;
      double[] pv =
          track(q[j], qd[j], t, lim.maxVelocityRadPerS(), lim.maxAccelerationRadPerS2(), dt);
      double p = pv[0];
      double v = pv[1];
      if (p < lim.minPositionRad()) {
        p = lim.minPositionRad();
        v = 0;
      } else if (p > lim.maxPositionRad()) {
        p = lim.maxPositionRad();
        v = 0;
      }
      q[j] = p;
      qd[j] = v;
    }
    if (!arm.planar()) {
      resolveSpatialPath(qStart);
      return;
    }
    // Contacts along the tip's path, in substeps interpolated in joint space.
    Table.jointPositions(qStart, fk);
    double x0 = fk[6];
    double y0 = fk[7];
    Table.jointPositions(q, fk);
    double travel = Math.hypot(fk[6] - x0, fk[7] - y0);
    int sub = Math.max(1, Math.min(16, (int) Math.ceil(travel / SUBSTEP_TRAVEL_M)));
    double[] qi = new double[3];
    for (int s = 1; s <= sub; s++) {
      double a = (double) s / sub;
      for (int j = 0; j < 3; j++) {
        qi[j] = qStart[j] + (q[j] - qStart[j]) * a;
      }
      Table.jointPositions(qi, fk);
      resolve(fk[6], fk[7], Table.PUSHER_RADIUS_M);
    }
  }

  /**
   * A spatial arm's contacts along its tip's path from {@code qStart} to {@link #q}, in substeps
   * interpolated in joint space: the pusher disc is the tool tip projected onto the table.
   */
  private void resolveSpatialPath(double[] qStart) {
    Vec3 a = arm.tip(qStart);
    Vec3 b = arm.tip(q);
    double travel = Math.hypot(b.xM() - a.xM(), b.yM() - a.yM());
    int sub = Math.max(1, Math.min(16, (int) Math.ceil(travel / SUBSTEP_TRAVEL_M)));
    double[] qi = new double[q.length];
    for (int s = 1; s <= sub; s++) {
      Vec3 t;
      if (s == sub) {
        t = b;
      } else {
        double f = (double) s / sub;
        for (int j = 0; j < q.length; j++) {
          qi[j] = qStart[j] + (q[j] - qStart[j]) * f;
        }
        t = arm.tip(qi);
      }
      resolve(t.xM(), t.yM(), Table.PUSHER_RADIUS_M);
    }
  }

  /** One hand physics step toward a table point, speed and acceleration limited. */
  void stepHand(double tx, double ty, double maxSpeed, double maxAccel, double dt) {
    if (!Double.isFinite(tx) || !Double.isFinite(ty)) {
      tx = handX;
      ty = handY;
    }
    tx = Math.max(Table.X_MIN - 0.05, Math.min(Table.X_MAX + 0.05, tx));
    ty = Math.max(Table.Y_MIN - 0.05, Math.min(Table.Y_MAX + 0.05, ty));
    lastHandTargetX = tx;
    lastHandTargetY = ty;
    double ex = tx - handX;
    double ey = ty - handY;
    double e = Math.hypot(ex, ey);
    double stoppable = maxAccel * (-dt + Math.sqrt(dt * dt + 2 * e / maxAccel));
    double speed = Math.min(maxSpeed, Math.min(stoppable, e / dt));
    double vdx = e > 1e-12 ? ex / e * speed : 0;
    double vdy = e > 1e-12 ? ey / e * speed : 0;
    double dvx = vdx - handVx;
    double dvy = vdy - handVy;
    double dv = Math.hypot(dvx, dvy);
    double maxDv = maxAccel * dt;
    if (dv > maxDv) {
      dvx *= maxDv / dv;
      dvy *= maxDv / dv;
    }
    handVx += dvx;
    handVy += dvy;
    double x0 = handX;
    double y0 = handY;
    handX += handVx * dt;
    handY += handVy * dt;
    if ((tx - handX) * ex + (ty - handY) * ey <= 0 && Math.hypot(handVx, handVy) <= maxDv) {
      // Arrived (or would pass the target at a speed one step can cancel): stop on it.
      handX = tx;
      handY = ty;
      handVx = 0;
      handVy = 0;
    }
    double travel = Math.hypot(handX - x0, handY - y0);
    int sub = Math.max(1, Math.min(16, (int) Math.ceil(travel / SUBSTEP_TRAVEL_M)));
    for (int s = 1; s <= sub; s++) {
      double a = (double) s / sub;
      resolve(x0 + (handX - x0) * a, y0 + (handY - y0) * a, Table.HAND_RADIUS_M);
    }
  }

  /**
   * Velocity- and acceleration-limited tracking of one coordinate; returns {position, velocity}.
   * The desired speed is the largest from which the discrete-time motion can still stop at the
   * target (v dt + v^2 / 2a <= distance), and a step that would pass the target at a speed the
   * acceleration limit can cancel ends exactly on it.
   */
  static double[] track(double p, double v, double target, double vMax, double aMax, double dt) {
    double e = target - p;
    double mag = Math.abs(e);
    double stoppable = aMax * (-dt + Math.sqrt(dt * dt + 2 * mag / aMax));
    double vDes = Math.signum(e) * Math.min(vMax, Math.min(stoppable, mag / dt));
    double dv = vDes - v;
    double maxDv = aMax * dt;
    if (dv > maxDv) {
      dv = maxDv;
    } else if (dv < -maxDv) {
      dv = -maxDv;
    }
    double vNew = v + dv;
    double pNew = p + vNew * dt;
    if (e != 0 && Math.signum(target - pNew) != Math.signum(e) && Math.abs(vNew) <= maxDv) {
      return new double[] {target, 0.0};
    }
    return new double[] {pNew, vNew};
  }

  /** Pushes objects out of the effector disc, then relaxes object-object overlaps. */
  void resolve(double ex, double ey, double er) {
    for (int sweep = 0; sweep < RELAX_SWEEPS; sweep++) {
      boolean any = false;
      for (int i = 0; i < n; i++) {
        any |= pushOutOfDisc(i, ex, ey, er);
      }
      for (int i = 0; i < n; i++) {
        for (int k = i + 1; k < n; k++) {
          any |= separate(i, k);
        }
      }
      for (int i = 0; i < n; i++) {
        clampToTable(i);
      }
      if (!any) {
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      pushOutOfDisc(i, ex, ey, er);
      clampToTable(i);
    }
  }

  private void clampToTable(int i) {
    double h = half[i];
    x[i] = Math.max(Table.X_MIN + h, Math.min(Table.X_MAX - h, x[i]));
    y[i] = Math.max(Table.Y_MIN + h, Math.min(Table.Y_MAX - h, y[i]));
  }

  /** Moves object i out of the disc (ex, ey, er) along the contact normal; true if it moved. */
  private boolean pushOutOfDisc(int i, double ex, double ey, double er) {
    double[] m = discVsObject(ex, ey, er, i);
    if (m == null) {
      return false;
    }
    x[i] += m[0];
    y[i] += m[1];
    return true;
  }

  /**
   * The displacement that moves object i out of the disc (cx, cy, r), or null when they do not
   * overlap.
   */
  private double[] discVsObject(double cx, double cy, double r, int i) {
    double dx = cx - x[i];
    double dy = cy - y[i];
    double h = half[i];
    if (disc[i]) {
      double d = Math.hypot(dx, dy);
      double pen = r + h - d;
      if (pen <= 0) {
        return null;
      }
      if (d < 1e-12) {
        return new double[] {0, -pen};
      }
      return new double[] {-dx / d * pen, -dy / d * pen};
    }
    double adx = Math.abs(dx);
    double ady = Math.abs(dy);
    if (adx < h && ady < h) {
      // Disc centre inside the square: leave through the nearest face.
      if (h - adx < h - ady) {
        double pen = h - adx + r;
        return new double[] {-Math.signum(dx == 0 ? 1 : dx) * pen, 0};
      }
      double pen = h - ady + r;
      return new double[] {0, -Math.signum(dy == 0 ? 1 : dy) * pen};
    }
    double qx = Math.max(-h, Math.min(h, dx));
    double qy = Math.max(-h, Math.min(h, dy));
    double vx = dx - qx;
    double vy = dy - qy;
    double d = Math.hypot(vx, vy);
    double pen = r - d;
    if (pen <= 0 || d < 1e-15) {
      return null;
    }
    return new double[] {-vx / d * pen, -vy / d * pen};
  }

  /** Separates objects i and k, half each; true if they overlapped. */
  private boolean separate(int i, int k) {
    double mx;
    double my;
    if (disc[i]) {
      double[] m = discVsObject(x[i], y[i], half[i], k);
      if (m == null) {
        return false;
      }
      mx = m[0];
      my = m[1];
    } else if (disc[k]) {
      double[] m = discVsObject(x[k], y[k], half[k], i);
      if (m == null) {
        return false;
      }
      mx = -m[0];
      my = -m[1];
    } else {
      double dx = x[k] - x[i];
      double dy = y[k] - y[i];
      double ox = half[i] + half[k] - Math.abs(dx);
      double oy = half[i] + half[k] - Math.abs(dy);
      if (ox <= 0 || oy <= 0) {
        return false;
      }
      if (ox < oy) {
        mx = Math.signum(dx == 0 ? 1 : dx) * ox;
        my = 0;
      } else {
        mx = 0;
        my = Math.signum(dy == 0 ? 1 : dy) * oy;
      }
    }
    // (mx, my) moves k out of i.
    x[k] += mx * 0.5;
    y[k] += my * 0.5;
    x[i] -= mx * 0.5;
    y[i] -= my * 0.5;
    return true;
  }
}
