package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Tag("slow")
  @Test
  void daggerRoundsLetTheExpertCorrectTheFinetunedPolicyAndTrainAFlowHead() throws Exception {
    Path ft = tmp.resolve("dagger");
    CliRun f =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "../models/policy/pretrained",
            "--out",
            ft.toString(),
            "--episodes",
            "2",
            "--held-out-episodes",
            "1",
            "--steps",
            "3",
            "--batch",
            "8",
            "--flow-steps",
            "4",
            "--dagger-episodes",
            "3",
            "--dagger-rounds",
            "2",
            "--dagger-first-seed",
            "610000");
    assertEquals(0, f.code(), f.err());
    // An almost untrained policy strays at once: the expert takes over in every episode.
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "DAgger round (\\d): seeds (\\d+)\\.\\.(\\d+), \\d+/(\\d) episodes succeeded with help,"
                    + " (\\d+) takeovers, expert drove ([0-9.]+)% of the steps, (\\d+) examples \\((\\d+) with"
                    + " actions\\)")
            .matcher(f.out());
    assertTrue(m.find(), f.out());
    assertEquals("1", m.group(1));
    assertEquals("610000", m.group(2));
    assertEquals("610001", m.group(3), "3 episodes in 2 rounds: 2, then 1");
    assertTrue(Integer.parseInt(m.group(5)) >= 2, "a takeover per episode at least: " + m.group());
    assertTrue(Double.parseDouble(m.group(6)) > 0);
    assertTrue(Integer.parseInt(m.group(8)) > 0, "corrections became labelled examples");
    assertTrue(Integer.parseInt(m.group(8)) < Integer.parseInt(m.group(7)));
    assertTrue(m.find(), f.out());
    assertEquals("2", m.group(1));
    assertEquals("610002", m.group(2));
    String training = Files.readString(ft.resolve("TRAINING.txt"));
    assertTrue(training.contains("DAgger round 2"), training);
    assertTrue(training.contains("flow head 4 steps"), training);
    assertTrue(Files.readString(ft.resolve("model-card.json")).contains("\"flowSteps\" : 4"));
    try (Policy policy =
        Policies.create("bundle:" + ft, RobotSpecs.mantisPlanar3(), 128, MonotonicClock.system())) {
      assertEquals("mantis", policy.info().name());
    }
    CliRun bad =
        CliRun.of(
            "policy",
            "finetune",
            "--init",
            "none",
            "--out",
            tmp.resolve("bad").toString(),
            "--dagger-episodes",
            "1",
            "--dagger-rounds",
            "2");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--dagger-rounds between 1 and the DAgger episodes"), bad.err());
  }

  /** {@code policy goal-frame} on 6 video episodes from the pretrained bundle into {@code out}. */
  private static CliRun goalFrame(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "policy",
                "goal-frame",
                "--init",
                "../models/policy/pretrained",
                "--out",
                out.toString(),
                "--video-episodes",
                "6",
                "--first-seed",
                "123"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void goalFrameLearnsAPlanFromVideoThatTheServedBundleCarries() throws Exception {
    Path out = tmp.resolve("gf");
    CliRun r = goalFrame(out);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("goal-frame plan (GOAL axes) from 6 video episodes"), r.out());
    assertTrue(Files.size(out.resolve("goal-frame.bin")) > 0);
    assertTrue(Files.readString(out.resolve("model-card.json")).contains("goal-frame.bin"));
    CliRun table = goalFrame(tmp.resolve("gf-table"), "--frame", "TABLE");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().contains("goal-frame plan (TABLE axes) from 6"), table.out());
    try (Policy p =
        Policies.create(
            "bundle:" + out, RobotSpecs.mantisPlanar3(), 128, MonotonicClock.system())) {
      assertTrue(
          p instanceof mantis.model.embodiment.EmbodimentAdapter,
          "a bundle with a plan is served through the embodiment-neutral path: " + p);
    }
    CliRun none =
        CliRun.of(
            "policy",
            "goal-frame",
            "--init",
            "../models/policy/pretrained",
            "--out",
            tmp.resolve("x").toString(),
            "--video-episodes",
            "0");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--video-episodes must be >= 1"), none.err());
    CliRun k =
        CliRun.of(
            "policy",
            "goal-frame",
            "--init",
            "../models/policy/pretrained",
            "--out",
            tmp.resolve("y").toString(),
            "--neighbours",
            "0");
    assertEquals(2, k.code());
    assertTrue(k.err().contains("--neighbours must be >= 1"), k.err());
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
