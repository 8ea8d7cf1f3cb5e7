package mantis.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mantis.core.JointLimits;
import mantis.core.Planar3RobotProvider;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import org.junit.jupiter.api.Test;

class RobotRegistryTest {
  record Fake(String name, List<String> aliases, RobotSpec robot) implements RobotProvider {
    @Override
    public String description() {
      return "fake " + name;
    }
  }

  private static final RobotSpec ONE =
      new RobotSpec("one-joint", List.of(new JointLimits("a", -1, 1, 1, 1)));

  @Test
  void theServiceLoaderFindsTheBundledPlanarArmByBothItsNames() {
    RobotRegistry robots = RobotRegistry.installed();
    assertEquals(List.of("mantis-planar-3", "planar3"), robots.names());
    assertSame(RobotSpecs.mantisPlanar3(), robots.robot("planar3"));
    assertSame(RobotSpecs.mantisPlanar3(), robots.robot("mantis-planar-3"));
    assertTrue(robots.providers().get(0) instanceof Planar3RobotProvider);
    assertEquals(Planar3RobotProvider.NAME, robots.providers().get(0).name());
  }

  @Test
  void aLoadWithAnExplicitClassLoaderFindsTheSameRobots() {
    assertEquals(
        RobotRegistry.installed().names(),
        RobotRegistry.load(Thread.currentThread().getContextClassLoader()).names());
  }

  @Test
  void anUnknownRobotIsRejectedWithEveryKnownName() {
    RobotRegistry robots =
        RobotRegistry.builder().addProvider(new Fake("one", List.of("uno"), ONE)).build();
    assertSame(ONE, robots.robot("uno"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> robots.robot("octopus"));
    assertEquals("unknown robot 'octopus'; known: one, uno", e.getMessage());
  }

  @Test
  void twoProvidersClaimingOneRobotNameFailLoudly() {
    RobotRegistry.Builder b = RobotRegistry.builder().addProvider(new Planar3RobotProvider());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> b.addProvider(new Fake("planar3", List.of(), ONE)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "robot name 'planar3' is claimed by two providers: "
                    + Planar3RobotProvider.class.getName()
                    + " and "
                    + Fake.class.getName()),
        e.getMessage());
  }
}
