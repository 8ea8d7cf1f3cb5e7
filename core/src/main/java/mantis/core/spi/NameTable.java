package mantis.core.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names to providers, shared by both registries: exact names and prefixes, each claimed by one
 * provider only. Immutable once built.
 */
final class NameTable<P> {
  private final String kind;
  private final Map<String, P> exact;
  private final Map<String, P> prefixes;
  private final List<String> names;
  private final List<P> providers;

  private NameTable(
      String kind,
      Map<String, P> exact,
      Map<String, P> prefixes,
      List<String> names,
      List<P> providers) {
    this.kind = kind;
    this.exact = exact;
    this.prefixes = prefixes;
    this.names = names;
    this.providers = providers;
  }

  /** Names sorted, prefixes shown with their argument label. */
  List<String> names() {
    return names;
  }

  List<P> providers() {
    return providers;
  }

  /**
   * The provider answering to {@code name}, and for a prefix provider the text after its prefix.
   */
  Optional<Match<P>> find(String name) {
    if (name == null) {
      return Optional.empty();
    }
    P p = exact.get(name);
    if (p != null) {
      return Optional.of(new Match<>(p, ""));
    }
    for (Map.Entry<String, P> e : prefixes.entrySet()) {
      if (name.startsWith(e.getKey()) && name.length() > e.getKey().length()) {
        return Optional.of(new Match<>(e.getValue(), name.substring(e.getKey().length())));
      }
    }
    return Optional.empty();
  }

  /** The provider for {@code name}, or an IllegalArgumentException naming the known names. */
  Match<P> get(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown " + kind + " '" + name + "'; known: " + String.join(", ", names)));
  }

  /** A provider and the argument after its prefix (empty for an exact name). */
  record Match<P>(P provider, String argument) {}

  /** Collects claims; {@link #build()} fails on a duplicate or an ambiguous name. */
  static final class Builder<P> {
    private final String kind;
    private final Map<String, P> exact = new HashMap<>();
    private final Map<String, P> prefixes = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<P> providers = new ArrayList<>();

    Builder(String kind) {
      this.kind = kind;
    }

    void provider(P provider) {
      providers.add(provider);
    }

    void exact(String name, P provider) {
      check(name, provider);
      P before = exact.putIfAbsent(name, provider);
      if (before != null) {
        throw duplicate(name, before, provider);
      }
      names.add(name);
    }

    void prefix(String prefix, String label, P provider) {
      check(prefix, provider);
      P before = prefixes.putIfAbsent(prefix, provider);
      if (before != null) {
        throw duplicate(prefix, before, provider);
      }
      names.add(prefix + label);
    }

    NameTable<P> build() {
      for (Map.Entry<String, P> p : prefixes.entrySet()) {
        for (Map.Entry<String, P> e : exact.entrySet()) {
          if (e.getKey().startsWith(p.getKey())) {
            throw new IllegalStateException(
                kind
                    + " name '"
                    + e.getKey()
                    + "' of "
                    + describe(e.getValue())
                    + " starts with the prefix '"
                    + p.getKey()
                    + "' of "
                    + describe(p.getValue())
                    + "; names must be unambiguous");
          }
        }
        for (Map.Entry<String, P> q : prefixes.entrySet()) {
          if (q != p && q.getKey().startsWith(p.getKey())) {
            throw new IllegalStateException(
                kind
                    + " prefix '"
                    + q.getKey()
                    + "' of "
                    + describe(q.getValue())
                    + " starts with the prefix '"
                    + p.getKey()
                    + "' of "
                    + describe(p.getValue())
                    + "; names must be unambiguous");
          }
        }
      }
      List<String> sorted = new ArrayList<>(names);
      Collections.sort(sorted);
      return new NameTable<>(
          kind,
          Map.copyOf(exact),
          Map.copyOf(prefixes),
          List.copyOf(sorted),
          List.copyOf(providers));
    }

    private void check(String name, P provider) {
      if (name == null
          || name.isBlank()
          || !name.strip().equals(name)
          || name.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',')) {
        throw new IllegalStateException(
            describe(provider)
                + " claims an invalid "
                + kind
                + " name '"
                + name
                + "' (blank, a space or a comma)");
      }
    }

    private IllegalStateException duplicate(String name, P first, P second) {
      return new IllegalStateException(
          kind
              + " name '"
              + name
              + "' is claimed by two providers: "
              + describe(first)
              + " and "
              + describe(second)
              + " (two modules on the class path register the same name; remove one)");
    }

    private static String describe(Object provider) {
      return provider.getClass().getName();
    }
  }
}
