package mantis.security;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only their owner may read and write (0600), where the file system has POSIX permissions.
 */
final class OwnerOnlyFiles {
  private OwnerOnlyFiles() {}

  private static boolean supportsPosix(Path dir) {
    try {
      return Files.getFileStore(dir).supportsFileAttributeView("posix");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Creates {@code file} (and its missing parent folders) with owner-only permissions; true if it
   * was created.
   */
  static boolean createIfMissing(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      if (supportsPosix(parent)) {
        Files.createFile(file, ownerOnly());
      } else {
        Files.createFile(file);
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /** A new temporary file next to {@code file}, owner-only. */
  static Path tempNextTo(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    String prefix = "." + file.getFileName() + ".";
    return supportsPosix(parent)
        ? Files.createTempFile(parent, prefix, ".tmp", ownerOnly())
        : Files.createTempFile(parent, prefix, ".tmp");
  }

  private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }
}
