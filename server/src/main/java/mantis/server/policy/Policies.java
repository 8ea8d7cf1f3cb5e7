package mantis.server.policy;

import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpec;
import mantis.core.spi.PolicyRegistry;
import mantis.core.spi.PolicyRequest;

/**
 * Makes policies by name through the {@link PolicyRegistry#installed() installed registry}: every
 * {@link mantis.core.spi.PolicyProvider} on the class path. The policies shipped are {@code mantis}
 * (the bundled default model) and {@code bundle:DIR} (module {@code model}), {@code visual-servo}
 * (module {@code baseline}), {@code hold} (also {@code no-op}) and {@code random} (this package).
 */
public final class Policies {
  private Policies() {}

  /** The registry policies are made from: the providers on the class path. */
  public static PolicyRegistry registry() {
    return PolicyRegistry.installed();
  }

  /**
   * {@link #create(String, RobotSpec, int, MonotonicClock, PolicyRequest.Serving)} with the serving
   * default.
   */
  public static Policy create(String name, RobotSpec robot, int inputPx, MonotonicClock clock) {
    return create(name, robot, inputPx, clock, PolicyRequest.Serving.DEFAULT);
  }

  /**
   * The policy called {@code name}, made by the provider that answers to it. A learned policy is
   * served by a started predictor pool; closing the policy closes the pool and the model.
   *
   * @param inputPx square frame size a policy without a model card works at, pixels
   * @throws IllegalArgumentException for an unknown name ({@code unknown policy 'NAME'; known:
   *     ...}, listing the registry's names), or a policy that cannot be made (a bundle that cannot
   *     be opened, with the reason)
   */
  public static Policy create(
      String name,
      RobotSpec robot,
      int inputPx,
      MonotonicClock clock,
      PolicyRequest.Serving serving) {
    return registry()
        .create(
            PolicyRequest.builder()
                .setName(name)
                .setRobot(robot)
                .optInputPx(inputPx)
                .optClock(clock)
                .optServing(serving)
                .build());
  }
}
