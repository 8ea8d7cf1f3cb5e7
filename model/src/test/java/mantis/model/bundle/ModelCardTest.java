package mantis.model.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ModelCardTest {
  static final String DIGEST = "ab".repeat(32);

  static ModelCard.Builder validBuilder() {
    return ModelCard.builder()
        .setArchitecture("mantis-vla", Map.of("width", 64, "layers", 4))
        .setInputSizePx(128)
        .setNormalization(new double[] {0.5, 0.45, 0.4}, new double[] {0.25, 0.25, 0.3})
        .setJointNames(List.of("shoulder", "elbow", "wrist"))
        .setChunk(8, 100_000_000L)
        .setCodebook(4, 8)
        .setTrainingDataDigest(DIGEST)
        .optEvaluation(Map.of("success.reach", 0.91));
  }

  @Test
  void validCardKeepsItsValuesAndSortsItsMaps() {
    ModelCard card = validBuilder().build();
    assertEquals(ModelCard.FORMAT_VERSION, card.formatVersion());
    assertEquals(List.of("layers", "width"), List.copyOf(card.architecture().sizes().keySet()));
    assertEquals(List.of(0.25, 0.25, 0.3), card.normalization().std());
    assertEquals(8, card.chunkLength());
    assertEquals(100_000_000L, card.chunkPeriodNanos());
    assertEquals(new ModelCard.Codebook(4, 8), card.codebook());
    assertEquals(Map.of(), card.files());
  }

  @Test
  void cardJsonRoundTripGivesAnEqualCard() throws BundleException {
    ModelCard card = validBuilder().optFiles(Map.of("weights.bin", "cd".repeat(32))).build();
    String json = card.toJson();
    for (String field :
        List.of(
            "formatVersion",
            "architecture",
            "inputSizePx",
            "normalization",
            "jointNames",
            "chunkLength",
            "chunkPeriodNanos",
            "codebook",
            "tokens",
            "codebookSize",
            "trainingDataDigest",
            "evaluation",
            "files")) {
      assertTrue(json.contains("\"" + field + "\""), field + " missing from " + json);
    }
    assertEquals(card, ModelCard.fromJson(json));
  }

  @Test
  void invalidFieldsAreRefusedNamingTheField() {
    assertMessage(() -> validBuilder().setInputSizePx(0).build(), "inputSizePx");
    assertMessage(
        () ->
            validBuilder()
                .setNormalization(new double[] {0.5, 0.5, 0.5}, new double[] {0.2, 0, 0.2})
                .build(),
        "normalization.std");
    assertMessage(
        () ->
            validBuilder()
                .setNormalization(new double[] {0.5, 0.5}, new double[] {1, 1, 1})
                .build(),
        "normalization.mean");
    assertMessage(
        () ->
            validBuilder()
                .setNormalization(new double[] {0.5, Double.NaN, 0.5}, new double[] {1, 1, 1})
                .build(),
        "normalization.mean");
    assertMessage(() -> validBuilder().setJointNames(List.of()).build(), "jointNames");
    assertMessage(() -> validBuilder().setJointNames(List.of("a", "a")).build(), "jointNames");
    assertMessage(() -> validBuilder().setChunk(0, 1).build(), "chunkLength");
    assertMessage(() -> validBuilder().setChunk(8, 0).build(), "chunkPeriodNanos");
    assertMessage(() -> validBuilder().setCodebook(0, 8).build(), "codebook.tokens");
    assertMessage(() -> validBuilder().setCodebook(4, 1).build(), "codebook.codebookSize");
    assertMessage(() -> validBuilder().setTrainingDataDigest("abc").build(), "trainingDataDigest");
    assertMessage(
        () -> validBuilder().setTrainingDataDigest("AB".repeat(32)).build(), "trainingDataDigest");
    assertMessage(
        () -> validBuilder().setArchitecture("net", Map.of("width", 0)).build(),
        "architecture.sizes.width");
    assertMessage(() -> validBuilder().setArchitecture(" ", Map.of()).build(), "architecture.name");
    assertMessage(
        () -> validBuilder().optEvaluation(Map.of("loss", Double.POSITIVE_INFINITY)).build(),
        "evaluation.loss");
    assertMessage(
        () -> validBuilder().optFiles(Map.of("weights.bin", "nothex")).build(),
        "files.weights.bin");
    assertMessage(
        () -> validBuilder().optFiles(Map.of("../weights.bin", DIGEST)).build(), "../weights.bin");
    assertMessage(
        () -> validBuilder().optFiles(Map.of(ModelCard.FILE_NAME, DIGEST)).build(),
        ModelCard.FILE_NAME);
    assertMessage(() -> ModelCard.builder().setInputSizePx(128).build(), "architecture");
  }

  private static void assertMessage(Executable build, String field) {
    RuntimeException e = assertThrows(RuntimeException.class, build);
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(field),
        "expected '" + field + "' in: " + e.getMessage());
  }
}
