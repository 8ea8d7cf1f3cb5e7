package mantis.server.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mantis.core.FakeClock;
import mantis.core.Policy;
import mantis.core.RobotSpecs;
import mantis.core.spi.PolicyProvider;
import org.junit.jupiter.api.Test;

class PoliciesTest {
  @Test
  void theServiceLoaderFindsThePoliciesOfEveryModuleOnTheServersClassPath() {
    assertEquals(
        List.of("bundle:DIR", "hold", "mantis", "no-op", "random", "visual-servo"),
        Policies.registry().names());
    Map<String, String> modules = new TreeMap<>();
    for (PolicyProvider p : Policies.registry().providers()) {
      modules.put(p.name(), p.getClass().getName());
    }
    assertEquals(
        Map.of(
            "bundle:", "mantis.model.serve.BundlePolicyProvider",
            "hold", "mantis.server.policy.HoldPolicyProvider",
            "mantis", "mantis.model.serve.DefaultModelPolicyProvider",
            "random", "mantis.server.policy.RandomPolicyProvider",
            "visual-servo", "mantis.baseline.VisualServoPolicyProvider"),
        modules);
  }

  @Test
  void holdAndNoOpNameTheSamePolicy() {
    FakeClock clock = new FakeClock(0);
    try (Policy hold = Policies.create("hold", RobotSpecs.mantisPlanar3(), 128, clock);
        Policy noOp = Policies.create("no-op", RobotSpecs.mantisPlanar3(), 128, clock)) {
      assertInstanceOf(HoldPolicy.class, hold);
      assertInstanceOf(HoldPolicy.class, noOp);
      assertEquals("hold", noOp.info().name());
    }
  }

  @Test
  void anUnknownPolicyIsRejectedListingEveryRegisteredName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Policies.create("telepathy", RobotSpecs.mantisPlanar3(), 128, new FakeClock(0)));
    assertEquals(
        "unknown policy 'telepathy'; known: bundle:DIR, hold, mantis, no-op, random, visual-servo",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Policies.create("bundle:", RobotSpecs.mantisPlanar3(), 128, new FakeClock(0)));
  }
}
