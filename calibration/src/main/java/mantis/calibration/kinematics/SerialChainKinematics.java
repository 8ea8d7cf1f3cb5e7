package mantis.calibration.kinematics;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.ejml.data.DMatrix3;
import org.ejml.data.DMatrix3x3;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.fixed.CommonOps_DDF3;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.misc.UnrolledCholesky_DDRM;

/**
 * FK, Jacobian and damped-least-squares IK of a {@link SerialChain}. An IK solve tries the caller's
 * seed first; its restarts start from the precomputed sample poses nearest the target, then from
 * seeded random joint values. A solve allocates its scratch space once, nothing per iteration.
 */
final class SerialChainKinematics implements Kinematics {
  private static final double MIN_DAMPING = 1e-12;
  private static final double MAX_DAMPING = 1e4;
  private static final double TWO_PI = 2 * Math.PI;

  /**
   * Every this many iterations an attempt must have cut its squared error to STALL_RATIO of what it
   * was (10 before 2026-12-03; 5 halves the cost of a doomed attempt, see docs/BENCHMARKS.md).
   */
  private static final int STALL_ITERATIONS = 5;

  private static final double STALL_RATIO = 0.25;

  /** Largest change of any joint in one step, rad (or m). */
  private static final double MAX_STEP = 1.0;

  /**
   * Samples in the seed table: random in-limit joint values and their tool poses, computed once per
   * instance (2048 forward kinematics; 13 doubles a sample for 6 joints, ~0.2 MB). Restarts start
   * from the samples nearest the target.
   */
  static final int SEED_TABLE_SIZE = 2048;

  /** Weight of orientation against position in the seed table, times the squared reach. */
  static final double ROTATION_WEIGHT = 0.1;

  /** Restarts that start from the seed table's samples nearest the target. */
  static final int SEED_TABLE_RESTARTS = 16;

  private final SerialChain chain;
  private final IkOptions options;
  private final int n;
  private final DMatrix3x3[] originRotation;
  private final DMatrix3[] originTranslation;
  private final DMatrix3[] axis;
  private final boolean[] prismatic;
  private final double[] lower;
  private final double[] upper;
  private final boolean[] bounded;
  private final DMatrix3x3 toolRotation;
  private final DMatrix3 toolTranslation;
  private final SeedTable seedTable;

