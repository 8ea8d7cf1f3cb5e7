package mantis.marks;

/** Loads OpenCV's native library once per JVM, with OpenCV's own worker threads off. */
final class OpenCv {
  private OpenCv() {}

  private static final class Holder {
    static {
      nu.pattern.OpenCV.loadLocally();
      // Frames are small: OpenCV's worker threads would only compete with the server's threads.
      org.opencv.core.Core.setNumThreads(1);
    }

    static void touch() {}
  }

  static void ensureLoaded() {
    Holder.touch();
  }
}
