package mantis.model.serve;

import java.nio.file.Path;
import mantis.core.Policy;
import mantis.core.spi.PolicyProvider;
import mantis.core.spi.PolicyRequest;

/**
 * The policies {@value LearnedPolicies#BUNDLE_PREFIX}{@code DIR}: the model bundle in {@code DIR}
 * (its SHA-256 hashes and joint names checked), served by a {@link PredictorPool}. Registered in
 * {@code META-INF/services/mantis.core.spi.PolicyProvider}.
 */
public final class BundlePolicyProvider implements PolicyProvider {
  /** For {@link java.util.ServiceLoader}. */
  public BundlePolicyProvider() {}

  @Override
  public String name() {
    return LearnedPolicies.BUNDLE_PREFIX;
  }

  @Override
  public boolean takesArgument() {
    return true;
  }

  @Override
  public String argumentLabel() {
    return "DIR";
  }

  @Override
  public String description() {
    return "a learned model bundle in DIR (hashes and joint names checked)";
  }

  @Override
  public Policy create(PolicyRequest request) {
    return LearnedPolicies.open(
        Path.of(request.argument()), request.robot(), request.clock(), request.serving());
  }
}