  SerialChainKinematics(SerialChain chain, IkOptions options) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.options = Objects.requireNonNull(options, "options");
    n = chain.jointCount();
    originRotation = new DMatrix3x3[n];
    originTranslation = new DMatrix3[n];
    axis = new DMatrix3[n];
    prismatic = new boolean[n];
    lower = new double[n];
    upper = new double[n];
    bounded = new boolean[n];
    for (int i = 0; i < n; i++) {
      ChainJoint j = chain.joint(i);
      originRotation[i] = j.origin().rotationMatrix();
      originTranslation[i] = j.origin().translation();
      axis[i] = j.axis();
      prismatic[i] = j.type() == JointType.PRISMATIC;
      bounded[i] = j.bounded();
      lower[i] = bounded[i] ? j.lower() : Double.NEGATIVE_INFINITY;
      upper[i] = bounded[i] ? j.upper() : Double.POSITIVE_INFINITY;
    }
    toolRotation = chain.toolTransform().rotationMatrix();
    toolTranslation = chain.toolTransform().translation();
    seedTable = SEED_TABLE_SIZE > 0 ? seedTable(SEED_TABLE_SIZE) : null;
  }

  private SeedTable seedTable(int size) {
    SplittableRandom rng = new SplittableRandom(options.randomSeed() ^ 0x5eed7ab1eL);
    double[][] joints = new double[size][n];
    double[] poses = new double[7 * size];
    Frames f = new Frames(n);
    double reach2 = 0;
    for (int s = 0; s < size; s++) {
      double[] q = joints[s];
      for (int i = 0; i < n; i++) {
        q[i] =
            bounded[i]
                ? lower[i] + rng.nextDouble() * (upper[i] - lower[i])
                : rng.nextDouble(-Math.PI, Math.PI);
      }
      compute(q, f);
      Pose p = f.pose();
      int o = 7 * s;
      poses[o] = p.xM();
      poses[o + 1] = p.yM();
      poses[o + 2] = p.zM();
      poses[o + 3] = p.qx();
      poses[o + 4] = p.qy();
      poses[o + 5] = p.qz();
      poses[o + 6] = p.qw();
      reach2 = Math.max(reach2, p.xM() * p.xM() + p.yM() * p.yM() + p.zM() * p.zM());
    }
    return new SeedTable(joints, poses, ROTATION_WEIGHT * Math.max(reach2, 1e-6));
  }

  @Override
  public int jointCount() {
    return n;
  }

  @Override
  public List<String> jointNames() {
    return chain.jointNames();
  }

  @Override
  public Pose forward(double[] joints) {
    checkJoints(joints, "joints");
    Frames f = new Frames(n);
    compute(joints, f);
    return f.pose();
  }

  @Override
  public double[][] jacobian(double[] joints) {
    checkJoints(joints, "joints");
    Frames f = new Frames(n);
    compute(joints, f);
    DMatrixRMaj j = new DMatrixRMaj(6, n);
    fillJacobian(f, j);
    double[][] out = new double[6][n];
    for (int r = 0; r < 6; r++) {
      for (int c = 0; c < n; c++) {
        out[r][c] = j.get(r, c);
      }
    }
    return out;
  }

  @Override
  public IkResult inverse(Pose target, double[] seed) {
    Objects.requireNonNull(target, "target");
    checkJoints(seed, "seed");
    SplittableRandom rng = new SplittableRandom(options.randomSeed());
    Workspace w = new Workspace(n);
    w.setTarget(target);
    double bestPos = Double.POSITIVE_INFINITY;
    double bestRot = Double.POSITIVE_INFINITY;
    int attempts = 0;
    double[] start = w.start;
    System.arraycopy(seed, 0, start, 0, n);
    int tableSeeds = 0;
    for (int attempt = 0; attempt <= options.maxRestarts(); attempt++) {
      if (attempt == 1 && seedTable != null) {
        // Only a solve whose first attempt failed pays for the search.
        tableSeeds = nearestSamples(w);
      }
      if (attempt > 0 && attempt <= tableSeeds) {
        System.arraycopy(seedTable.joints[w.nearest[attempt - 1]], 0, start, 0, n);
      } else if (attempt > 0) {
        for (int i = 0; i < n; i++) {
          start[i] =
              bounded[i]
                  ? lower[i] + rng.nextDouble() * (upper[i] - lower[i])
                  : rng.nextDouble(-Math.PI, Math.PI);
        }
      }
      attempts++;
      if (attempt(start, w)) {
        return IkResult.solved(
            w.q.clone(), w.positionError, w.orientationError, attempts, w.iterations);
      }
      if (w.positionError + w.orientationError < bestPos + bestRot) {
        bestPos = w.positionError;
        bestRot = w.orientationError;
      }
    }
    return IkResult.failed(
        chain.name()
            + ": no joint values inside the limits reach the pose within "
            + options.positionToleranceM()
            + " m and "
            + options.orientationToleranceRad()
            + " rad after "
            + attempts
            + " attempts (best: position error "
            + bestPos
            + " m, orientation error "
            + bestRot
            + " rad); the pose may be out of reach or need joints outside the limits",
        bestPos,
        bestRot,
        attempts,
        w.iterations);
  }

  /**
   * Fills w.nearest with the indices of the seed-table samples whose tool poses are nearest the
   * target, nearest first; returns how many.
   */
  private int nearestSamples(Workspace w) {
    int k = Math.min(w.nearest.length, seedTable.size());
    double[] best = w.nearestDistance;
    java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
    double[] poses = seedTable.poses;
    double rotWeight = seedTable.rotationWeightM2;
    for (int s = 0; s < seedTable.size(); s++) {
      int o = 7 * s;
      double dx = poses[o] - w.tx;
      double dy = poses[o + 1] - w.ty;
      double dz = poses[o + 2] - w.tz;
      double dot =
          poses[o + 3] * w.tqx + poses[o + 4] * w.tqy + poses[o + 5] * w.tqz + poses[o + 6] * w.tqw;
      double d = dx * dx + dy * dy + dz * dz + rotWeight * (1 - Math.abs(dot));
      if (d < best[k - 1]) {
        int at = k - 1;
        while (at > 0 && best[at - 1] > d) {
          best[at] = best[at - 1];
          w.nearest[at] = w.nearest[at - 1];
          at--;
        }
        best[at] = d;
        w.nearest[at] = s;
      }
    }
    return k;
  }

  /**
   * One damped-least-squares descent from {@code start}; true when it reached the tolerances, with
   * the solution in w.q and its errors in w.positionError and w.orientationError.
   */
  private boolean attempt(double[] start, Workspace w) {
    double[] q = w.q;
    double[] trial = w.trial;
    for (int i = 0; i < n; i++) {
      q[i] = intoLimits(i, start[i]);
    }
    compute(q, w.frames);
    double err = error(w.frames, w.e, w);
    double lambda = options.initialDamping();
    double errorAtCheck = err;
    double posTol = options.positionToleranceM();
    double rotTol = options.orientationToleranceRad();
    for (int iter = 0; iter < options.maxIterations(); iter++) {
      if (w.positionError <= posTol && w.orientationError <= rotTol) {
        return true;
      }
      if (iter > 0 && iter % STALL_ITERATIONS == 0) {
        // Converging attempts shrink the squared error fast; one that does not is in a local
        // minimum (often against a limit), and a restart is cheaper than waiting.
        if (err > STALL_RATIO * errorAtCheck) {
          break;
        }
        errorAtCheck = err;
      }
      w.iterations++;
      double positionError = w.positionError;
      double orientationError = w.orientationError;
      fillJacobian(w.frames, w.jac);
      // dq = J^T (J J^T + lambda^2 I)^-1 e, the 6 x 6 system by an unrolled Cholesky solve.
      CommonOps_DDRM.multTransB(w.jac, w.jac, w.jjt);
      for (int k = 0; k < 6; k++) {
        w.jjt.data[7 * k] += lambda * lambda;
      }
      if (!UnrolledCholesky_DDRM.lower(w.jjt, w.chol)) {
        lambda *= 10;
        continue;
      }
      System.arraycopy(w.e.data, 0, w.y.data, 0, 6);
      TriangularSolver_DDRM.solveL(w.chol.data, w.y.data, 6);
      TriangularSolver_DDRM.solveTranL(w.chol.data, w.y.data, 6);
      CommonOps_DDRM.multTransA(w.jac, w.y, w.dq);
      // A trust region: far from the target the linearization is poor, so cap the largest step.
      double largest = CommonOps_DDRM.elementMaxAbs(w.dq);
      double scale = largest > MAX_STEP ? MAX_STEP / largest : 1;
      for (int i = 0; i < n; i++) {
        trial[i] = intoLimits(i, q[i] + scale * w.dq.data[i]);
      }
      compute(trial, w.trialFrames);
      double trialErr = error(w.trialFrames, w.trialE, w);
      if (trialErr < err) {
        System.arraycopy(trial, 0, q, 0, n);
        Frames swap = w.frames;
        w.frames = w.trialFrames;
        w.trialFrames = swap;
        DMatrixRMaj swapE = w.e;
        w.e = w.trialE;
        w.trialE = swapE;
        err = trialErr;
        lambda = Math.max(MIN_DAMPING, lambda * 0.1);
      } else {
        // error() of the rejected trial overwrote the errors; restore those of q.
        w.positionError = positionError;
        w.orientationError = orientationError;
        lambda *= 10;
        if (lambda > MAX_DAMPING) {
          break;
        }
      }
    }
    return w.positionError <= posTol && w.orientationError <= rotTol;
  }

  /**
   * Fills e = (position error, rotation vector error) of the frames' tool against the workspace's
   * target; returns its squared norm. Allocates nothing.
   */
  private static double error(Frames f, DMatrixRMaj e, Workspace w) {
    DMatrix3x3 r = f.toolR;
    double ex = w.tx - f.toolT.a1;
    double ey = w.ty - f.toolT.a2;
    double ez = w.tz - f.toolT.a3;
    // The current orientation as a unit quaternion (as Pose.fromRotation computes it).
    double trace = r.a11 + r.a22 + r.a33;
    double cx;
    double cy;
    double cz;
    double cw;
    if (trace > 0) {
      double s = 2 * Math.sqrt(trace + 1);
      cw = 0.25 * s;
      cx = (r.a32 - r.a23) / s;
      cy = (r.a13 - r.a31) / s;
      cz = (r.a21 - r.a12) / s;
    } else if (r.a11 > r.a22 && r.a11 > r.a33) {
      double s = 2 * Math.sqrt(1 + r.a11 - r.a22 - r.a33);
      cw = (r.a32 - r.a23) / s;
      cx = 0.25 * s;
      cy = (r.a12 + r.a21) / s;
      cz = (r.a13 + r.a31) / s;
    } else if (r.a22 > r.a33) {
      double s = 2 * Math.sqrt(1 + r.a22 - r.a11 - r.a33);
      cw = (r.a13 - r.a31) / s;
      cx = (r.a12 + r.a21) / s;
      cy = 0.25 * s;
      cz = (r.a23 + r.a32) / s;
    } else {
      double s = 2 * Math.sqrt(1 + r.a33 - r.a11 - r.a22);
      cw = (r.a21 - r.a12) / s;
      cx = (r.a13 + r.a31) / s;
      cy = (r.a23 + r.a32) / s;
      cz = 0.25 * s;
    }
    double norm = Math.sqrt(cx * cx + cy * cy + cz * cz + cw * cw);
    // q = q_target * conj(q_current)
    double ax = w.tqx;
    double ay = w.tqy;
    double az = w.tqz;
    double aw = w.tqw;
    double bx = -cx / norm;
    double by = -cy / norm;
    double bz = -cz / norm;
    double bw = cw / norm;
    double qw = aw * bw - ax * bx - ay * by - az * bz;
    double qx = aw * bx + ax * bw + ay * bz - az * by;
    double qy = aw * by - ax * bz + ay * bw + az * bx;
    double qz = aw * bz + ax * by - ay * bx + az * bw;
    if (qw < 0) {
      qx = -qx;
      qy = -qy;
      qz = -qz;
      qw = -qw;
    }
    double sn = Math.sqrt(qx * qx + qy * qy + qz * qz);
    double rx = 0;
    double ry = 0;
    double rz = 0;
    if (sn >= 1e-300) {
      double k = 2 * Math.atan2(sn, qw) / sn;
      rx = qx * k;
      ry = qy * k;
      rz = qz * k;
    }
    double[] d = e.data;
    d[0] = ex;
    d[1] = ey;
    d[2] = ez;
    d[3] = rx;
    d[4] = ry;
    d[5] = rz;
    double p2 = ex * ex + ey * ey + ez * ez;
    double r2 = rx * rx + ry * ry + rz * rz;
    w.positionError = Math.sqrt(p2);
    w.orientationError = Math.sqrt(r2);
    return p2 + r2;
  }

  /** Joint i's value inside its limits: wrapped by 2π for revolute joints, else clamped. */
  private double intoLimits(int i, double v) {
    if (!bounded[i]) {
      return v;
    }
    if (v >= lower[i] && v <= upper[i]) {
      return v;
    }
    if (!prismatic[i]) {
      double wrapped = v - TWO_PI * Math.floor((v - lower[i]) / TWO_PI);
      if (wrapped <= upper[i]) {
        return wrapped;
      }
    }
    return Math.max(lower[i], Math.min(upper[i], v));
  }

  /** World frames of every joint and of the tool for joint values q. */
  private void compute(double[] q, Frames f) {
    DMatrix3x3 r = f.tmpR;
    r.setTo(1, 0, 0, 0, 1, 0, 0, 0, 1);
    DMatrix3 t = f.tmpT;
    t.setTo(0, 0, 0);
    DMatrix3x3 rNext = f.tmpR2;
    DMatrix3 v = f.tmpV;
    for (int i = 0; i < n; i++) {
      // T = T * origin_i
      CommonOps_DDF3.mult(r, originTranslation[i], v);
      CommonOps_DDF3.addEquals(t, v);
      CommonOps_DDF3.mult(r, originRotation[i], rNext);
      r.setTo(rNext);
      CommonOps_DDF3.mult(r, axis[i], f.axisWorld[i]);
      f.jointWorld[i].setTo(t);
      if (prismatic[i]) {
        DMatrix3 a = f.axisWorld[i];
        t.a1 += a.a1 * q[i];
        t.a2 += a.a2 * q[i];
        t.a3 += a.a3 * q[i];
      } else {
        rotationAbout(axis[i], q[i], f.tmpRot);
        CommonOps_DDF3.mult(r, f.tmpRot, rNext);
        r.setTo(rNext);
      }
    }
    CommonOps_DDF3.mult(r, toolTranslation, v);
    CommonOps_DDF3.addEquals(t, v);
    CommonOps_DDF3.mult(r, toolRotation, f.toolR);
    f.toolT.setTo(t);
  }

  private static void rotationAbout(DMatrix3 a, double angle, DMatrix3x3 out) {
    double c = Math.cos(angle);
    double s = Math.sin(angle);
    double v = 1 - c;
    double x = a.a1;
    double y = a.a2;
    double z = a.a3;
    out.setTo(
        c + x * x * v,
        x * y * v - z * s,
        x * z * v + y * s,
        y * x * v + z * s,
        c + y * y * v,
        y * z * v - x * s,
        z * x * v - y * s,
        z * y * v + x * s,
        c + z * z * v);
  }

  private void fillJacobian(Frames f, DMatrixRMaj j) {
    DMatrix3 p = f.toolT;
    for (int i = 0; i < n; i++) {
      DMatrix3 z = f.axisWorld[i];
      if (prismatic[i]) {
        j.set(0, i, z.a1);
        j.set(1, i, z.a2);
        j.set(2, i, z.a3);
        j.set(3, i, 0);
        j.set(4, i, 0);
        j.set(5, i, 0);
      } else {
        DMatrix3 o = f.jointWorld[i];
        double dx = p.a1 - o.a1;
        double dy = p.a2 - o.a2;
        double dz = p.a3 - o.a3;
        j.set(0, i, z.a2 * dz - z.a3 * dy);
        j.set(1, i, z.a3 * dx - z.a1 * dz);
        j.set(2, i, z.a1 * dy - z.a2 * dx);
        j.set(3, i, z.a1);
        j.set(4, i, z.a2);
        j.set(5, i, z.a3);
      }
    }
  }

  private void checkJoints(double[] q, String what) {
    Objects.requireNonNull(q, what);
    if (q.length != n) {
      throw new IllegalArgumentException(
          chain.name() + ": " + what + " needs " + n + " values, got " + q.length);
    }
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(q[i])) {
        throw new IllegalArgumentException(
            chain.name() + ": " + what + "[" + i + "] (" + chain.joint(i).name() + ") is " + q[i]);
      }
    }
  }

  /** Joint and tool frames in the base frame. */
  private static final class Frames {
    final DMatrix3[] axisWorld;
    final DMatrix3[] jointWorld;
    final DMatrix3x3 toolR = new DMatrix3x3();
    final DMatrix3 toolT = new DMatrix3();
    final DMatrix3x3 tmpR = new DMatrix3x3();
    final DMatrix3x3 tmpR2 = new DMatrix3x3();
    final DMatrix3x3 tmpRot = new DMatrix3x3();
    final DMatrix3 tmpT = new DMatrix3();
    final DMatrix3 tmpV = new DMatrix3();

    Frames(int n) {
      axisWorld = new DMatrix3[n];
      jointWorld = new DMatrix3[n];
      for (int i = 0; i < n; i++) {
        axisWorld[i] = new DMatrix3();
        jointWorld[i] = new DMatrix3();
      }
    }

    Pose pose() {
      DMatrix3x3 r = toolR;
      return Pose.fromRotation(
          toolT.a1, toolT.a2, toolT.a3, r.a11, r.a12, r.a13, r.a21, r.a22, r.a23, r.a31, r.a32,
          r.a33);
    }
  }

  /** Per-solve scratch space: a solve allocates it once and nothing per iteration. */
  private static final class Workspace {
    Frames frames;
    Frames trialFrames;
    final DMatrixRMaj jac;
    final DMatrixRMaj jjt = new DMatrixRMaj(6, 6);
    final DMatrixRMaj chol = new DMatrixRMaj(6, 6);
    DMatrixRMaj e = new DMatrixRMaj(6, 1);
    DMatrixRMaj trialE = new DMatrixRMaj(6, 1);
    final DMatrixRMaj y = new DMatrixRMaj(6, 1);
    final DMatrixRMaj dq;
    final double[] q;
    final double[] trial;
    final double[] start;
    final int[] nearest = new int[SEED_TABLE_RESTARTS];
    final double[] nearestDistance = new double[SEED_TABLE_RESTARTS];
    double tx;
    double ty;
    double tz;
    double tqx;
    double tqy;
    double tqz;
    double tqw;
    double positionError;
    double orientationError;
    int iterations;

    Workspace(int n) {
      frames = new Frames(n);
      trialFrames = new Frames(n);
      jac = new DMatrixRMaj(6, n);
      dq = new DMatrixRMaj(n, 1);
      q = new double[n];
      trial = new double[n];
      start = new double[n];
    }

    void setTarget(Pose t) {
      tx = t.xM();
      ty = t.yM();
      tz = t.zM();
      tqx = t.qx();
      tqy = t.qy();
      tqz = t.qz();
      tqw = t.qw();
    }
  }

  /**
   * Tool poses of random in-limit joint values, computed once per instance: restarts start from the
   * samples nearest the target before falling back to random joint values.
   */
  private static final class SeedTable {
    final double[][] joints;

    /** x, y, z, qx, qy, qz, qw per sample. */
    final double[] poses;

    /** Weight of (1 - |q . q_target|) against the squared position distance, m^2. */
    final double rotationWeightM2;

    SeedTable(double[][] joints, double[] poses, double rotationWeightM2) {
      this.joints = joints;
      this.poses = poses;
      this.rotationWeightM2 = rotationWeightM2;
    }

    int size() {
      return joints.length;
    }
  }
}
