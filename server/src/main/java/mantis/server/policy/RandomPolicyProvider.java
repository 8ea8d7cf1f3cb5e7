package mantis.server.policy;

import mantis.core.Policy;
import mantis.core.spi.PolicyProvider;
import mantis.core.spi.PolicyRequest;

/**
 * The policy {@value #NAME}: a seeded random walk of joint targets ({@link RandomPolicy}), the
 * floor of an evaluation. Registered in {@code META-INF/services/mantis.core.spi.PolicyProvider}.
 */
public final class RandomPolicyProvider implements PolicyProvider {
  /** The policy's name. */
  public static final String NAME = "random";

  /** For {@link java.util.ServiceLoader}. */
  public RandomPolicyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "a seeded random walk of joint targets inside the limits (the floor of an evaluation)";
  }

  @Override
  public Policy create(PolicyRequest request) {
    return new RandomPolicy(request.robot(), request.inputPx(), request.clock());
  }
}
