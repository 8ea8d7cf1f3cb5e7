package mantis.sim;

import java.util.Objects;
import mantis.calibration.kinematics.RobotModel;
import mantis.calibration.kinematics.RobotModels;

/**
 * Configuration of a {@link TabletopSim}. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * SimConfig config = SimConfig.builder()
 *     .optEmbodiment(Embodiment.ARM)
 *     .optDomainRandomization(true)
 *     .optPhysicsHz(50)
 *     .optMaxEpisodeSeconds(12)
 *     .optRobot("ur5e")
 *     .build();
 * }</pre>
 */
public final class SimConfig {
  private final Embodiment embodiment;
  private final boolean domainRandomization;
  private final int physicsHz;
  private final double maxEpisodeSeconds;
  private final boolean distinctObjectColours;
  private final double handMaxSpeedMPerS;
  private final double handMaxAccelerationMPerS2;
  private final double cameraShake;
  private final String robot;

  private SimConfig(Builder b) {
    this.embodiment = b.embodiment;
    this.domainRandomization = b.domainRandomization;
    this.physicsHz = b.physicsHz;
    this.maxEpisodeSeconds = b.maxEpisodeSeconds;
    this.distinctObjectColours = b.distinctObjectColours;
    this.handMaxSpeedMPerS = b.handMaxSpeedMPerS;
    this.handMaxAccelerationMPerS2 = b.handMaxAccelerationMPerS2;
    this.cameraShake = b.cameraShake;
    this.robot = b.robot;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The default configuration: arm, domain randomisation on, 50 Hz, 12 s episodes. */
  public static SimConfig defaults() {
    return builder().build();
  }

  public Embodiment embodiment() {
    return embodiment;
  }

  public boolean domainRandomization() {
    return domainRandomization;
  }

  public int physicsHz() {
    return physicsHz;
  }

  public double maxEpisodeSeconds() {
    return maxEpisodeSeconds;
  }

  /**
   * When true (default) no two objects in a scene share a colour; otherwise "red block" and "red
   * disc" may meet.
   */
  public boolean distinctObjectColours() {
    return distinctObjectColours;
  }

  public double handMaxSpeedMPerS() {
    return handMaxSpeedMPerS;
  }

  public double handMaxAccelerationMPerS2() {
    return handMaxAccelerationMPerS2;
  }

  /**
   * Amplitude scale of the per-frame camera shake (0 = off, the default). See {@link
   * Builder#optCameraShake}.
   */
  public double cameraShake() {
    return cameraShake;
  }

  /**
   * The arm's robot, a name from {@link RobotModels#names()} ({@value RobotModels#PLANAR3} by
   * default). See {@link Builder#optRobot}.
   */
  public String robot() {
    return robot;
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return builder()
        .optEmbodiment(embodiment)
        .optDomainRandomization(domainRandomization)
        .optPhysicsHz(physicsHz)
        .optMaxEpisodeSeconds(maxEpisodeSeconds)
        .optDistinctObjectColours(distinctObjectColours)
        .optHandMaxSpeedMPerS(handMaxSpeedMPerS)
        .optHandMaxAccelerationMPerS2(handMaxAccelerationMPerS2)
        .optCameraShake(cameraShake)
        .optRobot(robot);
  }

  @Override
  public String toString() {
    return "SimConfig[embodiment="
        + embodiment
        + ", domainRandomization="
        + domainRandomization
        + ", physicsHz="
        + physicsHz
        + ", maxEpisodeSeconds="
        + maxEpisodeSeconds
        + ", distinctObjectColours="
        + distinctObjectColours
        + ", handMaxSpeedMPerS="
        + handMaxSpeedMPerS
        + ", handMaxAccelerationMPerS2="
        + handMaxAccelerationMPerS2
        + ", cameraShake="
        + cameraShake
        + ", robot="
        + robot
        + "]";
  }

  /** Builder; every setting is optional. */
  public static final class Builder {
    private Embodiment embodiment = Embodiment.ARM;
    private boolean domainRandomization = true;
    private int physicsHz = 50;
    private double maxEpisodeSeconds = 12.0;
    private boolean distinctObjectColours = true;
    private double handMaxSpeedMPerS = 0.6;
    private double handMaxAccelerationMPerS2 = 6.0;
    private double cameraShake = 0.0;
    private String robot = RobotModels.PLANAR3;

    private Builder() {}

    public Builder optEmbodiment(Embodiment embodiment) {
      this.embodiment = Objects.requireNonNull(embodiment, "embodiment");
      return this;
    }

    /** Lighting, table texture, distractors and camera jitter per episode (default on). */
    public Builder optDomainRandomization(boolean enabled) {
      this.domainRandomization = enabled;
      return this;
    }

    /** Physics steps per simulated second (default 50). */
    public Builder optPhysicsHz(int hz) {
      this.physicsHz = hz;
      return this;
    }

    /** Episode time-out in simulated seconds (default 12). */
    public Builder optMaxEpisodeSeconds(double seconds) {
      this.maxEpisodeSeconds = seconds;
      return this;
    }

    public Builder optDistinctObjectColours(boolean distinct) {
      this.distinctObjectColours = distinct;
      return this;
    }

    /** Speed limit of the hand embodiment (default 0.6 m/s). */
    public Builder optHandMaxSpeedMPerS(double speed) {
      this.handMaxSpeedMPerS = speed;
      return this;
    }

    /** Acceleration limit of the hand embodiment (default 6 m/s²). */
    public Builder optHandMaxAccelerationMPerS2(double accel) {
      this.handMaxAccelerationMPerS2 = accel;
      return this;
    }

    /**
     * Per-frame camera shake (default 0: off, the camera is fixed for the whole episode). With a
     * scale {@code s > 0} the rendering camera moves smoothly from frame to frame around the
     * episode's (jittered) pose: each of the six degrees of freedom follows a sum of three
     * sinusoids (0.3–2.5 Hz, phases and weights drawn from the episode seed), bounded by {@code s}
     * × 4 mm in translation and {@code s} × 0.4° in roll, pitch and yaw. At 128x128, {@code s = 1}
     * moves the image by up to about 2 px. Deterministic for (seed, family, config); independent of
     * domain randomisation. {@link TabletopSim#renderCamera} returns the camera of the current
     * frame.
     *
     * @param amplitudeScale 0 (off) to 10
     */
    public Builder optCameraShake(double amplitudeScale) {
      this.cameraShake = amplitudeScale;
      return this;
    }

    /**
     * The arm the {@link Embodiment#ARM} embodiment uses: {@value RobotModels#PLANAR3} (default,
     * the planar 3-joint arm) or {@value RobotModels#UR5E} (the bundled UR5e-like 6-joint arm with
     * a pusher, base at the table origin), or their description names; case-insensitive. The
     * configuration keeps the short name.
     *
     * @throws IllegalArgumentException naming the known robots when {@code name} is not one
     */
    public Builder optRobot(String name) {
      RobotModel model = RobotModels.forName(name);
      String canonical = null;
      for (String n : RobotModels.names()) {
        if (RobotModels.forName(n) == model) {
          canonical = n;
        }
      }
      this.robot = Objects.requireNonNull(canonical, "robot");
      return this;
    }

    public SimConfig build() {
      if (!(cameraShake >= 0 && cameraShake <= 10)) {
        throw new IllegalArgumentException("cameraShake must be in [0, 10], got " + cameraShake);
      }
      if (physicsHz < 1 || physicsHz > 10_000) {
        throw new IllegalArgumentException("physicsHz must be in 1..10000, got " + physicsHz);
      }
      if (!(maxEpisodeSeconds > 0) || !Double.isFinite(maxEpisodeSeconds)) {
        throw new IllegalArgumentException(
            "maxEpisodeSeconds must be finite and > 0, got " + maxEpisodeSeconds);
      }
      if (!(handMaxSpeedMPerS > 0) || !Double.isFinite(handMaxSpeedMPerS)) {
        throw new IllegalArgumentException(
            "handMaxSpeedMPerS must be finite and > 0, got " + handMaxSpeedMPerS);
      }
      if (!(handMaxAccelerationMPerS2 > 0) || !Double.isFinite(handMaxAccelerationMPerS2)) {
        throw new IllegalArgumentException(
            "handMaxAccelerationMPerS2 must be finite and > 0, got " + handMaxAccelerationMPerS2);
      }
      return new SimConfig(this);
    }
  }
}
