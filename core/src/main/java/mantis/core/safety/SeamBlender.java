package mantis.core.safety;

import java.util.List;
import java.util.Objects;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;

/**
 * Smooths the seam where a new action chunk replaces the one being played, on the executor side,
 * one command per control step.
 *
 * <p>Each step the executor passes the target its {@link ChunkPlayer} yields and whether a new
 * chunk was accepted since the previous step; {@link #next} returns the command to send. Two things
 * happen:
 *
 * <ol>
 *   <li><b>Cross-fade.</b> At a seam, the previous trajectory is continued at the velocity it had
 *       at the seam (what it would have commanded next, to first order) and the output target moves
 *       from it to the new chunk's target with weight {@code w = s^2 (3 - 2 s)}, {@code s = time
 *       since the seam / blend time}; after the blend time (0.1 s by default) the new chunk's
 *       targets pass through alone. A seam during a blend starts from the blended trajectory.
 *   <li><b>Limits.</b> The command then tracks that target as closely as the robot's limits allow,
 *       per joint: with {@code dt} the step, {@code |c_k - c_(k-1)| / dt <= maxVelocity}, {@code
 *       |c_k - 2 c_(k-1) + c_(k-2)| / dt^2 <= maxAcceleration}, and every command inside {@code
 *       [min, max]} with room to brake before the limit it moves towards. Approaching the target it
 *       brakes in time (no overshoot on a step), and a target that the command already follows
 *       within the limits is passed through unchanged.
 * </ol>
 *
 * <p>The blender never invents motion from an expired chunk: when the player has no target the
 * executor holds (sends the measured position) and calls {@link #reset(double[])} with the hold
 * position, which forgets the old trajectory and the command's velocity; the next chunk is blended
 * from rest at that position. Non-finite targets count as "stay where the command is"; every
 * command is finite. The hold itself is the executor's choice, not limited here.
 *
 * <p>Not thread-safe: one instance per executor loop. Pure computation, no clock: steps are {@code
 * dt} apart by contract.
 */
public final class SeamBlender {
  /** The default blend time: 0.1 s. */
  public static final double DEFAULT_BLEND_TIME_S = 0.1;

  private final int n;
  private final double dtS;
  private final double blendTimeS;
  private final double[] lo;
  private final double[] hi;
  private final double[] vMax;
  private final double[] aMax;

  // State; valid once started.
  private boolean started;
  private final double[] command; // last command
  private final double[] velocity; // last command velocity (realised), rad/s
  private final double[] target; // last blended target
  private final double[] targetVel; // its velocity, rad/s
  private final double[] fromPos; // previous trajectory at the seam
  private final double[] fromVel; // and its velocity
  private double sinceSeamS; // time since the seam; >= blendTimeS when not blending
  private boolean blending;

  private SeamBlender(Builder b) {
    List<JointLimits> joints = b.robot.joints();
    n = joints.size();
    dtS = b.stepS;
    blendTimeS = b.blendTimeS;
    lo = new double[n];
    hi = new double[n];
    vMax = new double[n];
    aMax = new double[n];
    for (int j = 0; j < n; j++) {
      JointLimits l = joints.get(j);
      lo[j] = l.minPositionRad();
      hi[j] = l.maxPositionRad();
      vMax[j] = l.maxVelocityRadPerS();
      aMax[j] = l.maxAccelerationRadPerS2();
    }
    command = new double[n];
    velocity = new double[n];
    target = new double[n];
    targetVel = new double[n];
    fromPos = new double[n];
    fromVel = new double[n];
  }

  /** A builder; {@link Builder#setRobot} and {@link Builder#setStepS} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of joints. */
  public int jointCount() {
    return n;
  }

  /** The blend time, s. */
  public double blendTimeS() {
    return blendTimeS;
  }

  /** True while a seam is being cross-faded. */
  public boolean isBlending() {
    return blending;
  }

  /**
   * Starts again at rest at {@code positionsRad} (clamped into the limits; non-finite values become
   * the nearest limit or 0): the previous trajectory, the command's velocity and any blend are
   * forgotten. Call it at the start of an episode and whenever the executor holds.
   */
  public void reset(double[] positionsRad) {
    checkLength(positionsRad, "reset positions");
    for (int j = 0; j < n; j++) {
      double p = positionsRad[j];
      if (Double.isNaN(p)) {
        p = clamp(0, lo[j], hi[j]);
      }
      p = clamp(p, lo[j], hi[j]);
      command[j] = p;
      velocity[j] = 0;
      target[j] = p;
      targetVel[j] = 0;
      fromPos[j] = p;
      fromVel[j] = 0;
    }
    sinceSeamS = blendTimeS;
    blending = false;
    started = true;
  }

  /** Forgets everything; the next {@link #next} starts at rest at its target. */
  public void clear() {
    started = false;
    blending = false;
  }

