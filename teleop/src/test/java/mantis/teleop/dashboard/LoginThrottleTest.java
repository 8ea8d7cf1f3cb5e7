package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  private final AtomicLong nanos = new AtomicLong(42);
  private final LoginThrottle throttle = new LoginThrottle(nanos::get, 3, 60_000_000_000L, 4);

  @Test
  void anAddressIsRefusedAfterItsTriesUntilTheWindowEnds() {
    assertFalse(throttle.recordFailure("192.0.2.1"));
    nanos.addAndGet(10_000_000_000L);
    assertFalse(throttle.recordFailure("192.0.2.1"));
    assertEquals(0, throttle.retryAfterNanos("192.0.2.1"));
    assertTrue(throttle.recordFailure("192.0.2.1"), "the third wrong token uses up the tries");
    assertEquals(
        50_000_000_000L, throttle.retryAfterNanos("192.0.2.1"), "until a minute after the first");
    assertEquals(0, throttle.retryAfterNanos("192.0.2.2"), "other addresses are not affected");
    nanos.addAndGet(50_000_000_000L);
    assertEquals(0, throttle.retryAfterNanos("192.0.2.1"));
    assertFalse(throttle.recordFailure("192.0.2.1"), "a new window");
  }

  @Test
  void theRightTokenStartsTheCountOver() {
    throttle.recordFailure("192.0.2.1");
    throttle.recordFailure("192.0.2.1");
    throttle.recordSuccess("192.0.2.1");
    assertFalse(throttle.recordFailure("192.0.2.1"));
    assertFalse(throttle.recordFailure("192.0.2.1"));
  }

  @Test
  void ipv6AddressesCountPerSlash64() {
    throttle.recordFailure("2001:db8:1:2::1");
    throttle.recordFailure("[2001:db8:1:2:ffff::9]");
    assertTrue(
        throttle.recordFailure("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "one /64 shares the tries");
    assertTrue(throttle.retryAfterNanos("2001:db8:1:2::77") > 0);
    assertEquals(0, throttle.retryAfterNanos("2001:db8:1:3::1"), "the next /64 is another client");
    assertEquals(
        LoginThrottle.key("::ffff:192.0.2.1"), LoginThrottle.key("192.0.2.1"), "IPv4-mapped");
  }

  @Test
  void itRemembersABoundedNumberOfAddresses() {
    for (int i = 0; i < 100; i++) {
      throttle.recordFailure("198.51.100." + i);
    }
    assertEquals(4, throttle.tracked());
  }

  @Test
  void pastTheOverallLimitEachClientGetsOneTryButUntriedClientsAreStillChecked() {
    LoginThrottle t = new LoginThrottle(nanos::get, 3, 60_000_000_000L, 100, 5);
    for (int i = 0; i < 5; i++) {
      assertEquals(LoginThrottle.Failure.COUNTED, t.recordWrongToken("198.51.100." + i));
    }
    assertEquals(0, t.retryAfterNanos("198.51.100.0"), "under the overall limit: 3 tries each");
    assertEquals(
        LoginThrottle.Failure.GLOBAL_LIMITED,
        t.recordWrongToken("198.51.100.5"),
        "the sixth wrong token overall passes the limit (reported once, to be logged)");
    assertEquals(6, t.globalFailures());
    assertEquals(6, t.globalClients());
    assertTrue(t.retryAfterNanos("198.51.100.0") > 0, "a client that failed once is refused now");
    assertEquals(
        0, t.retryAfterNanos("192.0.2.1"), "a client without a wrong token is still checked");
    assertEquals(
        LoginThrottle.Failure.CLIENT_LIMITED, t.recordWrongToken("192.0.2.1"), "and gets one try");
    assertTrue(t.retryAfterNanos("192.0.2.1") > 0);
    nanos.addAndGet(60_000_000_000L);
    assertEquals(0, t.retryAfterNanos("198.51.100.0"), "the minute is over");
    assertEquals(LoginThrottle.Failure.COUNTED, t.recordWrongToken("198.51.100.0"));
    assertEquals(0, t.retryAfterNanos("198.51.100.0"), "3 tries again");
  }
}
