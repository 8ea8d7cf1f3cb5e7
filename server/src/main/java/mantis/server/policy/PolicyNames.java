package mantis.server.policy;

import java.util.Iterator;

/**
 * The names of the {@link Policies#registry() installed policy registry}, for command-line help
 * (picocli's {@code completionCandidates}, shown by {@code ${COMPLETION-CANDIDATES}}).
 */
public final class PolicyNames implements Iterable<String> {
  /** For picocli. */
  public PolicyNames() {}

  @Override
  public Iterator<String> iterator() {
    return Policies.registry().names().iterator();
  }
}
