package mantis.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import mantis.core.Frame;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the committed seed corpus of the PolicyService fuzz targets under {@code
 * server/src/test/resources/mantis/server/fuzz/}: the tiny PNG and JPEG, and for each target a few
 * inputs that decode to valid requests of every frame encoding. Not a test of the product: run it
 * when the decoding of an input changes (docs/FUZZING.md):
 *
 * <pre>
 * mvn -B -pl server -am -Dtest=FuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false -Dmantis.fuzz.writeSeeds=true test
 * </pre>
 *
 * <p>Inputs of a {@code FuzzedDataProvider} target are found by a seeded search for short byte
 * strings that decode to what is wanted, so they stay right whatever the provider's byte order.
 */
@EnabledIfSystemProperty(named = "mantis.fuzz.writeSeeds", matches = "true")
class FuzzSeeds {
  private static final Path DIR = Path.of("src/test/resources/mantis/server/fuzz");

  /**
   * A fuzz test only so that Jazzer's agent is in place (its {@code FuzzedDataProvider} needs it);
   * it runs once, on the empty input of the regression mode.
   */
  @FuzzTest
  void writeSeeds(byte[] ignored) throws IOException {
    assertTrue(Files.isDirectory(DIR), "run from the server module: " + DIR.toAbsolutePath());
    Frame small = Seeds.render(Seeds.SEED_WIDTH_PX, Seeds.SEED_HEIGHT_PX);
    writeImage("seed-frame.png", Seeds.renderPng(Seeds.SEED_WIDTH_PX, Seeds.SEED_HEIGHT_PX));
    var img =
        new java.awt.image.BufferedImage(
            small.widthPx(), small.heightPx(), java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < small.heightPx(); y++) {
      for (int x = 0; x < small.widthPx(); x++) {
        img.setRGB(x, y, small.rgbAt(x, y));
      }
    }
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", jpeg);
    writeImage("seed-frame.jpg", jpeg.toByteArray());

    List<Observation> bases = Seeds.get().bases();
    String[] names = {"raw", "png", "jpeg", "raw-and-png-moving"};
    ObservationFuzzer fuzzer = new ObservationFuzzer(Seeds.get());
    for (int k = 0; k < bases.size(); k++) {
      Observation base = bases.get(k);
      write(
          "PredictFuzzTest",
          "predictAnswersAnyObservationWithASafeChunkOrAProperStatus",
          "valid-" + names[k],
          find(d -> fuzzer.observation(d).equals(base)));
      write(
          "LearnedPolicyFuzzTest",
          "theLearnedPolicyAnswersAnyObservationWithASafeChunkOrAProperStatus",
          "predict-" + names[k],
          find(d -> !d.consumeBoolean() && fuzzer.observation(d).equals(base)));
      write(
          "AnnotateFuzzTest",
          "annotateAnswersAnyObservationWithFiniteMarksOrAProperStatus",
          "drawn-" + names[k],
          find(
              d ->
                  AnnotateFuzzTest.input(d)
                      .equals(base.toBuilder().setAnnotateWithImage(true).build())));
      int kk = k;
      write(
          "ControlFuzzTest",
          "controlAnswersAnySequenceOfObservationsSafelyInOrderOrEndsItProperly",
          "three-steps-" + names[k],
          find(d -> isThreeValidSteps(ControlFuzzTest.plan(d), bases.get(kk))));
      write(
          "ObservationBytesFuzzTest",
          "anyParseableObservationIsAnsweredSafelyOrRefusedProperlyByEveryRpc",
          "valid-" + names[k],
          base.toByteArray());
    }
    write(
        "LearnedPolicyFuzzTest",
        "theLearnedPolicyAnswersAnyObservationWithASafeChunkOrAProperStatus",
        "control-raw",
        find(d -> d.consumeBoolean() && fuzzer.observation(d).equals(bases.get(0))));
    write(
        "ControlFuzzTest",
        "controlAnswersAnySequenceOfObservationsSafelyInOrderOrEndsItProperly",
        "pause-for-the-watchdog",
        find(
            d -> {
              ControlFuzzTest.Plan p = ControlFuzzTest.plan(d);
              return p.observations().size() == 2
                  && p.pauseAfter() == 0
                  && p.observations()
                      .get(0)
                      .equals(bases.get(0).toBuilder().setStep(0).setSendTimeNanos(0).build());
            }));

    String wire = "anyBytesOnTheWireGetAnAnswerOrAProperStatus";
    write("WireFuzzTest", wire, "predict-raw", prefixed(0, bases.get(0).toByteArray()));
    write(
        "WireFuzzTest",
        wire,
        "annotate-png-drawn",
        prefixed(1, bases.get(1).toBuilder().setAnnotateWithImage(true).build().toByteArray()));
    write("WireFuzzTest", wire, "describe", new byte[] {2});
    write("WireFuzzTest", wire, "control-jpeg", prefixed(3, bases.get(2).toByteArray()));
    // Not a protobuf message (a field with wire type 7): must be answered INVALID_ARGUMENT (issue
    // 13).
    write("WireFuzzTest", wire, "predict-unparseable", new byte[] {0, 0x0f, 0x01, 0x02});
  }

  /**
   * Into the sources, and onto the test class path where {@link Seeds} reads it in this same run.
   */
  private static void writeImage(String name, byte[] data) throws IOException {
    Files.write(DIR.resolve(name), data);
    Path classes = Path.of("target/test-classes/mantis/server/fuzz");
    Files.createDirectories(classes);
    Files.write(classes.resolve(name), data);
  }

  private static boolean isThreeValidSteps(ControlFuzzTest.Plan p, Observation base) {
    if (p.observations().size() != 3 || p.pauseAfter() != -1) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      if (!p.observations()
          .get(i)
          .equals(base.toBuilder().setStep(i).setSendTimeNanos(1_000_000L * i).build())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The shortest byte string found (seeded search, up to 8 bytes) whose decoding satisfies {@code
   * wanted}.
   */
  private static byte[] find(Predicate<FuzzedDataProvider> wanted) {
    Random random = new Random(13);
    for (int length = 0; length <= 8; length++) {
      for (int attempt = 0; attempt < (length == 0 ? 1 : 200_000); attempt++) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(b)) {
          if (wanted.test(d)) {
            return b;
          }
        }
      }
    }
    throw new IllegalStateException("no input of up to 8 bytes decodes as wanted");
  }

  private static byte[] prefixed(int rpc, byte[] message) {
    byte[] b = new byte[message.length + 1];
    b[0] = (byte) rpc;
    System.arraycopy(message, 0, b, 1, message.length);
    return b;
  }

  /** Writes one input; an empty one is left out (Jazzer always runs the empty input). */
  private static void write(String target, String method, String name, byte[] input)
      throws IOException {
    if (input.length == 0) {
      return;
    }
    Path dir = DIR.resolve(target + "Inputs").resolve(method);
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), input);
  }
}
