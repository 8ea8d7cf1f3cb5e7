package mantis.security;

import static mantis.security.ExposurePolicy.Mode.AUTHENTICATED;
import static mantis.security.ExposurePolicy.Mode.INSECURE;
import static mantis.security.ExposurePolicy.Mode.OPEN_LOOPBACK;
import static mantis.security.ExposurePolicy.Mode.REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExposurePolicyTest {
  @Test
  void loopbackWithoutConfigurationIsOpenAndWithTokensIsAuthenticated() {
    for (String host : List.of("127.0.0.1", "::1", "localhost", "127.0.0.2")) {
      ExposurePolicy.Decision open = ExposurePolicy.decide(host, false, false, false);
      assertEquals(OPEN_LOOPBACK, open.mode(), host);
      assertTrue(open.open());
      assertTrue(open.message().contains("loopback only"), open.message());
      ExposurePolicy.Decision tokens = ExposurePolicy.decide(host, false, true, false);
      assertEquals(AUTHENTICATED, tokens.mode(), host);
      assertFalse(tokens.open(), "tokens configured on loopback are enforced");
    }
  }

  @Test
  void anyOtherAddressIsRefusedWithoutTlsAndTokens() {
    for (String host : List.of("0.0.0.0", "::", "192.168.1.10", "10.0.0.7")) {
      for (boolean[] tt : new boolean[][] {{false, false}, {true, false}, {false, true}}) {
        ExposurePolicy.Decision d = ExposurePolicy.decide(host, tt[0], tt[1], false);
        assertEquals(REFUSED, d.mode(), host + " tls=" + tt[0] + " tokens=" + tt[1]);
        assertFalse(d.allowed());
        assertTrue(d.message().contains("Add TLS and tokens (see docs/SECURITY.md)"), d.message());
        assertTrue(d.message().contains("--insecure"), d.message());
      }
      assertEquals(AUTHENTICATED, ExposurePolicy.decide(host, true, true, false).mode(), host);
    }
    assertTrue(
        ExposurePolicy.decide("0.0.0.0", false, false, false)
            .message()
            .contains("no TLS certificate and no tokens are configured"));
    assertTrue(
        ExposurePolicy.decide("0.0.0.0", true, false, false)
            .message()
            .contains("no tokens are configured"));
  }

  @Test
  void insecureLetsItStartWithALoudWarning() {
    ExposurePolicy.Decision d = ExposurePolicy.decide("0.0.0.0", false, false, true);
    assertEquals(INSECURE, d.mode());
    assertTrue(d.allowed());
    assertTrue(d.open());
    String banner = String.join("\n", d.warningBanner());
    assertTrue(banner.contains("WARNING: --insecure"), banner);
    assertTrue(banner.contains("WITHOUT TLS") && banner.contains("WITHOUT TOKENS"), banner);
    assertTrue(d.warningBanner().size() >= 5);
    ExposurePolicy.Decision withTokens = ExposurePolicy.decide("0.0.0.0", false, true, true);
    assertEquals(INSECURE, withTokens.mode());
    assertFalse(withTokens.open(), "tokens stay enforced under --insecure");
    assertFalse(String.join("\n", withTokens.warningBanner()).contains("WITHOUT TOKENS"));
    assertEquals(
        AUTHENTICATED,
        ExposurePolicy.decide("0.0.0.0", true, true, true).mode(),
        "nothing insecure left");
    assertEquals(List.of(), ExposurePolicy.decide("127.0.0.1", false, false, true).warningBanner());
  }

  @Test
  void aNameThatDoesNotResolveIsRefused() {
    ExposurePolicy.Decision d = ExposurePolicy.decide("no-such-host.invalid", true, true, true);
    assertEquals(REFUSED, d.mode());
    assertTrue(
        d.message().contains("cannot resolve the bind address 'no-such-host.invalid'"),
        d.message());
  }
}
