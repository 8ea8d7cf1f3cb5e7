package mantis.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds recorded episode directories (those holding an {@code episode.json}) for the training
 * commands.
 */
final class RecordedEpisodes {
  private RecordedEpisodes() {}

  /**
   * The episode itself when {@code dir} is one, else the episodes directly inside it, by name.
   *
   * @throws IllegalArgumentException when it does not exist or holds no episode
   */
  static List<Path> find(Path dir) {
    if (Files.isRegularFile(dir.resolve("episode.json"))) {
      return List.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no recording directory " + dir);
    }
    List<Path> found;
    try (Stream<Path> s = Files.list(dir)) {
      found = s.filter(p -> Files.isRegularFile(p.resolve("episode.json"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          "no recorded episodes in "
              + dir
              + " (neither it nor a folder directly inside it has an episode.json)");
    }
    return found;
  }

  /**
   * SHA-256 (hex) of an episode's {@code steps.jsonl}, naming its contents in the model card's data
   * digest.
   */
  static String stepsDigest(Path episodeDir) {
    try (DigestInputStream in =
        new DigestInputStream(
            Files.newInputStream(episodeDir.resolve("steps.jsonl")),
            MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the steps of " + episodeDir, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
