package mantis.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MantisConfigTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path p = dir.resolve("mantis.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void defaultsServeTheBundledModelWithA16MebibyteLimitAnd100MsWatchdog() {
    MantisConfig c = MantisConfig.defaults();
    assertEquals("mantis", c.policy());
    assertEquals(1, c.predictorWorkers());
    assertEquals(8, c.maxBatch());
    assertEquals(50051, c.port());
    assertEquals(9464, c.metricsPort());
    assertEquals(16 * 1024 * 1024, c.maxInboundMessageBytes());
    assertEquals(100, c.watchdogTimeoutMs());
    assertEquals(Optional.empty(), c.robot());
    assertEquals("127.0.0.1", c.metricsHost(), "metrics stay on loopback unless asked");
  }

  @Test
  void yamlOverridesOnlyTheKeysItGives() throws Exception {
    MantisConfig c =
        MantisConfig.load(
            write(
                "port: 6000\npolicy: hold\nwatchdog_timeout_ms: 250\nrobot: /x/arm.yaml\nmetrics_host: 0.0.0.0\n"));
    assertEquals("0.0.0.0", c.metricsHost());
    assertEquals(6000, c.port());
    assertEquals("hold", c.policy());
    assertEquals(250, c.watchdogTimeoutMs());
    assertEquals(Optional.of(Path.of("/x/arm.yaml")), c.robot());
    assertEquals(9464, c.metricsPort());
  }

  @Test
  void anEmptyFileMeansDefaults() throws Exception {
    assertEquals(MantisConfig.defaults(), MantisConfig.load(write("")));
  }

  @Test
  void anUnknownKeyIsRejectedByName() throws Exception {
    Path p = write("port: 6000\nwatchdog_timout_ms: 5\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(p));
    assertTrue(e.getMessage().contains("unknown key 'watchdog_timout_ms'"), e.getMessage());
  }

  @Test
  void anInvalidValueIsRejectedWithTheFileName() throws Exception {
    Path p = write("policy: magic\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(p));
    assertTrue(
        e.getMessage().contains("mantis.yaml") && e.getMessage().contains("policy must be one of"),
        e.getMessage());
  }

  @Test
  void policyNamesAreCheckedAgainstThePolicyRegistry() {
    assertEquals(
        "no-op",
        MantisConfig.defaults().withPolicy("no-op").policy(),
        "every registered name is valid");
    assertEquals(
        "bundle:/some/dir", MantisConfig.defaults().withPolicy("bundle:/some/dir").policy());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MantisConfig.defaults().withPolicy("magic"));
    assertEquals(
        "policy must be one of [bundle:DIR, hold, mantis, no-op, random, visual-servo], got magic",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> MantisConfig.defaults().withPolicy("bundle:"),
        "a bundle needs its directory");
  }

  @Test
  void aWrongTypeIsRejected() throws Exception {
    Path p = write("port: lots\n");
    assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(p));
  }

  @Test
  void copiesChangeOneField() {
    MantisConfig c = MantisConfig.defaults().withPort(7).withPolicy("hold").withMetricsPort(-1);
    assertEquals(7, c.port());
    assertEquals("hold", c.policy());
    assertEquals(-1, c.metricsPort());
    assertEquals(MantisConfig.defaults().watchdogTimeoutMs(), c.watchdogTimeoutMs());
  }

  @Test
  void batchingSettingsAndBundlePoliciesAreReadAndChecked() throws Exception {
    MantisConfig c =
        MantisConfig.load(
            write(
                "policy: bundle:/models/x\npredictor_workers: 2\nmax_batch: 16\n"
                    + "max_batch_wait_us: 500\n"));
    assertEquals("bundle:/models/x", c.policy());
    assertEquals(2, c.predictorWorkers());
    assertEquals(16, c.maxBatch());
    assertEquals(500, c.maxBatchWaitMicros());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MantisConfig.load(write("max_batch: 0\n")));
    assertTrue(e.getMessage().contains("max_batch must be 1..1024"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> MantisConfig.load(write("policy: \"bundle:\"\n")));
  }

  @Test
  void theAdmissionBlockOverridesOnlyTheKeysItGivesAndTheFlagsKeepIt() throws Exception {
    MantisConfig c =
        MantisConfig.load(
            write(
                "port: 6000\nadmission:\n  max_control_streams: 10\n"
                    + "  max_control_streams_per_connection: 4\n  robot_idle_expiry_ms: 60000\n"
                    + "  decode_pixels_per_second: 5000000\n"));
    MantisConfig.AdmissionConfig a = c.admission();
    assertEquals(10, a.maxControlStreams());
    assertEquals(4, a.maxControlStreamsPerConnection());
    assertEquals(60_000, a.robotIdleExpiryMs());
    assertEquals(5_000_000, a.decodePixelsPerSecond());
    assertEquals(1024, a.maxRobots(), "default otherwise");
    assertEquals(16_777_216L, a.decodePixelsPerRequest());
    assertEquals(a, c.withPort(7000).withWatchdogTimeoutMs(50).withBatching(2, 4, 100).admission());
    assertEquals(MantisConfig.AdmissionConfig.defaults(), MantisConfig.defaults().admission());
  }

  @Test
  void anUnknownOrBadAdmissionKeyIsRejectedByName() throws Exception {
    Path typo = write("admission:\n  max_streams: 3\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(typo));
    assertTrue(e.getMessage().contains("unknown key 'max_streams'"), e.getMessage());
    Path bad =
        write("admission:\n  max_control_streams: 4\n  max_control_streams_per_connection: 8\n");
    e = assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(bad));
    assertTrue(
        e.getMessage()
            .contains(
                "admission.max_control_streams_per_connection must be 1..max_control_streams (4), got 8"),
        e.getMessage());
  }

  @Test
  void theStreamKeepaliveQueueAndAnnotateKeysAreReadAndAnnotateDefaultsToAQuarterOfTheDecodeBudget()
      throws Exception {
    MantisConfig.AdmissionConfig d = MantisConfig.defaults().admission();
    assertEquals(64, d.maxControlStreamsPerPrincipal());
    assertEquals(30_000, d.controlIdleTimeoutMs());
    assertEquals(30_000, d.keepAliveTimeMs());
    assertEquals(10_000, d.keepAliveTimeoutMs());
    assertEquals(
        10_000, d.permitKeepAliveTimeMs(), "the ROS bridge pings every 20 s or more: allowed");
    assertEquals(300_000, d.maxConnectionIdleMs());
    assertEquals(25_000_000, d.annotateDecodePixelsPerSecond());
    assertEquals(256L << 20, d.maxQueuedBytes());
    MantisConfig.AdmissionConfig a =
        MantisConfig.load(
                write(
                    "admission:\n  max_control_streams_per_principal: 5\n"
                        + "  control_idle_timeout_ms: 5000\n  keepalive_time_ms: 20000\n  keepalive_timeout_ms: 2000\n"
                        + "  permit_keepalive_time_ms: 15000\n  max_connection_idle_ms: 60000\n"
                        + "  decode_pixels_per_second: 8000000\n  max_queued_bytes: 33554432\n"))
            .admission();
    assertEquals(5, a.maxControlStreamsPerPrincipal());
    assertEquals(5000, a.controlIdleTimeoutMs());
    assertEquals(20_000, a.keepAliveTimeMs());
    assertEquals(2000, a.keepAliveTimeoutMs());
    assertEquals(15_000, a.permitKeepAliveTimeMs());
    assertEquals(60_000, a.maxConnectionIdleMs());
    assertEquals(
        2_000_000, a.annotateDecodePixelsPerSecond(), "a quarter of decode_pixels_per_second");
    assertEquals(32L << 20, a.maxQueuedBytes());
    assertEquals(
        3_000_000,
        MantisConfig.load(write("admission:\n  annotate_decode_pixels_per_second: 3000000\n"))
            .admission()
            .annotateDecodePixelsPerSecond());
  }

  @Test
  void settingsThatReopenALockoutOrDelayTheWatchdogAreRefusedWithTheReason() throws Exception {
    Path robots = write("admission:\n  max_control_streams: 200\n  max_robots: 100\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(robots));
    assertTrue(
        e.getMessage()
            .contains(
                "admission.max_robots (100) must be at least admission.max_control_streams "
                    + "(200): otherwise open Control streams alone could fill the robot table"),
        e.getMessage());
    Path period = write("admission:\n  max_control_period_ms: 6000\n");
    e = assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(period));
    assertTrue(
        e.getMessage().contains("admission.max_control_period_ms must be 0..5000"), e.getMessage());
    Path idle =
        write("admission:\n  max_control_period_ms: 2000\n  control_idle_timeout_ms: 2000\n");
    e = assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(idle));
    assertTrue(
        e.getMessage()
            .contains(
                "admission.control_idle_timeout_ms must be 1000..3600000 and more than "
                    + "max_control_period_ms (2000), got 2000"),
        e.getMessage());
    Path keepalive = write("admission:\n  keepalive_time_ms: 5000\n");
    e = assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(keepalive));
    assertTrue(
        e.getMessage()
            .contains(
                "admission.keepalive_time_ms must be >= 10000 (gRPC raises shorter times to "
                    + "10 s), got 5000"),
        e.getMessage());
    Path queued = write("admission:\n  max_queued_bytes: 8388608\n");
    e = assertThrows(IllegalArgumentException.class, () -> MantisConfig.load(queued));
    assertTrue(
        e.getMessage()
            .contains(
                "admission.max_queued_bytes (8388608) must be at least "
                    + "max_inbound_message_bytes (16777216)"),
        e.getMessage());
  }
}
