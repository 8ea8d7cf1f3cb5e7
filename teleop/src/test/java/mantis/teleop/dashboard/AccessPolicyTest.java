package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  /** An IPv4 address of one of this machine's non-loopback interfaces, or null. */
  private static String interfaceAddress() throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp() && !nif.isLoopback()) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return a.getHostAddress();
          }
        }
      }
    }
    return null;
  }

  @Test
  void aWildcardBindRefusesHostNamesThatAreNotThisMachines() {
    AccessPolicy p = AccessPolicy.forHost("0.0.0.0", "t-0123456789abcdef");
    assertFalse(
        p.allowsHostHeader("evil.example:8080"),
        "DNS rebinding: a name this machine does not have");
    assertFalse(p.allowsHostHeader("evil.example"));
    assertFalse(p.allowsHostHeader("192.0.2.7:8080"), "an address that is not this machine's");
    assertFalse(p.allowsHostHeader("0.0.0.0:8080"), "the wildcard is nobody's address");
    assertFalse(p.allowsHostHeader("999.1.1.1"), "not an address (and never looked up)");
    assertFalse(p.allowsHostHeader("bad_name!"));
    assertFalse(p.allowsHostHeader(null));
    assertFalse(p.allowsHostHeader(" "));
  }

  @Test
  void aWildcardBindAcceptsLoopbackThisMachinesAddressesAndItsHostName() throws Exception {
    AccessPolicy p = AccessPolicy.forHost("0.0.0.0", "t-0123456789abcdef");
    assertTrue(p.allowsHostHeader("localhost:8080"));
    assertTrue(p.allowsHostHeader("127.0.0.1:8080"));
    assertTrue(p.allowsHostHeader("[::1]:8080"));
    String name = InetAddress.getLocalHost().getHostName();
    assertTrue(p.allowsHostHeader(name + ":8080"), name);
    assertTrue(
        p.allowsHostHeader(name.toUpperCase(java.util.Locale.ROOT) + "."),
        "case and a final dot do not matter");
    String address = interfaceAddress();
    if (address != null) {
      assertTrue(p.allowsHostHeader(address + ":8080"), address);
    }
  }

  @Test
  void aBindToOneAddressAcceptsThatAddressAndTheNameItWasGivenAs() throws Exception {
    String address = interfaceAddress();
    if (address != null) {
      AccessPolicy p = AccessPolicy.forHost(address, "t-0123456789abcdef");
      assertTrue(p.tokenRequired());
      assertTrue(p.allowsHostHeader(address + ":8080"));
      assertFalse(p.allowsHostHeader("evil.example:8080"));
    }
    String name = InetAddress.getLocalHost().getHostName();
    if (!InetAddress.getByName(name).isLoopbackAddress()) {
      AccessPolicy byName = AccessPolicy.forHost(name, "t-0123456789abcdef");
      assertTrue(byName.allowsHostHeader(name + ":8080"));
    }
  }

  @Test
  void allowedHostsAreExtraNamesOnEveryBind() {
    AccessPolicy p =
        AccessPolicy.forHost(
            "0.0.0.0",
            "t-0123456789abcdef",
            List.of("Dash.Lab.Example", "198.51.100.4", "[2001:db8::1]"));
    assertTrue(p.allowsHostHeader("dash.lab.example:443"));
    assertTrue(p.allowsHostHeader("198.51.100.4"));
    assertTrue(p.allowsHostHeader("[2001:db8:0::1]:8080"), "addresses compare as addresses");
    assertFalse(p.allowsHostHeader("lab.example"));
    assertFalse(p.allowsHostHeader("x.dash.lab.example"), "no implicit subdomains");
    AccessPolicy local = AccessPolicy.forHost("127.0.0.1", null, List.of("proxy.example"));
    assertTrue(local.allowsHostHeader("proxy.example"));
    assertTrue(p.describeHostNames().contains("dash.lab.example"), p.describeHostNames());
  }

  @Test
  void malformedAllowedHostsAreRefusedAtStart() {
    for (String bad :
        List.of("http://x.example", "x.example:8080", "*.example", "x/y", "", "a..b")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> AccessPolicy.forHost("0.0.0.0", "t-0123456789abcdef", List.of(bad)),
              bad);
      assertTrue(e.getMessage().contains("--dashboard-allowed-hosts"), e.getMessage());
    }
  }

  @Test
  void aLoopbackBindAcceptsOnlyLoopbackNames() {
    AccessPolicy local = AccessPolicy.forHost("127.0.0.1", null);
    assertTrue(local.allowsHostHeader("127.0.0.1:8080"));
    assertTrue(local.allowsHostHeader("localhost"));
    assertTrue(local.allowsHostHeader("[::1]:8080"));
    assertFalse(local.allowsHostHeader("evil.example:8080"));
    assertFalse(local.allowsHostHeader("192.0.2.7:8080"));
  }

  @Test
  void anOriginPassesWhenItIsTheDashboardItself() {
    AccessPolicy p =
        AccessPolicy.forHost("0.0.0.0", "t-0123456789abcdef", List.of("dash.proxy.example"));
    assertTrue(p.allowsOrigin("http://127.0.0.1:8080", "127.0.0.1:8080"));
    assertTrue(p.allowsOrigin("http://Robot-WS:8080", "robot-ws:8080"));
    assertTrue(p.allowsOrigin("http://robot-ws", "robot-ws:80"));
    assertTrue(p.allowsOrigin("https://robot-ws", "robot-ws"));
    assertTrue(p.allowsOrigin("http://[::1]:8080", "[::1]:8080"));
    assertTrue(
        p.allowsOrigin("https://dash.proxy.example", "127.0.0.1:8080"),
        "an allowed name (a proxy)");
    assertFalse(p.allowsOrigin("http://evil.example", "127.0.0.1:8080"));
    assertFalse(
        p.allowsOrigin("http://127.0.0.1:9999", "127.0.0.1:8080"), "another port of this host");
    assertFalse(p.allowsOrigin("https://robot-ws", "robot-ws:80"));
    assertFalse(p.allowsOrigin("null", "127.0.0.1:8080"));
    assertFalse(p.allowsOrigin("file://", "127.0.0.1:8080"));
    assertFalse(p.allowsOrigin("not a uri", "127.0.0.1:8080"));
    assertFalse(p.allowsOrigin(null, "127.0.0.1:8080"));
  }

  @Test
  void ipLiteralsAreParsedNeverLookedUp() {
    assertEquals("192.0.2.7", AccessPolicy.ipLiteral("192.0.2.7").getHostAddress());
    assertNull(AccessPolicy.ipLiteral("256.1.1.1"));
    assertNull(AccessPolicy.ipLiteral("example.com"));
    assertTrue(AccessPolicy.ipLiteral("::1").isLoopbackAddress());
    assertNull(AccessPolicy.ipLiteral("1::2::3"));
  }

  @Test
  void bearerTokensCompareExactly() {
    AccessPolicy p = AccessPolicy.forHost("0.0.0.0", "abcdefghijklmnop");
    assertTrue(p.matches(AccessPolicy.bearer("bearer abcdefghijklmnop")));
    assertFalse(p.matches(AccessPolicy.bearer("Bearer ABCDEFGHIJKLMNOP")));
    assertFalse(p.matches(AccessPolicy.bearer("Token abcdefghijklmnop")));
  }

  @Test
  void onLoopbackOnlyAPlainLocalDashboardIsOpen() {
    assertFalse(AccessPolicy.forHost("127.0.0.1", null).tokenRequired());
    assertFalse(
        AccessPolicy.forHost("127.0.0.1", null, List.of("localhost", "127.0.0.1", "[::1]"))
            .tokenRequired(),
        "loopback names add no way in");
    AccessPolicy proxied = AccessPolicy.forHost("127.0.0.1", null, List.of("dash.lab.example"));
    assertTrue(proxied.tokenRequired(), "behind a proxy named in --dashboard-allowed-hosts");
    assertTrue(proxied.token().length() >= 32, "a generated token");
    assertTrue(
        AccessPolicy.forHost("::1", null, List.of("198.51.100.4")).tokenRequired(),
        "a forwarded address");
    AccessPolicy given = AccessPolicy.forHost("localhost", "0123456789abcdef");
    assertTrue(given.tokenRequired(), "a given token is always asked for");
    assertTrue(given.matches("0123456789abcdef"));
  }

  @Test
  void aGivenTokenNeedsSixteenCharactersWithoutSpaces() {
    for (String bad :
        List.of("", " ", "1", "fifteen-chars!!", "sixteen chars ok", "tab\tinside-0123456")) {
      assertThrows(IllegalArgumentException.class, () -> AccessPolicy.forHost("0.0.0.0", bad), bad);
      assertThrows(
          IllegalArgumentException.class, () -> AccessPolicy.forHost("127.0.0.1", bad), bad);
    }
    assertEquals("sixteen-chars-ok", AccessPolicy.forHost("0.0.0.0", "sixteen-chars-ok").token());
  }
}
