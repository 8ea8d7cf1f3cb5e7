package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import mantis.core.MonotonicClock;
import mantis.core.Policy;
import mantis.core.RobotSpecs;
import mantis.server.policy.Policies;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
  @TempDir Path tmp;

  @Tag("slow")
  @Test
  void pretrainThenFinetuneWritesBundlesTheServerLoads() throws Exception {
    Path pt = tmp.resolve("pt");
    CliRun p =
        CliRun.of(
            "policy",
            "pretrain",
            "--out",
            pt.toString(),
            "--latent",
            "../models/latent/play-both",
            "--episodes",
            "2",
            "--held-out-episodes",
            "1",
            "--steps",
            "4",
            "--eval-every",
            "2",
            "--batch",
            "8");
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().contains("pretrained"), p.out());
    assertTrue(
        Files.exists(pt.resolve("model-card.json"))
            && Files.exists(pt.resolve("pretrain-curves.csv"))
            && Files.exists(pt.resolve("pretrain-curves.png")));
    Path ft = tmp.resolve("ft");
    CliRun f =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            pt.toString(),
            "--out",
            ft.toString(),
            "--episodes",
            "2",
            "--held-out-episodes",
            "1",
            "--steps",
            "4",
            "--batch",
            "8",
            "--train",
            "trunk");
    assertEquals(0, f.code(), f.err());
    assertTrue(Files.readString(ft.resolve("TRAINING.txt")).contains("--init " + pt));
    try (Policy policy =
        Policies.create("bundle:" + ft, RobotSpecs.mantisPlanar3(), 128, MonotonicClock.system())) {
      assertEquals("mantis", policy.info().name());
    }
  }

  @Test
  void badArgumentsAreRefusedClearly() {
    CliRun r =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "none",
            "--out",
            tmp.resolve("x").toString(),
            "--train",
            "decoder");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("needs a pretrained --init"), r.err());
    CliRun s =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "none",
            "--out",
            tmp.resolve("y").toString(),
            "--steps",
            "0");
    assertEquals(2, s.code());
    CliRun u =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            tmp.resolve("missing").toString(),
            "--out",
            tmp.resolve("z").toString(),
            "--steps",
            "1",
            "--episodes",
            "1",
            "--held-out-episodes",
            "0");
    assertTrue(u.code() != 0);
    assertTrue(u.err().contains("model-card.json"), u.err());
  }

  @Tag("slow")
  @Test
  void finetuneLearnsFromAFolderOfRecordingsAlone() throws Exception {
    Path recordings = tmp.resolve("recordings");
    mantis.learn.RecordedEpisodes.record(
        recordings.resolve("teleop-a"),
        mantis.sim.Embodiment.ARM,
        500321,
        mantis.sim.TaskFamily.PUSH_DIRECTION,
        7,
        1.2,
        5,
        1,
        128);
    mantis.learn.RecordedEpisodes.record(
        recordings.resolve("teleop-b"),
        mantis.sim.Embodiment.ARM,
        500322,
        mantis.sim.TaskFamily.REACH,
        0,
        1.2,
        5,
        1,
        128);
    Path ft = tmp.resolve("ft-rec");
    CliRun f =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "none",
            "--out",
            ft.toString(),
            "--recordings",
            recordings.toString(),
            "--episodes",
            "0",
            "--held-out-episodes",
            "1",
            "--steps",
            "5",
            "--batch",
            "8");
    assertEquals(0, f.code(), f.err());
    assertTrue(f.out().contains("examples from 2 recorded episodes"), f.out());
    assertTrue(Files.exists(ft.resolve("model-card.json")));
    String training = Files.readString(ft.resolve("TRAINING.txt"));
    assertTrue(
        training.contains("recorded episodes: teleop-a (") && training.contains("teleop-b ("),
        training);
    CliRun empty =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "none",
            "--out",
            tmp.resolve("e").toString(),
            "--recordings",
            tmp.resolve("ft-rec").toString(),
            "--episodes",
            "0",
            "--steps",
            "1");
    assertEquals(2, empty.code());
    assertTrue(empty.err().contains("no recorded episodes in"), empty.err());
    CliRun none =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "none",
            "--out",
            tmp.resolve("n").toString(),
            "--episodes",
            "0",
            "--steps",
            "1");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--episodes 0 needs --recordings"), none.err());
  }
}
