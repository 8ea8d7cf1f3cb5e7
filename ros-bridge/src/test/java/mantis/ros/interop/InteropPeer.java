package mantis.ros.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;

/**
 * The rospy peer ({@code interop_peer.py}, extracted from the test resources to a temporary
 * directory): publishes given messages latched and prints the canonical form of what it receives.
 */
final class InteropPeer implements AutoCloseable {
  static final String SCRIPT = "interop_peer.py";

  private final ObjectNode spec = Canonical.JSON.createObjectNode();
  private final ArrayNode publish = spec.putArray("publish");
  private final ArrayNode subscribe = spec.putArray("subscribe");
  private RosProcess process;

  /** Copies a resource of this package to {@code dir} and returns its path. */
  static Path extract(String resource, Path dir) {
    try (InputStream in = InteropPeer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      Path out = dir.resolve(resource);
      Files.write(out, in.readAllBytes());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes the peer publish {@code message} (canonical form of a record) latched on {@code topic}.
   */
  InteropPeer publish(String topic, String type, Object message) {
    ObjectNode p = publish.addObject();
    p.put("topic", topic).put("type", type);
    p.set("msg", Canonical.of(message));
    return this;
  }

  /** Makes the peer subscribe to {@code topic} and print what arrives. */
  InteropPeer subscribe(String topic, String type) {
    subscribe.addObject().put("topic", topic).put("type", type);
    return this;
  }

  /** Starts the peer and waits for it to print READY. */
  InteropPeer start(RosInstallation ros, Map<String, String> env) throws IOException {
    Path dir = Files.createTempDirectory("mantis-interop-");
    Path script = extract(SCRIPT, dir);
    Path specFile = dir.resolve("spec.json");
    Files.writeString(specFile, Canonical.JSON.writeValueAsString(spec), StandardCharsets.UTF_8);
    process = RosProcess.python(ros, env, script, specFile.toString());
    if (!process.awaitOutput("READY", Duration.ofSeconds(30))) {
      String out = process.output();
      process.close();
      throw new IOException("rospy interop peer did not get ready; output:\n" + out);
    }
    return this;
  }

  /** The first message the peer received on {@code topic}, in canonical form, if any yet. */
  Optional<JsonNode> received(String topic) {
    for (String line : process.output().split("\n")) {
      if (!line.startsWith("RECEIVED ")) {
        continue;
      }
      try {
        JsonNode n = Canonical.JSON.readTree(line.substring("RECEIVED ".length()));
        if (n.path("topic").asText().equals(topic)) {
          return Optional.of(n.get("msg"));
        }
      } catch (IOException e) {
        // A line still being written: look again on the next poll.
      }
    }
    return Optional.empty();
  }

  /** Waits up to {@code timeout} for a message on {@code topic}. */
  JsonNode awaitReceived(String topic, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> n = received(topic);
      if (n.isPresent()) {
        return n.get();
      }
      if (!process.isAlive()) {
        throw new AssertionError("rospy interop peer exited; output:\n" + process.output());
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "the rospy peer received nothing on "
            + topic
            + " within "
            + timeout
            + "; its output:\n"
            + process.output());
  }

  String output() {
    return process == null ? "" : process.output();
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
