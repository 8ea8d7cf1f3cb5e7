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
    refused(
        () -> LatentActionConfig.builder().optInputSizePx(60).build(),
        "inputSizePx must be a multiple of 8");
    refused(() -> LatentActionConfig.builder().optInputSizePx(0).build(), "got 0");
    refused(() -> LatentActionConfig.builder().optChannels(1).build(), "channels must be 3");
    refused(
        () -> LatentActionConfig.builder().optTokens(0).build(),
        "tokens must be in [1, 64], got 0");
    refused(
        () -> LatentActionConfig.builder().optCodebookSize(1).build(),
        "codebookSize must be in [2, 4096], got 1");
    refused(
        () -> LatentActionConfig.builder().optCodeDim(-3).build(),
        "codeDim must be in [1, 1024], got -3");
    refused(
        () -> LatentActionConfig.builder().optWidths(8, 16).build(), "widths must name exactly 3");
    refused(
        () -> LatentActionConfig.builder().optWidths(8, 0, 16).build(),
        "every width must be in [1, 1024]");
    refused(
        () -> LatentActionConfig.builder().optCommitmentWeight(Float.NaN).build(),
        "commitmentWeight");
    refused(
        () -> LatentActionConfig.builder().optCommitmentWeight(-1f).build(), "commitmentWeight");
    refused(
        () -> LatentActionConfig.builder().optLearningRate(0f).build(),
        "learningRate must be finite and > 0");
    refused(
        () -> LatentActionConfig.builder().optDeadCodeWindowSteps(0).build(),
        "deadCodeWindowSteps must be >= 1");
    refused(
        () -> LatentActionConfig.builder().optDeadCodeMinUses(-1).build(),
        "deadCodeMinUses must be >= 0");
    refused(
        () -> LatentActionConfig.builder().optMotionWeight(-2f).build(),
        "motionWeight must be finite and >= 0");
    refused(
        () -> LatentActionConfig.builder().optMotionThreshold(1f).build(),
        "motionThreshold must be in (0, 1)");
    refused(
        () -> LatentActionConfig.builder().optCodebookLearningRateScale(0f).build(),
        "codebookLearningRateScale");
    refused(
        () -> LatentActionConfig.builder().optReverseFraction(1.5f).build(),
        "reverseFraction must be in [0, 1]");
    refused(
        () -> LatentActionConfig.builder().optInputSizePx(32).optShiftRadius(5).build(),
        "shiftRadius must be in [0, inputSizePx / 8 = 4]");
    refused(
        () -> LatentActionConfig.builder().optShiftRadius(2).optLocalDecoder(true).build(),
        "shiftRadius and localDecoder cannot be combined");
    refused(
        () -> LatentActionConfig.builder().optTokenGating(true).optLocalDecoder(true).build(),
        "tokenGating and localDecoder cannot be combined");
  }

  @Test
  void unknownOrMalformedPropertiesAreRefusedNamingTheKey() {
    java.util.Properties p = LatentActionConfig.builder().build().toProperties();
    p.setProperty("motionWieght", "3");
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> LatentActionConfig.fromProperties(p));
    assertTrue(
        e.getMessage().contains("unknown latent action config key 'motionWieght'"), e.getMessage());
    java.util.Properties q = LatentActionConfig.builder().build().toProperties();
    q.setProperty("differenceInput", "yes");
    e = assertThrows(java.io.IOException.class, () -> LatentActionConfig.fromProperties(q));
    assertTrue(
        e.getMessage().contains("differenceInput must be true or false, got 'yes'"),
        e.getMessage());
  }

  @Test
  void everyOptionRoundTripsThroughProperties() throws Exception {
    LatentActionConfig c =
        LatentActionConfig.builder()
            .optInputSizePx(32)
            .optMotionWeight(7f)
            .optMotionThreshold(0.2f)
            .optDifferenceInput(true)
            .optCodebookLearningRateScale(3f)
            .optEncoderPooling(true)
            .optReverseFraction(0.25f)
            .optShiftRadius(3)
            .optTokenGating(true)
            .build();
    assertEquals(c, LatentActionConfig.fromProperties(c.toProperties()));
    assertEquals(c.hashCode(), LatentActionConfig.fromProperties(c.toProperties()).hashCode());
    LatentActionConfig local = LatentActionConfig.builder().optLocalDecoder(true).build();
    assertEquals(local, LatentActionConfig.fromProperties(local.toProperties()));
    assertTrue(!local.equals(LatentActionConfig.builder().build()));
  }

  @Test
  void configurationRoundTripsThroughItsFile() throws Exception {
    LatentActionConfig c =
        LatentActionConfig.builder()
            .optInputSizePx(32)
            .optWidths(4, 8, 12)
            .optTokens(3)
            .optCodebookSize(16)
            .optCodeDim(5)
            .optCommitmentWeight(0.3f)
            .optLearningRate(3e-4f)
            .optDeadCodeWindowSteps(7)
            .optDeadCodeMinUses(2)
            .optSeed(-42)
            .build();
    StringWriter w = new StringWriter();
    c.store(w);
    LatentActionConfig back = LatentActionConfig.read(new StringReader(w.toString()));
    assertEquals(c, back);
    assertEquals(c, back.toBuilder().build());
    java.io.IOException e =
        assertThrows(
            java.io.IOException.class,
            () ->
                LatentActionConfig.read(
                    new StringReader(w.toString().replace("tokens=3", "tokens=0"))));
    assertTrue(e.getMessage().contains("tokens must be in [1, 64], got 0"), e.getMessage());
  }

  private static void refused(Supplier<LatentActionConfig> build, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
    assertTrue(
        e.getMessage().contains(expected),
        "message '" + e.getMessage() + "' should contain '" + expected + "'");
  }
}
