package mantis.model.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import mantis.core.RobotSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model bundle: a directory holding {@code model-card.json} and the files the card lists (for
 * example {@code weights.bin} and {@code vocabulary.json}), each with its SHA-256.
 *
 * <p>{@link #open} verifies everything before returning: the card's format and fields, the presence
 * and SHA-256 of every listed file, and that the card's joint names are the robot's. Files in the
 * directory that the card does not list are ignored (logged at debug level) and cannot be read
 * through the bundle: only what the card vouches for is used. Immutable.
 */
public final class ModelBundle {
  private static final Logger LOG = LoggerFactory.getLogger(ModelBundle.class);
  private static final HexFormat HEX = HexFormat.of();

  private final Path dir;
  private final ModelCard card;

  private ModelBundle(Path dir, ModelCard card) {
    this.dir = dir;
    this.card = card;
  }

  /**
   * Writes a bundle: each file (temporary file, then atomic move), then the card with the files'
   * SHA-256 (also atomically, last, so a directory with a card is complete). Creates {@code dir} if
   * needed.
   *
   * @param cardWithoutHashes the card; its {@code files} are replaced by the hashes of {@code
   *     files}
   * @param files file name to content; names are plain file names other than {@code
   *     model-card.json}
   * @return the card as written, with the hashes
   */
  public static ModelCard write(Path dir, ModelCard cardWithoutHashes, Map<String, byte[]> files)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(cardWithoutHashes, "cardWithoutHashes");
    Objects.requireNonNull(files, "files");
    Map<String, String> hashes = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      ModelCard.requireFileName(e.getKey());
      hashes.put(e.getKey(), sha256Hex(Objects.requireNonNull(e.getValue(), e.getKey())));
    }
    ModelCard card = cardWithoutHashes.withFiles(hashes);
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      writeAtomically(dir.resolve(e.getKey()), e.getValue());
    }
    writeAtomically(
        dir.resolve(ModelCard.FILE_NAME), card.toJson().getBytes(StandardCharsets.UTF_8));
    LOG.debug("wrote model bundle {} ({} files)", dir, hashes.size());
    return card;
  }

  /**
   * Opens and verifies a bundle for a robot.
   *
   * @throws BundleException if the card is missing, of an unknown format version, has a missing,
   *     extra or invalid field, a listed file is missing or its SHA-256 differs from the card's, or
   *     the card's joint names are not the robot's (the message names the bundle and the problem)
   */
  public static ModelBundle open(Path dir, RobotSpec robot) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(robot, "robot");
    Path cardPath = dir.resolve(ModelCard.FILE_NAME);
    if (!Files.isRegularFile(cardPath)) {
      throw new BundleException("model bundle " + dir + ": no " + ModelCard.FILE_NAME);
    }
    ModelCard card;
    try {
      card = ModelCard.fromJson(Files.readString(cardPath, StandardCharsets.UTF_8));
    } catch (BundleException e) {
      throw new BundleException("model bundle " + dir + ": " + e.getMessage(), e);
    }
    for (Map.Entry<String, String> e : card.files().entrySet()) {
      Path p = dir.resolve(e.getKey());
      if (!Files.isRegularFile(p)) {
        throw new BundleException(
            "model bundle "
                + dir
                + ": "
                + e.getKey()
                + " is listed in "
                + ModelCard.FILE_NAME
                + " but missing");
      }
      String actual = sha256Hex(p);
      if (!actual.equals(e.getValue())) {
        throw new BundleException(hashMismatch(dir, e.getKey(), actual, e.getValue()));
      }
    }
    if (!card.jointNames().equals(robot.jointNames())) {
      throw new BundleException(
          "model bundle "
              + dir
              + ": joint names "
              + card.jointNames()
              + " do not match robot "
              + robot.name()
              + "'s "
              + robot.jointNames());
    }
    if (LOG.isDebugEnabled()) {
      try (var listing = Files.list(dir)) {
        listing
            .map(p -> p.getFileName().toString())
            .filter(n -> !n.equals(ModelCard.FILE_NAME) && !card.files().containsKey(n))
            .forEach(n -> LOG.debug("model bundle {}: ignoring unlisted file {}", dir, n));
      }
    }
    return new ModelBundle(dir, card);
  }

  /** The bundle's directory. */
  public Path dir() {
    return dir;
  }

  /** The verified model card. */
  public ModelCard card() {
    return card;
  }

  /**
   * The path of a file listed in the card (verified when the bundle was opened).
   *
   * @throws IllegalArgumentException if the card does not list {@code name}
   */
  public Path path(String name) {
    requireListed(name);
    return dir.resolve(name);
  }

  /**
   * The content of a file listed in the card, re-checked against the card's SHA-256 as it is read.
   *
   * @throws IllegalArgumentException if the card does not list {@code name}
   * @throws BundleException if the file changed since the card was written
   */
  public byte[] bytes(String name) throws IOException {
    requireListed(name);
    byte[] data;
    try {
      data = Files.readAllBytes(dir.resolve(name));
    } catch (NoSuchFileException e) {
      throw new BundleException("model bundle " + dir + ": " + name + " is missing", e);
    }
    String actual = sha256Hex(data);
    String expected = card.files().get(name);
    if (!actual.equals(expected)) {
      throw new BundleException(hashMismatch(dir, name, actual, expected));
    }
    return data;
  }

  /** SHA-256 of bytes, as 64 lower-case hex digits. */
  public static String sha256Hex(byte[] data) {
    MessageDigest md = sha256();
    return HEX.formatHex(md.digest(Objects.requireNonNull(data, "data")));
  }

  /** SHA-256 of a file's content, read in a streaming way, as 64 lower-case hex digits. */
  public static String sha256Hex(Path file) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HEX.formatHex(md.digest());
  }

  @Override
  public String toString() {
    return "ModelBundle[" + dir + ", " + card.architecture().name() + "]";
  }

  private void requireListed(String name) {
    if (!card.files().containsKey(name)) {
      throw new IllegalArgumentException(
          "model bundle "
              + dir
              + ": "
              + name
              + " is not listed in "
              + ModelCard.FILE_NAME
              + " (listed: "
              + card.files().keySet()
              + ")");
    }
  }

  private static String hashMismatch(Path dir, String name, String actual, String expected) {
    return "model bundle "
        + dir
        + ": "
        + name
        + ": SHA-256 is "
        + actual
        + ", the model card says "
        + expected;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static void writeAtomically(Path target, byte[] data) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, data);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
