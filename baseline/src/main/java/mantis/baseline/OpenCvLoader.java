package mantis.baseline;

/** Loads OpenCV's native library once per JVM. */
final class OpenCvLoader {
  private OpenCvLoader() {}

  private static final class Holder {
    static {
      nu.pattern.OpenCV.loadLocally();
    }

    static void touch() {}
  }

  static void ensureLoaded() {
    Holder.touch();
  }
}
