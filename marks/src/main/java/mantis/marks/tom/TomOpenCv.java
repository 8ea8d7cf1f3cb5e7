package mantis.marks.tom;

/** Loads OpenCV's native library once per JVM. */
final class TomOpenCv {
  private TomOpenCv() {}

  private static final class Holder {
    static {
      nu.pattern.OpenCV.loadLocally();
      // Clips are small: OpenCV's worker threads would only compete with the caller's on few cores.
      org.opencv.core.Core.setNumThreads(1);
    }

    static void touch() {}
  }

  static void ensureLoaded() {
    Holder.touch();
  }
}
