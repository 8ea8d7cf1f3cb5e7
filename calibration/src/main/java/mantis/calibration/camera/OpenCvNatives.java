package mantis.calibration.camera;

/** Loads OpenCV's native library once per JVM (the openpnp build bundles it). */
final class OpenCvNatives {
  private OpenCvNatives() {}

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
