package mantis.latent.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code trainer.json} of a checkpoint: what a resumed run needs to see the same batches (data
 * directory, shuffle seed, batch size) plus the target and reached step counts and free-form
 * settings of the caller (e.g. the CLI's embodiment and held-out fraction).
 *
 * @param dataDir the dataset directory the pairs came from
 * @param shuffleSeed seed of the epoch orders
 * @param batchSize pairs per step
 * @param totalSteps the run's target step count
 * @param step steps taken when the checkpoint was written
 * @param settings the caller's extra settings, as strings
 */
public record TrainerState(
    String dataDir,
    long shuffleSeed,
    int batchSize,
    long totalSteps,
    long step,
    Map<String, String> settings) {
  /** File name inside a checkpoint directory. */
  public static final String FILE = "trainer.json";

  static final String FORMAT = "mantis-latent-trainer-1";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public TrainerState {
    Objects.requireNonNull(dataDir, "dataDir");
    settings = Map.copyOf(settings);
  }

  /** Reads {@code dir/trainer.json}. */
  public static TrainerState read(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      throw new IOException("no " + FILE + " in " + dir);
    }
    JsonNode o = MAPPER.readTree(f.toFile());
    if (!FORMAT.equals(o.path("format").asText())) {
      throw new IOException(
          f + ": format '" + o.path("format").asText() + "', expected '" + FORMAT + "'");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : o.path("settings").properties()) {
      settings.put(e.getKey(), e.getValue().asText());
    }
    for (String key : new String[] {"dataDir", "shuffleSeed", "batchSize", "totalSteps", "step"}) {
      if (!o.has(key)) {
        throw new IOException(f + " lacks '" + key + "'");
      }
    }
    return new TrainerState(
        o.path("dataDir").asText(),
        o.path("shuffleSeed").asLong(),
        o.path("batchSize").asInt(),
        o.path("totalSteps").asLong(),
        o.path("step").asLong(),
        settings);
  }

  /** Writes {@code dir/trainer.json} atomically. */
  void write(Path dir) throws IOException {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.put("dataDir", dataDir);
    o.put("shuffleSeed", shuffleSeed);
    o.put("batchSize", batchSize);
    o.put("totalSteps", totalSteps);
    o.put("step", step);
    ObjectNode s = o.putObject("settings");
    settings.forEach(s::put);
    Path tmp = dir.resolve(FILE + ".tmp");
    MAPPER.writeValue(tmp.toFile(), o);
    Files.move(
        tmp,
        dir.resolve(FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
