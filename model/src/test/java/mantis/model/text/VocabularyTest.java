package mantis.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  private static final List<String> INSTRUCTIONS =
      List.of(
          "reach the red cube",
          "Push the blue ball left",
          "push the red cube onto the green square",
          "reach the blue ball");

  @Test
  void tokenizeLowerCasesAndSplitsOnAnythingButLettersAndDigits() {
    assertEquals(
        List.of("push", "the", "red", "cube", "2", "cm", "left"),
        Vocabulary.tokenize("  Push THE red-cube, 2 cm... left!"));
    assertEquals(List.of("cube2", "x"), Vocabulary.tokenize("cube2_x"));
    assertEquals(List.of(), Vocabulary.tokenize(" ,.;- "));
  }

  @Test
  void idsFollowDescendingCountThenAlphabetAfterTheReservedTokens() {
    Vocabulary v = Vocabulary.builder().addAll(INSTRUCTIONS).build();
    // counts: the 5, ball 2, blue 2, cube 2, push 2, reach 2, red 2, green 1, left 1, onto 1,
    // square 1
    assertEquals(
        List.of(
            "<pad>", "<unk>", "the", "ball", "blue", "cube", "push", "reach", "red", "green",
            "left", "onto", "square"),
        v.words());
    assertEquals(0, v.id("<pad>"));
    assertEquals(1, v.id("<unk>"));
    assertEquals("the", v.word(2));
    assertEquals(13, v.size());
  }

  @Test
  void vocabularyIsTheSameWhateverTheOrderOfInstructions() {
    Vocabulary reference = Vocabulary.builder().addAll(INSTRUCTIONS).build();
    List<String> shuffled = new ArrayList<>(INSTRUCTIONS);
    Random rng = new Random(7);
    for (int i = 0; i < 5; i++) {
      Collections.shuffle(shuffled, rng);
      assertEquals(reference, Vocabulary.builder().addAll(shuffled).build());
    }
  }

  @Test
  void unseenWordsMapToUnk() {
    Vocabulary v = Vocabulary.builder().addAll(INSTRUCTIONS).build();
    int[] ids = v.encode("reach the purple cube", 4);
    assertEquals(v.id("reach"), ids[0]);
    assertEquals(v.id("the"), ids[1]);
    assertEquals(Vocabulary.UNK_ID, ids[2]);
    assertEquals(v.id("cube"), ids[3]);
    assertEquals(Vocabulary.UNK_ID, v.id("purple"));
  }

  @Test
  void wordsSeenFewerThanMinCountTimesMapToUnk() {
    Vocabulary v = Vocabulary.builder().optMinCount(2).addAll(INSTRUCTIONS).build();
    assertEquals(Vocabulary.UNK_ID, v.id("green"));
    assertEquals(Vocabulary.UNK_ID, v.id("onto"));
    assertTrue(v.id("red") > Vocabulary.UNK_ID);
    assertEquals(9, v.size());
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().optMinCount(0).build());
  }

  @Test
  void encodePadsShortInstructionsAndTruncatesLongOnes() {
    Vocabulary v = Vocabulary.builder().addAll(INSTRUCTIONS).build();
    int reach = v.id("reach");
    int the = v.id("the");
    int red = v.id("red");
    int cube = v.id("cube");
    assertArrayEquals(new int[] {reach, the, red, cube, 0, 0}, v.encode("reach the red cube", 6));
    assertArrayEquals(new int[] {reach, the}, v.encode("reach the red cube", 2));
    assertArrayEquals(new int[] {0, 0, 0}, v.encode("", 3));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> v.encode("reach", 0));
    assertTrue(e.getMessage().contains("maxTokens"), e.getMessage());
  }

  @Test
  void wordOutsideTheVocabularyIsRefused() {
    Vocabulary v = Vocabulary.builder().addAll(INSTRUCTIONS).build();
    assertThrows(IndexOutOfBoundsException.class, () -> v.word(v.size()));
    assertThrows(IndexOutOfBoundsException.class, () -> v.word(-1));
  }

  @Test
  void jsonRoundTripGivesAnEqualVocabulary(@TempDir Path dir) throws IOException {
    Vocabulary v = Vocabulary.builder().optMinCount(2).addAll(INSTRUCTIONS).build();
    Vocabulary back = Vocabulary.fromJson(v.toJson());
    assertEquals(v, back);
    assertEquals(2, back.minCount());
    assertArrayEquals(v.encode("push the red ball", 8), back.encode("push the red ball", 8));
    Path file = dir.resolve("vocabulary.json");
    v.write(file);
    assertEquals(v, Vocabulary.read(file));
  }

  @Test
  void corruptJsonIsRefusedWithAClearMessage(@TempDir Path dir) throws IOException {
    Vocabulary v = Vocabulary.builder().addAll(INSTRUCTIONS).build();
    String json = v.toJson();
    assertRefused(json.substring(0, json.length() / 2), "not valid JSON");
    assertRefused("[1, 2]", "JSON object");
    assertRefused(
        json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 9"), "unknown format version 9");
    assertRefused(json.replace("mantis-vocabulary", "something-else"), "kind");
    assertRefused(json.replace("\"<unk>\"", "\"<oops>\""), "<unk>");
    assertRefused(json.replace("\"ball\"", "\"the\""), "\"the\" appears twice");
    assertRefused(json.replace("\"ball\"", "\"Big Ball\""), "not a single lower-case word");
    Path file = dir.resolve("vocabulary.json");
    Files.writeString(file, "{");
    IOException e = assertThrows(IOException.class, () -> Vocabulary.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  private static void assertRefused(String json, String expectedInMessage) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.fromJson(json));
    assertTrue(
        e.getMessage().contains(expectedInMessage),
        "expected '" + expectedInMessage + "' in: " + e.getMessage());
  }
}
