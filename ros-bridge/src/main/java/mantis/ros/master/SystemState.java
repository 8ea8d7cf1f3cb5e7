package mantis.ros.master;

import java.util.List;
import java.util.Map;

/**
 * The master's {@code getSystemState}: for each topic (or service) name, the node names that
 * publish, subscribe or provide it.
 */
public record SystemState(
    Map<String, List<String>> publishers,
    Map<String, List<String>> subscribers,
    Map<String, List<String>> services) {
  public SystemState {
    publishers = Map.copyOf(publishers);
    subscribers = Map.copyOf(subscribers);
    services = Map.copyOf(services);
  }

  /** Nodes publishing {@code topic}; empty when none. */
  public List<String> publishersOf(String topic) {
    return publishers.getOrDefault(topic, List.of());
  }

  /** Nodes subscribed to {@code topic}; empty when none. */
  public List<String> subscribersOf(String topic) {
    return subscribers.getOrDefault(topic, List.of());
  }
}
