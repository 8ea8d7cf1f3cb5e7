package mantis.model.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import mantis.core.JointLimits;
import mantis.core.RobotSpec;
import mantis.core.RobotSpecs;
import mantis.model.text.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
  private static final RobotSpec ROBOT = RobotSpecs.mantisPlanar3();

  @TempDir Path dir;

  private byte[] weights;
  private Vocabulary vocabulary;

  private ModelCard writeBundle() throws IOException {
    weights = new byte[4096];
    new Random(3).nextBytes(weights);
    vocabulary = Vocabulary.builder().add("reach the red cube").build();
    return ModelBundle.write(
        dir,
        ModelCardTest.validBuilder().build(),
        Map.of(
            "weights.bin",
            weights,
            "vocabulary.json",
            vocabulary.toJson().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void bundleRoundTripGivesTheCardAndTheFilesBack() throws IOException {
    ModelCard written = writeBundle();
    assertEquals(ModelBundle.sha256Hex(weights), written.files().get("weights.bin"));
    ModelBundle bundle = ModelBundle.open(dir, ROBOT);
    assertEquals(written, bundle.card());
    assertArrayEquals(weights, bundle.bytes("weights.bin"));
    assertEquals(
        vocabulary,
        Vocabulary.fromJson(new String(bundle.bytes("vocabulary.json"), StandardCharsets.UTF_8)));
    assertEquals(vocabulary, Vocabulary.read(bundle.path("vocabulary.json")));
    try (var listing = Files.list(dir)) {
      assertEquals(3, listing.count(), "no temporary files are left behind");
    }
  }

  @Test
  void sha256OfBytesAndOfTheFileAgreeWithAKnownDigest() throws IOException {
    // SHA-256("abc"), FIPS 180-2 test vector
    String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertEquals(abc, ModelBundle.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)));
    Path f = dir.resolve("abc");
    Files.writeString(f, "abc", StandardCharsets.US_ASCII);
    assertEquals(abc, ModelBundle.sha256Hex(f));
    byte[] big = new byte[200_000];
    new Random(1).nextBytes(big);
    Path g = dir.resolve("big");
    Files.write(g, big);
    assertEquals(ModelBundle.sha256Hex(big), ModelBundle.sha256Hex(g));
  }

  @Test
  void aFlippedByteInTheWeightsIsRefusedNamingTheFileAndBothHashes() throws IOException {
    ModelCard written = writeBundle();
    byte[] tampered = weights.clone();
    tampered[1234] ^= 0x01;
    Files.write(dir.resolve("weights.bin"), tampered);
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    String expected =
        "weights.bin: SHA-256 is "
            + ModelBundle.sha256Hex(tampered)
            + ", the model card says "
            + written.files().get("weights.bin");
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void aFileChangedAfterOpeningIsRefusedWhenRead() throws IOException {
    writeBundle();
    ModelBundle bundle = ModelBundle.open(dir, ROBOT);
    Files.write(dir.resolve("weights.bin"), new byte[] {1, 2, 3});
    BundleException e = assertThrows(BundleException.class, () -> bundle.bytes("weights.bin"));
    assertTrue(e.getMessage().contains("weights.bin: SHA-256 is"), e.getMessage());
  }

  @Test
  void aMissingListedFileIsRefusedNamingIt() throws IOException {
    writeBundle();
    Files.delete(dir.resolve("vocabulary.json"));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("vocabulary.json is listed"), e.getMessage());
  }

  @Test
  void aMissingCardIsRefused() throws IOException {
    writeBundle();
    Files.delete(dir.resolve(ModelCard.FILE_NAME));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("no model-card.json"), e.getMessage());
  }

  @Test
  void aMissingFieldIsRefusedNamingIt() throws IOException {
    writeBundle();
    for (String field : List.of("jointNames", "trainingDataDigest", "evaluation", "files")) {
      String json = card();
      rewriteCard(removeField(json, field));
      BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
      assertTrue(e.getMessage().contains("missing field '" + field + "'"), e.getMessage());
      rewriteCard(json);
    }
    String json = card();
    rewriteCard(json.replace("\"codebookSize\" : 8", "\"other\" : 8"));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("missing field 'codebook.codebookSize'"), e.getMessage());
  }

  @Test
  void anExtraFieldIsRefusedNamingIt() throws IOException {
    writeBundle();
    rewriteCard(card().replaceFirst("\\{", "{\n  \"dropout\" : 0.1,"));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("unknown field 'dropout'"), e.getMessage());
  }

  @Test
  void anUnknownFormatVersionIsRefused() throws IOException {
    writeBundle();
    rewriteCard(card().replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("unknown format version 2"), e.getMessage());
  }

  @Test
  void anInvalidValueInTheCardIsRefusedNamingTheField() throws IOException {
    writeBundle();
    rewriteCard(card().replace("\"inputSizePx\" : 128", "\"inputSizePx\" : \"big\""));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("inputSizePx"), e.getMessage());
    rewriteCard("{ not json");
    e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, ROBOT));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
  }

  @Test
  void jointNamesThatDoNotMatchTheRobotAreRefusedNamingBothLists() throws IOException {
    writeBundle();
    JointLimits j = ROBOT.joint(0);
    RobotSpec other =
        new RobotSpec(
            "twojoint",
            List.of(
                new JointLimits(
                    "hip",
                    j.minPositionRad(),
                    j.maxPositionRad(),
                    j.maxVelocityRadPerS(),
                    j.maxAccelerationRadPerS2()),
                new JointLimits(
                    "knee",
                    j.minPositionRad(),
                    j.maxPositionRad(),
                    j.maxVelocityRadPerS(),
                    j.maxAccelerationRadPerS2())));
    BundleException e = assertThrows(BundleException.class, () -> ModelBundle.open(dir, other));
    assertTrue(e.getMessage().contains("[shoulder, elbow, wrist]"), e.getMessage());
    assertTrue(e.getMessage().contains("[hip, knee]"), e.getMessage());
  }

  @Test
  void anUnlistedFileInTheDirectoryIsIgnoredAndCannotBeRead() throws IOException {
    ModelCard written = writeBundle();
    Files.writeString(dir.resolve("notes.txt"), "not part of the bundle");
    ModelBundle bundle = ModelBundle.open(dir, ROBOT);
    assertEquals(written, bundle.card());
    assertFalse(bundle.card().files().containsKey("notes.txt"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bundle.bytes("notes.txt"));
    assertTrue(e.getMessage().contains("notes.txt is not listed"), e.getMessage());
  }

  private String card() throws IOException {
    return Files.readString(dir.resolve(ModelCard.FILE_NAME));
  }

  private void rewriteCard(String json) throws IOException {
    Files.writeString(dir.resolve(ModelCard.FILE_NAME), json);
  }

  private static String removeField(String json, String field) throws IOException {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json);
    root.remove(field);
    return mapper.writeValueAsString(root);
  }
}
