package mantis.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.ActionChunk;
import mantis.core.FakeClock;
import mantis.core.Observation;
import mantis.core.Policy;
import mantis.core.PolicyInfo;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

class PolicyRegistryTest {
  /** A policy that only remembers the request it was made from. */
  record Made(PolicyRequest request) implements Policy {
    @Override
    public PolicyInfo info() {
      return new PolicyInfo(request.name(), "1", List.of(), 0, 0, 1, "{}");
    }

    @Override
    public ActionChunk predict(Observation observation) {
      throw new UnsupportedOperationException();
    }
  }

  /** A provider answering to a name (and aliases), or to a prefix when {@code label} is given. */
  record Fake(String name, List<String> aliases, String label) implements PolicyProvider {
    static Fake exact(String name, String... aliases) {
      return new Fake(name, List.of(aliases), null);
    }

    static Fake prefix(String prefix, String label) {
      return new Fake(prefix, List.of(), label);
    }

    @Override
    public boolean takesArgument() {
      return label != null;
    }

    @Override
    public String argumentLabel() {
      return label;
    }

    @Override
    public String description() {
      return "fake " + name;
    }

    @Override
    public Policy create(PolicyRequest request) {
      return new Made(request);
    }
  }

  private static PolicyRequest request(String name) {
    return PolicyRequest.builder()
        .setName(name)
        .setRobot(RobotSpecs.mantisPlanar3())
        .optInputPx(64)
        .optClock(new FakeClock(0))
        .build();
  }

  private final PolicyRegistry registry =
      PolicyRegistry.builder()
          .addProvider(Fake.exact("still", "idle"))
          .addProvider(Fake.prefix("weights:", "DIR"))
          .addProvider(Fake.exact("chase"))
          .build();

  @Test
  void namesAreSortedAndShowAPrefixWithItsArgumentLabel() {
    assertEquals(List.of("chase", "idle", "still", "weights:DIR"), registry.names());
  }

  @Test
  void aNameAndItsAliasFindTheSameProvider() {
    assertSame(registry.provider("still"), registry.provider("idle"));
    assertEquals("still", registry.provider("idle").name());
    assertTrue(registry.isKnown("chase"));
  }

  @Test
  void aPrefixProviderGetsTheTextAfterThePrefixAsItsArgument() {
    Made made = (Made) registry.create(request("weights:/tmp/model"));
    assertEquals("weights:/tmp/model", made.request().name());
    assertEquals("/tmp/model", made.request().argument());
    assertEquals(64, made.request().inputPx());
    assertEquals("", ((Made) registry.create(request("chase"))).request().argument());
  }

  @Test
  void aPrefixAloneWithoutAnArgumentIsUnknown() {
    assertFalse(registry.isKnown("weights:"));
    assertTrue(registry.find("weights:").isEmpty());
  }

  @Test
  void anUnknownNameIsRejectedWithEveryKnownName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> registry.create(request("fly")));
    assertEquals("unknown policy 'fly'; known: chase, idle, still, weights:DIR", e.getMessage());
    assertEquals(
        e.getMessage(),
        assertThrows(IllegalArgumentException.class, () -> registry.provider("fly")).getMessage());
    assertFalse(registry.isKnown(null));
  }

  @Test
  void twoProvidersClaimingOneNameFailLoudlyNamingBoth() {
    PolicyRegistry.Builder b = PolicyRegistry.builder().addProvider(Fake.exact("still"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> b.addProvider(Fake.exact("still")));
    assertTrue(
        e.getMessage()
            .startsWith(
                "policy name 'still' is claimed by two providers: "
                    + Fake.class.getName()
                    + " and "
                    + Fake.class.getName()),
        e.getMessage());
  }

  @Test
  void anAliasClashingWithAnotherProvidersNameFails() {
    PolicyRegistry.Builder b = PolicyRegistry.builder().addProvider(Fake.exact("idle"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> b.addProvider(Fake.exact("still", "idle")));
    assertTrue(e.getMessage().contains("'idle' is claimed by two providers"), e.getMessage());
  }

  @Test
  void aNameStartingWithAnotherProvidersPrefixIsAmbiguousAndFails() {
    PolicyRegistry.Builder b =
        PolicyRegistry.builder()
            .addProvider(Fake.prefix("weights:", "DIR"))
            .addProvider(Fake.exact("weights:best"));
    IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
    assertTrue(
        e.getMessage().contains("'weights:best'") && e.getMessage().contains("prefix 'weights:'"),
        e.getMessage());
    PolicyRegistry.Builder nested =
        PolicyRegistry.builder()
            .addProvider(Fake.prefix("w:", "DIR"))
            .addProvider(Fake.prefix("w:x:", "DIR"));
    assertThrows(IllegalStateException.class, nested::build);
  }

  @Test
  void aBlankOrSpacedNameIsRejected() {
    assertThrows(
        IllegalStateException.class, () -> PolicyRegistry.builder().addProvider(Fake.exact(" ")));
    assertThrows(
        IllegalStateException.class, () -> PolicyRegistry.builder().addProvider(Fake.exact("a b")));
    assertThrows(
        IllegalStateException.class, () -> PolicyRegistry.builder().addProvider(Fake.exact("a,b")));
  }

  @Test
  void coreAloneRegistersNoPolicy() {
    // The policies live in the modules that own them (model, baseline, server); core registers
    // none.
    assertEquals(List.of(), PolicyRegistry.installed().names());
  }

  @Test
  void aRequestDefaultsToTheDocumentedInputSizeAndServing() {
    PolicyRequest r =
        PolicyRequest.builder().setName("x").setRobot(RobotSpecs.mantisPlanar3()).build();
    assertEquals(PolicyRequest.DEFAULT_INPUT_PX, r.inputPx());
    assertEquals(new PolicyRequest.Serving(1, 8, 2000), r.serving());
    assertThrows(NullPointerException.class, () -> PolicyRequest.builder().setName("x").build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PolicyRequest.builder()
                .setName("x")
                .setRobot(RobotSpecs.mantisPlanar3())
                .optInputPx(0)
                .build());
  }
}
