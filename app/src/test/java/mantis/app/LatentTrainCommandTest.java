package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import mantis.latent.LatentActionConfig;
import mantis.latent.LatentActionModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentTrainCommandTest {
  @TempDir static Path shared;
  static Path data;
  @TempDir Path dir;

  /** A tiny model: 16x16 frames, widths 4/8/8, 2 tokens of 4 codes. */
  static final String[] TINY = {
    "--tokens",
    "2",
    "--codebook",
    "4",
    "--batch",
    "4",
    "--set",
    "widths=4,8,8",
    "--set",
    "codeDim=4"
  };

  @BeforeAll
  static void recordTinyDataset() {
    data = shared.resolve("ds");
    CliRun r =
        CliRun.of(
            "latent",
            "record",
            "--out",
            data.toString(),
            "--size",
            "16",
            "--episodes",
            "4",
            "--first-seed",
            "20");
    assertEquals(0, r.code(), r.err());
  }

  private static CliRun train(Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("latent", "train", "--data", data.toString(), "--out", out.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String[] tiny(String... more) {
    List<String> args = new ArrayList<>(List.of(TINY));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<Long> loggedSteps(Path ckpt) throws Exception {
    List<String> lines = Files.readAllLines(ckpt.resolve("loss.csv"));
    assertEquals(
        "step,total,recon,codebook,commitment,perplexity,replaced_codes,elapsed_s", lines.get(0));
    List<Long> steps = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      steps.add(Long.parseLong(l.split(",")[0]));
    }
    return steps;
  }

  @Test
  void trainsSixStepsWithCheckpointsThenResumesToNine() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    CliRun r = train(ckpt, tiny("--steps", "6", "--checkpoint-every", "3"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("trained steps 0 -> 6 (6 steps, batch 4)"), r.out());
    assertTrue(
        r.out().contains("smoothed losses at step 6: total ") && r.out().contains("of 4 codes"),
        r.out());
    assertTrue(r.out().contains("checkpoint: " + ckpt), r.out());
    assertTrue(
        r.err().contains("6/6 steps")
            && r.err().contains("pairs/s")
            && r.err().contains("recon ")
            && r.err().contains("perplexity ")
            && r.err().contains("ETA"),
        r.err());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), loggedSteps(ckpt));
    var state = new ObjectMapper().readTree(ckpt.resolve("trainer.json").toFile());
    assertEquals(6, state.path("step").asInt());
    assertEquals(4, state.path("batchSize").asInt());
    assertEquals("both", state.path("settings").path("embodiment").asText());
    try (LatentActionModel m = LatentActionModel.load(ckpt)) {
      assertEquals(6, m.stepCount());
      assertEquals(16, m.config().inputSizePx());
      assertEquals(4, m.config().widths()[0]);
      assertEquals(8, m.config().widths()[2]);
      assertEquals(4, m.config().codeDim());
    }
    BufferedImage png = ImageIO.read(ckpt.resolve("loss.png").toFile());
    assertTrue(png.getWidth() > 100 && png.getHeight() > 100);

    CliRun again = train(ckpt, tiny("--steps", "9"));
    assertEquals(2, again.code(), again.out());
    assertTrue(again.err().contains("already holds a checkpoint; add --resume"), again.err());

    CliRun resumed = train(ckpt, "--steps", "9", "--resume");
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("trained steps 6 -> 9 (3 steps, batch 4)"), resumed.out());
    assertTrue(resumed.err().contains("resuming at step 6 -> 9"), resumed.err());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), loggedSteps(ckpt));

    CliRun done = train(ckpt, "--steps", "9", "--resume");
    assertEquals(2, done.code());
    assertTrue(done.err().contains("already at step 9 >= --steps 9"), done.err());
    CliRun otherBatch = train(ckpt, "--steps", "12", "--resume", "--batch", "8");
    assertEquals(2, otherBatch.code());
    assertTrue(
        otherBatch.err().contains("--batch 8 differs from the checkpoint's 4"), otherBatch.err());
    CliRun otherConfig = train(ckpt, "--steps", "12", "--resume", "--set", "learningRate=0.1");
    assertEquals(2, otherConfig.code());
    assertTrue(
        otherConfig.err().contains("--set cannot change a checkpoint's model configuration"),
        otherConfig.err());
  }

  @Test
  void labelWritesOneRowPerPairOfBothEmbodiments() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    assertEquals(0, train(ckpt, tiny("--steps", "1")).code());
    Path csv = dir.resolve("tokens.csv");
    CliRun r =
        CliRun.of(
            "latent",
            "label",
            "--model",
            ckpt.toString(),
            "--data",
            data.toString(),
            "--out",
            csv.toString(),
            "--batch",
            "16");
    assertEquals(0, r.code(), r.err());
    int pairs =
        new ObjectMapper()
            .readTree(data.resolve("dataset.json").toFile())
            .path("pairCount")
            .asInt();
    assertTrue(pairs > 16, "enough pairs for several batches: " + pairs);
    assertTrue(
        r.out()
                .contains(
                    "labelled "
                        + pairs
                        + " pairs of 4 episodes (2 tokens of 4 codes each, model at "
                        + "step 1)")
            && r.out().contains("pairs/s"),
        r.out());
    assertTrue(r.err().contains(pairs + "/" + pairs + " pairs"), r.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("episode,t,embodiment,token0,token1", lines.get(0));
    assertEquals(pairs + 1, lines.size());
    boolean arm = false;
    boolean hand = false;
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      assertEquals(5, f.length, l);
      arm |= f[2].equals("ARM");
      hand |= f[2].equals("HAND");
      for (int i = 3; i < 5; i++) {
        int token = Integer.parseInt(f[i]);
        assertTrue(token >= 0 && token < 4, l);
      }
    }
    assertTrue(arm && hand, "both embodiments labelled");
  }

  @Test
  void evalPrintsTheEvaluatorsReportAndWritesItsJson() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    assertEquals(0, train(ckpt, tiny("--steps", "2")).code());
    Path json = dir.resolve("report.json");
    CliRun r =
        CliRun.of(
            "latent",
            "eval",
            "--model",
            ckpt.toString(),
            "--data",
            data.toString(),
            "--max-pairs",
            "40",
            "--json",
            json.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("model " + ckpt + " (step 2, 2 tokens of 4 codes)"), r.out());
    assertTrue(
        r.out().contains("mse_moving")
            && r.out().contains("probe (ARM direction")
            && r.out().contains("40 pairs evaluated"),
        r.out());
    assertTrue(r.err().contains("40/40 pairs"), r.err());
    var report = new ObjectMapper().readTree(json.toFile());
    assertEquals(40, report.path("pairs").asInt());
    assertEquals("ARM", report.path("probe").path("embodiment").asText());
    assertTrue(report.path("byEmbodiment").has("ALL"), report.toString());

    r =
        CliRun.of(
            "latent",
            "eval",
            "--model",
            ckpt.toString(),
            "--data",
            data.toString(),
            "--probe-embodiment",
            "leg");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--probe-embodiment must be arm or hand"), r.err());
    r =
        CliRun.of(
            "latent", "eval", "--model", dir.resolve("none").toString(), "--data", data.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("holds no checkpoint"), r.err());
  }

  @Test
  void aModelSavedWithoutTrainerJsonResumesWithTheGivenBatchSettings() throws Exception {
    Path bare = dir.resolve("bare");
    try (LatentActionModel m =
        LatentActionModel.create(
            LatentActionConfig.builder().optInputSizePx(16).optWidths(4, 8, 8).build())) {
      m.save(bare);
    }
    CliRun r = train(bare, "--resume", "--steps", "2", "--batch", "4");
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.err().contains("has no trainer.json")
            && r.err().contains("resuming with --batch 4 --seed 0"),
        r.err());
    assertTrue(r.out().contains("trained steps 0 -> 2 (2 steps, batch 4)"), r.out());
    assertEquals(List.of(1L, 2L), loggedSteps(bare));
    assertEquals(
        4,
        new ObjectMapper()
            .readTree(bare.resolve("trainer.json").toFile())
            .path("batchSize")
            .asInt());
  }

  @Test
  void badArgumentsAreRefusedWithExitCodeTwoAndAMessage() throws Exception {
    Path ckpt = dir.resolve("ckpt");
    CliRun r =
        CliRun.of(
            "latent",
            "train",
            "--data",
            dir.resolve("nothing").toString(),
            "--out",
            ckpt.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--data: no video dataset in"), r.err());

    r = train(ckpt, "--resume", "--steps", "3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--resume: " + ckpt + " holds no checkpoint"), r.err());

    r = train(ckpt, tiny("--set", "widht=4,8,8"));
    assertEquals(2, r.code());
    assertTrue(
        r.err().contains("unknown latent model setting 'widht'") && r.err().contains("widths"),
        r.err());

    r = train(ckpt, tiny("--set", "tokens=0"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("tokens must be in [1, 64]"), r.err());

    r = train(ckpt, tiny("--set", "inputSizePx=24"));
    assertEquals(2, r.code());
    assertTrue(
        r.err()
            .contains(
                "frame size mismatch: --data "
                    + data
                    + " has 16x16 frames but the model takes 24x24"),
        r.err());

    r = train(ckpt, tiny("--embodiment", "leg"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--embodiment must be arm, hand or both"), r.err());

    r = train(ckpt, tiny("--held-out", "1"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--held-out must be in [0, 1)"), r.err());
    assertFalse(Files.exists(ckpt.resolve("weights.bin")), "nothing trained by refused commands");

    Path big = dir.resolve("model24");
    try (LatentActionModel m =
        LatentActionModel.create(
            LatentActionConfig.builder().optInputSizePx(24).optWidths(4, 8, 8).build())) {
      m.save(big);
    }
    r =
        CliRun.of(
            "latent",
            "label",
            "--model",
            big.toString(),
            "--data",
            data.toString(),
            "--out",
            dir.resolve("t.csv").toString());
    assertEquals(2, r.code());
    assertTrue(
        r.err()
            .contains(
                "frame size mismatch: --data "
                    + data
                    + " has 16x16 frames but the model in "
                    + big
                    + " takes 24x24"),
        r.err());
    r =
        CliRun.of(
            "latent",
            "label",
            "--model",
            dir.resolve("none").toString(),
            "--data",
            data.toString(),
            "--out",
            dir.resolve("t.csv").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("holds no checkpoint"), r.err());
    assertFalse(Files.exists(dir.resolve("t.csv")));
    r = CliRun.of("latent", "eval", "--model", big.toString(), "--data", data.toString());
    assertEquals(2, r.code());
    assertTrue(
        r.err()
            .contains(
                "frame size mismatch: --data "
                    + data
                    + " has 16x16 frames but the model in "
                    + big
                    + " takes 24x24"),
        r.err());
  }
}
