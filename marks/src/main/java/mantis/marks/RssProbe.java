package mantis.marks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures the process's resident set size around many calls of a task, to show that native memory
 * (OpenCV {@code Mat}s) does not leak. Reads {@code VmRSS} from {@code /proc/self/status} (Linux).
 */
public final class RssProbe {
  private RssProbe() {}

  /**
   * @param warmupCalls calls before the first reading
   * @param calls calls between the readings
   * @param rssBeforeKiB resident set after warm-up and a GC
   * @param rssAfterKiB resident set after the calls and a GC
   * @param nanosPerCall mean wall time per measured call
   */
  public record Result(
      int warmupCalls, int calls, long rssBeforeKiB, long rssAfterKiB, double nanosPerCall) {
    /** Growth of the resident set over the measured calls, KiB (negative when it shrank). */
    public long growthKiB() {
      return rssAfterKiB - rssBeforeKiB;
    }

    @Override
    public String toString() {
      return calls
          + " calls: RSS "
          + rssBeforeKiB / 1024
          + " MiB -> "
          + rssAfterKiB / 1024
          + " MiB (growth "
          + growthKiB()
          + " KiB), "
          + String.format(java.util.Locale.ROOT, "%.1f", nanosPerCall / 1000)
          + " us/call";
    }
  }

  /** Resident set size of this process in KiB, or -1 where /proc is not available. */
  public static long rssKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Runs {@code task} {@code warmupCalls} times, reads RSS, runs it {@code calls} times, reads
   * again.
   */
  public static Result measure(int warmupCalls, int calls, Runnable task) {
    for (int i = 0; i < warmupCalls; i++) {
      task.run();
    }
    settle();
    long before = rssKiB();
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      task.run();
    }
    long t1 = System.nanoTime();
    settle();
    long after = rssKiB();
    return new Result(warmupCalls, calls, before, after, (t1 - t0) / (double) Math.max(1, calls));
  }

  private static void settle() {
    System.gc();
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
