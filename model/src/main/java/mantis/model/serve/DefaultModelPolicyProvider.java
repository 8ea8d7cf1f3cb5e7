package mantis.model.serve;

import mantis.core.Policy;
import mantis.core.spi.PolicyProvider;
import mantis.core.spi.PolicyRequest;

/**
 * The policy {@value LearnedPolicies#DEFAULT_NAME}: the bundled default model ({@value
 * LearnedPolicies#DEFAULT_BUNDLE_DIR}, found by {@link LearnedPolicies#resolveDefaultBundle()}),
 * served by a {@link PredictorPool}. Registered in {@code
 * META-INF/services/mantis.core.spi.PolicyProvider}.
 */
public final class DefaultModelPolicyProvider implements PolicyProvider {
  /** For {@link java.util.ServiceLoader}. */
  public DefaultModelPolicyProvider() {}

  @Override
  public String name() {
    return LearnedPolicies.DEFAULT_NAME;
  }

  @Override
  public String description() {
    return "the bundled learned model (" + LearnedPolicies.DEFAULT_BUNDLE_DIR + ")";
  }

  @Override
  public Policy create(PolicyRequest request) {
    return LearnedPolicies.open(
        LearnedPolicies.resolveDefaultBundle(),
        request.robot(),
        request.clock(),
        request.serving());
  }
}
