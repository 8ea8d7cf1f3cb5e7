package mantis.core.spi;

import java.util.List;
import mantis.core.Policy;

/**
 * Makes the policies of one kind, known by a name ({@code hold}) or by a name prefix followed by an
 * argument ({@code bundle:DIR}). Implementations are registered in {@code
 * META-INF/services/mantis.core.spi.PolicyProvider} of the module that owns the policy, need a
 * public no-argument constructor, and are stateless: one instance serves every {@link #create}
 * call, from any thread.
 */
public interface PolicyProvider {
  /**
   * The name this provider answers to. When {@link #takesArgument()}, a prefix such as {@code
   * bundle:}: the provider answers to every name that starts with it and is longer.
   */
  String name();

  /**
   * Further exact names this provider answers to (as {@code no-op} for {@code hold}); none by
   * default.
   */
  default List<String> aliases() {
    return List.of();
  }

  /**
   * Whether {@link #name()} is a prefix followed by an argument ({@link PolicyRequest#argument()}).
   */
  default boolean takesArgument() {
    return false;
  }

  /** How the argument is written in help and error messages ({@code DIR} in {@code bundle:DIR}). */
  default String argumentLabel() {
    return "ARG";
  }

  /** One line for help output: what the policy is. */
  String description();

  /**
   * Makes a policy; the caller owns (and closes) it.
   *
   * @throws IllegalArgumentException when the request cannot be served (a bundle that cannot be
   *     opened, a robot the policy cannot drive), with the reason
   */
  Policy create(PolicyRequest request);
}
