package mantis.core.spi;

import java.util.Objects;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpec;

/**
 * What a {@link PolicyProvider} needs to make a policy. Immutable; made with {@link #builder()}.
 *
 * @param name the policy's full name as given ({@code hold}, {@code bundle:models/policy/default})
 * @param argument the text after a prefix provider's prefix ({@code models/policy/default}); empty
 *     when the provider takes no argument. Set by {@link PolicyRegistry#create}.
 * @param robot the robot the policy drives
 * @param inputPx square frame size a policy without a model card works at, pixels
 * @param clock the server's monotonic clock (chunk validity)
 * @param serving how a learned policy is served
 */
public record PolicyRequest(
    String name,
    String argument,
    RobotSpec robot,
    int inputPx,
    MonotonicClock clock,
    Serving serving) {
  /**
   * The frame size a policy works at unless told otherwise, pixels (a bundle's card fixes its own).
   */
  public static final int DEFAULT_INPUT_PX = 128;

  public PolicyRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(argument, "argument");
    Objects.requireNonNull(robot, "robot");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(serving, "serving");
    if (inputPx < 1) {
      throw new IllegalArgumentException("inputPx must be >= 1, got " + inputPx);
    }
  }

  /** This request with {@code argument}. */
  public PolicyRequest withArgument(String argument) {
    return new PolicyRequest(name, argument, robot, inputPx, clock, serving);
  }

  /** A builder; {@code set*} required, {@code opt*} optional. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * How a learned policy is served: predictor threads, largest batch and batching wait. The
   * predictor pool validates the values.
   *
   * @param workers predictor threads, each with its own native scratch memory
   * @param maxBatch most observations per forward pass
   * @param maxWaitMicros how long a worker waits for more observations after the first,
   *     microseconds
   */
  public record Serving(int workers, int maxBatch, long maxWaitMicros) {
    /** Predictor threads unless told otherwise. */
    public static final int DEFAULT_WORKERS = 1;

    /** Largest batch unless told otherwise. */
    public static final int DEFAULT_MAX_BATCH = 8;

    /** Batching wait unless told otherwise, microseconds. */
    public static final long DEFAULT_MAX_WAIT_MICROS = 2000;

    /**
     * {@value #DEFAULT_WORKERS} worker, batches of up to {@value #DEFAULT_MAX_BATCH}, {@value
     * #DEFAULT_MAX_WAIT_MICROS} µs wait.
     */
    public static final Serving DEFAULT =
        new Serving(DEFAULT_WORKERS, DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT_MICROS);
  }

  /** Builds a {@link PolicyRequest}. */
  public static final class Builder {
    private String name;
    private RobotSpec robot;
    private int inputPx = DEFAULT_INPUT_PX;
    private MonotonicClock clock = MonotonicClock.system();
    private Serving serving = Serving.DEFAULT;

    private Builder() {}

    /** The policy's name. Required. */
    public Builder setName(String name) {
      this.name = name;
      return this;
    }

    /** The robot the policy drives. Required. */
    public Builder setRobot(RobotSpec robot) {
      this.robot = robot;
      return this;
    }

    /** Frame size, square pixels; default {@value PolicyRequest#DEFAULT_INPUT_PX}. */
    public Builder optInputPx(int inputPx) {
      this.inputPx = inputPx;
      return this;
    }

    /** The server's clock; default {@link MonotonicClock#system()}. */
    public Builder optClock(MonotonicClock clock) {
      this.clock = clock;
      return this;
    }

    /** Serving parameters of a learned policy; default {@link Serving#DEFAULT}. */
    public Builder optServing(Serving serving) {
      this.serving = serving;
      return this;
    }

    /**
     * The request, with an empty argument.
     *
     * @throws NullPointerException when the name or the robot is missing
     */
    public PolicyRequest build() {
      return new PolicyRequest(name, "", robot, inputPx, clock, serving);
    }
  }
}
