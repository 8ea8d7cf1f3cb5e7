package mantis.marks;

/**
 * Loads OpenCV's native library once per JVM, with OpenCV's own worker threads off. Shared by the
 * Set-of-Mark classes and {@link mantis.marks.tom}; callers outside this module have no reason to
 * use it.
 */
public final class OpenCv {
  private OpenCv() {}

  private static final class Holder {
    static {
      nu.pattern.OpenCV.loadLocally();
      // Frames are small: OpenCV's worker threads would only compete with the server's threads.
      org.opencv.core.Core.setNumThreads(1);
    }

    static void touch() {}
  }

  /** Loads the library on the first call; later calls do nothing. */
  public static void ensureLoaded() {
    Holder.touch();
  }
}
