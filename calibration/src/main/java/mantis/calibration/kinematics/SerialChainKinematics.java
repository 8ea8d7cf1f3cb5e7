package mantis.calibration.kinematics;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.ejml.data.DMatrix3;
import org.ejml.data.DMatrix3x3;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.fixed.CommonOps_DDF3;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/** FK, Jacobian and damped-least-squares IK of a {@link SerialChain}. */
final class SerialChainKinematics implements Kinematics {
  private static final double MIN_DAMPING = 1e-12;
  private static final double MAX_DAMPING = 1e4;
  private static final double TWO_PI = 2 * Math.PI;

  /** Every this many iterations an attempt must have cut its squared error to STALL_RATIO. */
  private static final int STALL_ITERATIONS = 10;

  private static final double STALL_RATIO = 0.25;

  /** Largest change of any joint in one step, rad (or m). */
  private static final double MAX_STEP = 1.0;

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
    double bestPos = Double.POSITIVE_INFINITY;
    double bestRot = Double.POSITIVE_INFINITY;
    int attempts = 0;
    double[] start = seed.clone();
    for (int attempt = 0; attempt <= options.maxRestarts(); attempt++) {
      if (attempt > 0) {
        for (int i = 0; i < n; i++) {
          start[i] =
              bounded[i]
                  ? lower[i] + rng.nextDouble() * (upper[i] - lower[i])
                  : rng.nextDouble(-Math.PI, Math.PI);
        }
      }
      attempts++;
      double[] q = attempt(target, start, w);
      if (q != null) {
        return IkResult.solved(q, w.positionError, w.orientationError, attempts, w.iterations);
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

  /** One damped-least-squares descent from {@code start}; the solution or null. */
  private double[] attempt(Pose target, double[] start, Workspace w) {
    double[] q = start.clone();
    for (int i = 0; i < n; i++) {
      q[i] = intoLimits(i, q[i]);
    }
    compute(q, w.frames);
    double err = error(target, w.frames, w.e, w);
    double lambda = options.initialDamping();
    double[] trial = new double[n];
    double errorAtCheck = err;
    for (int iter = 0; iter < options.maxIterations(); iter++) {
      if (w.positionError <= options.positionToleranceM()
          && w.orientationError <= options.orientationToleranceRad()) {
        return q;
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
      // dq = J^T (J J^T + lambda^2 I)^-1 e
      CommonOps_DDRM.multTransB(w.jac, w.jac, w.jjt);
      for (int k = 0; k < 6; k++) {
        w.jjt.add(k, k, lambda * lambda);
      }
      if (!w.solver.setA(w.jjt)) {
        lambda *= 10;
        continue;
      }
      w.solver.solve(w.e, w.y);
      CommonOps_DDRM.multTransA(w.jac, w.y, w.dq);
      // A trust region: far from the target the linearization is poor, so cap the largest step.
      double largest = CommonOps_DDRM.elementMaxAbs(w.dq);
      double scale = largest > MAX_STEP ? MAX_STEP / largest : 1;
      for (int i = 0; i < n; i++) {
        trial[i] = intoLimits(i, q[i] + scale * w.dq.get(i));
      }
      compute(trial, w.trialFrames);
      double trialErr = error(target, w.trialFrames, w.trialE, w);
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
    return w.positionError <= options.positionToleranceM()
            && w.orientationError <= options.orientationToleranceRad()
        ? q
        : null;
  }

  /** Fills e = (position error, rotation vector error); returns its squared norm. */
  private static double error(Pose target, Frames f, DMatrixRMaj e, Workspace w) {
    Pose current = f.pose();
    double ex = target.xM() - current.xM();
    double ey = target.yM() - current.yM();
    double ez = target.zM() - current.zM();
    double[] r = Rotations.rotationVector(target, current);
    e.set(0, ex);
    e.set(1, ey);
    e.set(2, ez);
    e.set(3, r[0]);
    e.set(4, r[1]);
    e.set(5, r[2]);
    double p2 = ex * ex + ey * ey + ez * ez;
    double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
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

  /** Per-solve scratch space. */
  private static final class Workspace {
    Frames frames;
    Frames trialFrames;
    final DMatrixRMaj jac;
    final DMatrixRMaj jjt = new DMatrixRMaj(6, 6);
    DMatrixRMaj e = new DMatrixRMaj(6, 1);
    DMatrixRMaj trialE = new DMatrixRMaj(6, 1);
    final DMatrixRMaj y = new DMatrixRMaj(6, 1);
    final DMatrixRMaj dq;
    final LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(6);
    double positionError;
    double orientationError;
    int iterations;

    Workspace(int n) {
      frames = new Frames(n);
      trialFrames = new Frames(n);
      jac = new DMatrixRMaj(6, n);
      dq = new DMatrixRMaj(n, 1);
    }
  }
}
