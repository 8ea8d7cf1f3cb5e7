package mantis.server;

import mantis.server.config.MantisConfig;

/** Admission settings for tests: the defaults with a few changed. */
final class Admissions {
  private Admissions() {}

  static MantisConfig.AdmissionConfig streams(int max, int perConnection) {
    MantisConfig.AdmissionConfig d = MantisConfig.AdmissionConfig.defaults();
    return new MantisConfig.AdmissionConfig(max, perConnection, d.maxRobots(), d.robotIdleExpiryMs(),
        d.decodePixelsPerRequest(), d.decodePixelsPerSecond(), d.sendMarginMs(), d.maxControlPeriodMs(),
        d.annotateMaxSidePx(), d.logIntervalMs());
  }

  static MantisConfig.AdmissionConfig decode(long perRequest, long perSecond) {
    MantisConfig.AdmissionConfig d = MantisConfig.AdmissionConfig.defaults();
    return new MantisConfig.AdmissionConfig(d.maxControlStreams(), d.maxControlStreamsPerConnection(), d.maxRobots(),
        d.robotIdleExpiryMs(), perRequest, perSecond, d.sendMarginMs(), d.maxControlPeriodMs(), d.annotateMaxSidePx(),
        d.logIntervalMs());
  }
}
