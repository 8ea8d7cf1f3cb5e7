package mantis.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import mantis.core.FakeClock;
import mantis.core.Policy;
import mantis.core.RobotSpecs;
import mantis.core.spi.PolicyRegistry;
import mantis.core.spi.PolicyRequest;
import org.junit.jupiter.api.Test;

class VisualServoPolicyProviderTest {
  @Test
  void theServiceLoaderFindsTheVisualServoBaseline() {
    PolicyRegistry registry = PolicyRegistry.installed();
    assertEquals(List.of("visual-servo"), registry.names());
    assertInstanceOf(VisualServoPolicyProvider.class, registry.provider("visual-servo"));
  }

  @Test
  void theBaselineWorksAtTheRequestedInputSize() {
    try (Policy p =
        PolicyRegistry.installed()
            .create(
                PolicyRequest.builder()
                    .setName("visual-servo")
                    .setRobot(RobotSpecs.mantisPlanar3())
                    .optInputPx(96)
                    .optClock(new FakeClock(0))
                    .build())) {
      assertInstanceOf(VisualServoPolicy.class, p);
      assertEquals("visual-servo", p.info().name());
      assertEquals(96, p.info().inputWidthPx());
      assertEquals(96, p.info().inputHeightPx());
    }
  }
}
