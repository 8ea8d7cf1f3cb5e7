package mantis.core.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import mantis.core.RobotSpec;

/**
 * Robots by name: every {@link RobotProvider} found through {@link ServiceLoader} ({@link
 * #installed()}, {@link #load(ClassLoader)}) or given explicitly ({@link #builder()}). Construction
 * fails with an IllegalStateException when two providers claim one name. Immutable and thread-safe.
 */
public final class RobotRegistry {
  private final NameTable<RobotProvider> table;

  private RobotRegistry(NameTable<RobotProvider> table) {
    this.table = table;
  }

  /**
   * The providers registered on the class path of this class's loader, loaded once.
   *
   * @throws IllegalStateException when two providers claim one name
   */
  public static RobotRegistry installed() {
    return Installed.REGISTRY;
  }

  /**
   * A new registry of the providers {@code loader} finds.
   *
   * @throws IllegalStateException when two providers claim one name
   * @throws java.util.ServiceConfigurationError when a registered provider cannot be instantiated
   */
  public static RobotRegistry load(ClassLoader loader) {
    Builder b = builder();
    for (RobotProvider p : ServiceLoader.load(RobotProvider.class, loader)) {
      b.addProvider(p);
    }
    return b.build();
  }

  /** A builder for a registry of explicitly given providers (tests, embedding). */
  public static Builder builder() {
    return new Builder();
  }

  /** Every name a robot can be given by (names and aliases), sorted. */
  public List<String> names() {
    return table.names();
  }

  /** The providers, in the order they were added or found. */
  public List<RobotProvider> providers() {
    return table.providers();
  }

  /** Whether {@code name} names a robot. */
  public boolean isKnown(String name) {
    return table.find(name).isPresent();
  }

  /** The provider answering to {@code name}. */
  public Optional<RobotProvider> find(String name) {
    return table.find(name).map(NameTable.Match::provider);
  }

  /**
   * The robot called {@code name}.
   *
   * @throws IllegalArgumentException {@code unknown robot 'NAME'; known: ...} listing {@link
   *     #names()}
   */
  public RobotSpec robot(String name) {
    return table.get(name).provider().robot();
  }

  /** Builds a {@link RobotRegistry}. */
  public static final class Builder {
    private final NameTable.Builder<RobotProvider> table = new NameTable.Builder<>("robot");

    private Builder() {}

    /**
     * Adds a provider and claims its names.
     *
     * @throws IllegalStateException when one of its names is already claimed
     */
    public Builder addProvider(RobotProvider provider) {
      Objects.requireNonNull(provider, "provider");
      table.provider(provider);
      table.exact(provider.name(), provider);
      for (String alias : provider.aliases()) {
        table.exact(alias, provider);
      }
      return this;
    }

    /** The registry. */
    public RobotRegistry build() {
      return new RobotRegistry(table.build());
    }
  }

  private static final class Installed {
    static final RobotRegistry REGISTRY = load(RobotRegistry.class.getClassLoader());
  }
}
