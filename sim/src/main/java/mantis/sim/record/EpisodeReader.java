package mantis.sim.record;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import mantis.core.Frame;

/**
 * Streams a recorded episode back: metadata at once, steps line by line (never the whole file in
 * memory), frames on demand. It also reads an episode that is still being recorded: the steps
 * stream ends at the last complete line written so far.
 */
public final class EpisodeReader {
  private final Path directory;
  private final EpisodeMetadata metadata;

  private EpisodeReader(Path directory, EpisodeMetadata metadata) {
    this.directory = directory;
    this.metadata = metadata;
  }

  /**
   * Opens an episode directory and reads its {@code episode.json}.
   *
   * @throws IllegalArgumentException when the metadata is malformed or of another format version
   * @throws UncheckedIOException when it cannot be read
   */
  public static EpisodeReader open(Path directory) {
    Objects.requireNonNull(directory, "directory");
    Path meta = directory.resolve("episode.json");
    try {
      JsonNode n = EpisodeJson.MAPPER.readTree(meta.toFile());
      return new EpisodeReader(directory, EpisodeJson.metadata(n));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + meta, e);
    }
  }

  public Path directory() {
    return directory;
  }

  public EpisodeMetadata metadata() {
    return metadata;
  }

  /**
   * The steps in order, read lazily from {@code steps.jsonl}; close the stream when done. A last
   * line without its newline (being written right now) is left out.
   */
  public Stream<StepRecord> steps() {
    BufferedReader in;
    try {
      in = Files.newBufferedReader(directory.resolve("steps.jsonl"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open steps of " + directory, e);
    }
    Iterator<StepRecord> it =
        new Iterator<>() {
          private StepRecord next;
          private boolean done;

          @Override
          public boolean hasNext() {
            if (next != null) {
              return true;
            }
            if (done) {
              return false;
            }
            try {
              String line = readCompleteLine(in);
              if (line == null) {
                done = true;
                return false;
              }
              next = EpisodeJson.step(EpisodeJson.MAPPER.readTree(line));
              return true;
            } catch (IOException e) {
              throw new UncheckedIOException("cannot read steps of " + directory, e);
            }
          }

          @Override
          public StepRecord next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            StepRecord r = next;
            next = null;
            return r;
          }
        };
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(
            () -> {
              try {
                in.close();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /** Reads one line ending in '\n'; null at the end or when the last line is incomplete. */
  private static String readCompleteLine(BufferedReader in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return sb.toString();
      }
      sb.append((char) c);
    }
    return null;
  }

  /** The frame saved with this step. */
  public Frame frame(StepRecord step) {
    String name =
        step.frame()
            .orElseThrow(
                () -> new IllegalArgumentException("step " + step.step() + " has no frame"));
    return frame(name);
  }

  /** A frame by its path relative to the episode directory ("frames/000042.png"). */
  public Frame frame(String relativePath) {
    Path p = directory.resolve(relativePath).normalize();
    if (!p.startsWith(directory.normalize())) {
      throw new IllegalArgumentException(
          "frame path leaves the episode directory: " + relativePath);
    }
    try {
      return Png.read(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read frame " + p, e);
    }
  }
}
