package mantis.server.policy;

import java.util.List;
import mantis.core.Policy;
import mantis.core.spi.PolicyProvider;
import mantis.core.spi.PolicyRequest;

/**
 * The policy {@value #NAME} (also {@value #ALIAS}): every chunk holds the measured joint position
 * ({@link HoldPolicy#create}). Registered in {@code
 * META-INF/services/mantis.core.spi.PolicyProvider}.
 */
public final class HoldPolicyProvider implements PolicyProvider {
  /** The policy's name. */
  public static final String NAME = "hold";

  /** Its other name. */
  public static final String ALIAS = "no-op";

  /** For {@link java.util.ServiceLoader}. */
  public HoldPolicyProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> aliases() {
    return List.of(ALIAS);
  }

  @Override
  public String description() {
    return "holds the measured joint position (tests the plumbing, measures the server's overhead)";
  }

  @Override
  public Policy create(PolicyRequest request) {
    return HoldPolicy.create(request.robot(), request.clock());
  }
}
