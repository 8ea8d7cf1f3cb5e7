package mantis.server;

import mantis.server.config.MantisConfig;

/** Admission settings for tests: the defaults with a few changed. */
final class Admissions {
  private Admissions() {}

  static MantisConfig.AdmissionConfig.Builder defaults() {
    return MantisConfig.AdmissionConfig.defaults().toBuilder();
  }

  static MantisConfig.AdmissionConfig streams(int max, int perConnection) {
    return defaults().optControlStreams(max, perConnection, max).build();
  }

  static MantisConfig.AdmissionConfig decode(long perRequest, long perSecond) {
    return defaults().optDecodePixels(perRequest, perSecond, Math.max(1, perSecond / 4)).build();
  }
}