  /**
   * The command for the next step.
   *
   * @param targetRad the chunk player's target for this step, one per joint
   * @param newChunk true when a new chunk was accepted since the previous step (this target is its
   *     first); ignored before the first step after {@link #clear()} or construction
   * @return the command, one finite position per joint, inside the limits
   */
  public double[] next(double[] targetRad, boolean newChunk) {
    checkLength(targetRad, "target");
    if (!started) {
      double[] start = new double[n];
      for (int j = 0; j < n; j++) {
        start[j] = Double.isFinite(targetRad[j]) ? targetRad[j] : 0;
      }
      reset(start);
      return command.clone();
    }
    if (newChunk) {
      System.arraycopy(target, 0, fromPos, 0, n);
      System.arraycopy(targetVel, 0, fromVel, 0, n);
      sinceSeamS = 0;
      blending = true;
    }
    if (blending) {
      sinceSeamS += dtS;
      if (sinceSeamS >= blendTimeS - 1e-12) {
        blending = false;
      }
    }
    double s = blending ? sinceSeamS / blendTimeS : 1.0;
    double w = s * s * (3 - 2 * s);
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      double want = Double.isFinite(targetRad[j]) ? targetRad[j] : command[j];
      if (blending) {
        double old = clamp(fromPos[j] + fromVel[j] * sinceSeamS, lo[j], hi[j]);
        want = old + (want - old) * w;
      }
      want = clamp(want, lo[j], hi[j]);
      out[j] = step(j, want);
    }
    return out;
  }

  /** Moves joint j's command one step towards {@code want} within the limits; updates the state. */
  private double step(int j, double want) {
    double a = aMax[j];
    double c = command[j];
    double v = velocity[j];
    double vt = (want - target[j]) / dtS;
    // Relative to the target (which moves at vt this step): close the gap r as fast as braking
    // allows.
    double r = c - target[j];
    double closing = Math.min(Math.abs(r) / dtS, SafetyFilter.brakeSpeed(Math.abs(r), a, dtS));
    double wanted = r == 0 ? vt : vt - Math.signum(r) * closing;
    double accLo = Math.max(v - a * dtS, -vMax[j]);
    double accHi = Math.min(v + a * dtS, vMax[j]);
    double brakeHi = SafetyFilter.brakeSpeed(hi[j] - c, a, dtS);
    double brakeLo = -SafetyFilter.brakeSpeed(c - lo[j], a, dtS);
    double vNew = clamp(clamp(wanted, accLo, accHi), brakeLo, brakeHi);
    double pNew =
        vNew == wanted && Math.abs(r) / dtS <= closing ? want : clamp(c + vNew * dtS, lo[j], hi[j]);
    if (!Double.isFinite(pNew)) {
      pNew = c; // unreachable with finite limits; the command stays finite whatever happens
    }
    velocity[j] = (pNew - c) / dtS;
    command[j] = pNew;
    targetVel[j] = vt;
    target[j] = want;
    return pNew;
  }

  private void checkLength(double[] values, String what) {
    Objects.requireNonNull(values, what);
    if (values.length != n) {
      throw new IllegalArgumentException(
          what + " has " + values.length + " values, the robot has " + n + " joints");
    }
  }

  private static double clamp(double x, double min, double max) {
    return x < min ? min : (x > max ? max : x);
  }

  /**
   * Builds a {@link SeamBlender}; {@code set*} required, {@code opt*} optional, validated in {@link
   * #build()}.
   */
  public static final class Builder {
    private RobotSpec robot;
    private double stepS = Double.NaN;
    private double blendTimeS = DEFAULT_BLEND_TIME_S;

    private Builder() {}

    /** The robot whose position, velocity and acceleration limits the commands obey. Required. */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** Time between two commands, s (1 / control rate). Required. */
    public Builder setStepS(double stepS) {
      this.stepS = stepS;
      return this;
    }

    /**
     * Cross-fade time at a seam, s; default 0.1; 0 turns the cross-fade off (limits still apply).
     */
    public Builder optBlendTimeS(double blendTimeS) {
      this.blendTimeS = blendTimeS;
      return this;
    }

    /**
     * Builds the blender.
     *
     * @throws IllegalStateException when the robot is missing
     * @throws IllegalArgumentException when the step is not in (0, 1] s or the blend time not in
     *     [0, 10] s
     */
    public SeamBlender build() {
      if (robot == null) {
        throw new IllegalStateException("setRobot is required");
      }
      if (!(stepS > 0 && stepS <= 1)) {
        throw new IllegalArgumentException("step must be in (0, 1] s, got " + stepS);
      }
      if (!(blendTimeS >= 0 && blendTimeS <= 10)) {
        throw new IllegalArgumentException("blend time must be in [0, 10] s, got " + blendTimeS);
      }
      return new SeamBlender(this);
    }
  }
}
