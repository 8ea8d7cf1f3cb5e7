package mantis.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LatentActionConfigTest {

  @Test
  void defaultsMatchTheIssue() {
    LatentActionConfig c = LatentActionConfig.builder().build();
    assertEquals(64, c.inputSizePx());
    assertEquals(3, c.channels());
    assertEquals(4, c.tokens());
    assertEquals(8, c.codebookSize());
    assertArrayEquals(new int[] {16, 32, 64}, c.widths());
  }

  @Test
  void badConfigurationIsRefusedNamingTheField() {
    refused(() -> LatentActionConfig.builder().optInputSizePx(60).build(), "inputSizePx must be a multiple of 8");
    refused(() -> LatentActionConfig.builder().optInputSizePx(0).build(), "got 0");
    refused(() -> LatentActionConfig.builder().optChannels(1).build(), "channels must be 3");
    refused(() -> LatentActionConfig.builder().optTokens(0).build(), "tokens must be in [1, 64], got 0");
    refused(() -> LatentActionConfig.builder().optCodebookSize(1).build(), "codebookSize must be in [2, 4096], got 1");
    refused(() -> LatentActionConfig.builder().optCodeDim(-3).build(), "codeDim must be in [1, 1024], got -3");
    refused(() -> LatentActionConfig.builder().optWidths(8, 16).build(), "widths must name exactly 3");
    refused(() -> LatentActionConfig.builder().optWidths(8, 0, 16).build(), "every width must be in [1, 1024]");
    refused(() -> LatentActionConfig.builder().optCommitmentWeight(Float.NaN).build(), "commitmentWeight");
    refused(() -> LatentActionConfig.builder().optCommitmentWeight(-1f).build(), "commitmentWeight");
    refused(() -> LatentActionConfig.builder().optLearningRate(0f).build(), "learningRate must be finite and > 0");
    refused(() -> LatentActionConfig.builder().optDeadCodeWindowSteps(0).build(), "deadCodeWindowSteps must be >= 1");
    refused(() -> LatentActionConfig.builder().optDeadCodeMinUses(-1).build(), "deadCodeMinUses must be >= 0");
  }

  @Test
  void configurationRoundTripsThroughItsFile() throws Exception {
    LatentActionConfig c = LatentActionConfig.builder().optInputSizePx(32).optWidths(4, 8, 12).optTokens(3)
        .optCodebookSize(16).optCodeDim(5).optCommitmentWeight(0.3f).optLearningRate(3e-4f)
        .optDeadCodeWindowSteps(7).optDeadCodeMinUses(2).optSeed(-42).build();
    StringWriter w = new StringWriter();
    c.store(w);
    LatentActionConfig back = LatentActionConfig.read(new StringReader(w.toString()));
    assertEquals(c, back);
    assertEquals(c, back.toBuilder().build());
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> LatentActionConfig.read(new StringReader(w.toString().replace("tokens=3", "tokens=0"))));
    assertTrue(e.getMessage().contains("tokens must be in [1, 64], got 0"), e.getMessage());
  }

  private static void refused(Supplier<LatentActionConfig> build, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
    assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
  }
}
