package mantis.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What this JVM process holds right now: resident memory (VmRSS from {@code /proc/self/status}),
 * heap in use after a full GC, live threads, open file descriptors ({@code /proc/self/fd}). On
 * systems without {@code /proc} the RSS and descriptor counts are -1.
 *
 * @param rssBytes resident set size, bytes; -1 when unknown
 * @param heapAfterGcBytes heap in use right after {@link System#gc()}, bytes
 * @param threads live threads
 * @param openFds open file descriptors; -1 when unknown
 */
record ProcessStats(long rssBytes, long heapAfterGcBytes, int threads, long openFds) {
  /** Samples now, after a full GC (so the heap figure is what is live, not what is garbage). */
  static ProcessStats sample() {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new ProcessStats(
        rss(), heap, ManagementFactory.getThreadMXBean().getThreadCount(), fds());
  }

  /** VmRSS of this process, bytes, or -1. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024L; // kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Open file descriptors of this process, or -1. */
  static long fds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
