package mantis.baseline;

/** Loads OpenCV's native library once per JVM. */
final class OpenCvLoader {
  private OpenCvLoader() {}

  private static final class Holder {
    static {
      nu.pattern.OpenCV.loadLocally();
      // One frame is small: OpenCV's own worker threads only compete with gRPC's on few cores.
      org.opencv.core.Core.setNumThreads(1);
    }

    static void touch() {}
  }

  static void ensureLoaded() {
    Holder.touch();
  }
}
