package mantis.core.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import mantis.core.Policy;

/**
 * Policies by name: every {@link PolicyProvider} found through {@link ServiceLoader} ({@link
 * #installed()}, {@link #load(ClassLoader)}) or given explicitly ({@link #builder()}). Construction
 * fails with an IllegalStateException when two providers claim one name, or a name starts with
 * another provider's prefix. Immutable and thread-safe.
 */
public final class PolicyRegistry {
  private final NameTable<PolicyProvider> table;

  private PolicyRegistry(NameTable<PolicyProvider> table) {
    this.table = table;
  }

  /**
   * The providers registered on the class path of this class's loader, loaded once (the
   * application's registry).
   *
   * @throws IllegalStateException when two providers claim one name
   */
  public static PolicyRegistry installed() {
    return Installed.REGISTRY;
  }

  /**
   * A new registry of the providers {@code loader} finds.
   *
   * @throws IllegalStateException when two providers claim one name
   * @throws java.util.ServiceConfigurationError when a registered provider cannot be instantiated
   */
  public static PolicyRegistry load(ClassLoader loader) {
    Builder b = builder();
    for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class, loader)) {
      b.addProvider(p);
    }
    return b.build();
  }

  /** A builder for a registry of explicitly given providers (tests, embedding). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Every name a policy can be given by, sorted; a prefix provider shows as prefix and argument
   * label ({@code bundle:DIR}).
   */
  public List<String> names() {
    return table.names();
  }

  /** The providers, in the order they were added or found. */
  public List<PolicyProvider> providers() {
    return table.providers();
  }

  /** Whether {@code name} names a policy (a prefix provider's name needs an argument). */
  public boolean isKnown(String name) {
    return table.find(name).isPresent();
  }

  /** The provider answering to {@code name}. */
  public Optional<PolicyProvider> find(String name) {
    return table.find(name).map(NameTable.Match::provider);
  }

  /**
   * The provider answering to {@code name}.
   *
   * @throws IllegalArgumentException {@code unknown policy 'NAME'; known: ...} listing {@link
   *     #names()}
   */
  public PolicyProvider provider(String name) {
    return table.get(name).provider();
  }

  /**
   * Makes the policy {@code request} names, passing its provider the argument after the provider's
   * prefix.
   *
   * @throws IllegalArgumentException for an unknown name (listing the known ones), or from the
   *     provider
   */
  public Policy create(PolicyRequest request) {
    NameTable.Match<PolicyProvider> m = table.get(request.name());
    return m.provider().create(request.withArgument(m.argument()));
  }

  /** Builds a {@link PolicyRegistry}. */
  public static final class Builder {
    private final NameTable.Builder<PolicyProvider> table = new NameTable.Builder<>("policy");

    private Builder() {}

    /**
     * Adds a provider and claims its names.
     *
     * @throws IllegalStateException when one of its names is already claimed
     */
    public Builder addProvider(PolicyProvider provider) {
      Objects.requireNonNull(provider, "provider");
      table.provider(provider);
      if (provider.takesArgument()) {
        table.prefix(provider.name(), provider.argumentLabel(), provider);
      } else {
        table.exact(provider.name(), provider);
      }
      for (String alias : provider.aliases()) {
        table.exact(alias, provider);
      }
      return this;
    }

    /**
     * The registry.
     *
     * @throws IllegalStateException when an exact name starts with a prefix, or one prefix with
     *     another
     */
    public PolicyRegistry build() {
      return new PolicyRegistry(table.build());
    }
  }

  private static final class Installed {
    static final PolicyRegistry REGISTRY = load(PolicyRegistry.class.getClassLoader());
  }
}
