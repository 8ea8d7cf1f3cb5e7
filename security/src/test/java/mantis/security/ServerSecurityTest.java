package mantis.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSecurityTest {
  @Test
  void noneIsOpenOnLoopbackAndRefusedElsewhere() throws Exception {
    ServerSecurity none = ServerSecurity.none();
    assertEquals(
        ExposurePolicy.Mode.OPEN_LOOPBACK,
        none.check("127.0.0.1", InetAddress.getByName("127.0.0.1")).mode());
    assertEquals(
        ExposurePolicy.Mode.REFUSED,
        none.check("0.0.0.0", InetAddress.getByName("0.0.0.0")).mode());
    assertTrue(none.interceptor(null, null).toString().contains("open, as local (no auth)"));
    assertTrue(none.serverCredentials().isEmpty());
  }

  @Test
  void theInterceptorFollowsTheTokensAndTheDecision() throws Exception {
    ServerSecurity insecure = ServerSecurity.builder().optInsecure(true).build();
    ExposurePolicy.Decision d = insecure.check("0.0.0.0", InetAddress.getByName("0.0.0.0"));
    assertEquals(ExposurePolicy.Mode.INSECURE, d.mode());
    assertTrue(insecure.interceptor(d, null).toString().contains("insecure (no auth)"));
    ServerSecurity withTokens =
        ServerSecurity.builder()
            .optTokens(TokenStore.of(List.of(TokenEntry.forToken("a", Role.VIEWER, "t"))))
            .build();
    assertTrue(withTokens.interceptor(null, null).toString().contains("tokens, 1 token(s)"));
    assertTrue(withTokens.inProcessInterceptor().toString().contains("in-process (operator"));
  }
}
