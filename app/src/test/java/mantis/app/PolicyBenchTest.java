package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mantis.core.RobotSpecs;
import mantis.core.spi.PolicyRequest;
import mantis.latent.bench.LatentBenchResult;
import mantis.model.policy.ActionStats;
import mantis.model.policy.PolicyConfig;
import mantis.model.policy.PolicyLearner;
import mantis.model.text.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyBenchTest {
  @TempDir Path tmp;

  private static final PolicyBench.Settings SETTINGS =
      new PolicyBench.Settings(
          Path.of("b"),
          new PolicyRequest.Serving(1, 8, 2000),
          new int[] {1, 8},
          1,
          3,
          new int[] {1, 8},
          1.5,
          1024);

  /**
   * {@code count} round trips of {@code ms} milliseconds each, then one slow one of {@code tailMs}.
   */
  private static long[] latencies(int count, double ms, double tailMs) {
    long[] v = new long[count + 1];
    java.util.Arrays.fill(v, (long) (ms * 1e6));
    v[count] = (long) (tailMs * 1e6);
    return v;
  }

  private static PolicyBench.StreamRun run(int streams, long[] rtt, double seconds) {
    return new PolicyBench.StreamRun(
        streams,
        rtt,
        0,
        seconds,
        1.5,
        Map.of(
            "decode",
            new long[] {100_000},
            "policy",
            new long[] {4_000_000, 5_000_000, 6_000_000},
            PolicyBench.OUTSIDE,
            new long[] {700_000}));
  }

  @Test
  void rowsMarkEachGoalMetOrMissedFromTheFigures() {
    // One stream: 199 calls at 5 ms and one at 50 ms -> p50 5, p99 5 (nearest rank 198 of 200):
    // met.
    PolicyBench.StreamRun one = run(1, latencies(199, 5, 50), 1.0);
    // Eight streams: 300 calls in 2 s = 150/s: missed.
    PolicyBench.StreamRun eight = run(8, latencies(299, 40, 40), 2.0);
    List<PolicyBench.ForwardRun> forward =
        List.of(new PolicyBench.ForwardRun(1, 10, 2.0), new PolicyBench.ForwardRun(8, 10, 4.0));
    // 1 MFLOP per example: batch 8 at 4 ms = 2000 examples/s = 2 GFLOP/s = 40% of a 5 GFLOP/s peak.
    List<String[]> rows =
        PolicyBench.rows(
            SETTINGS,
            List.of(one, eight),
            forward,
            1_000_000,
            new LatentBenchResult.MatmulPeak(1024, 7, 5.0),
            "1");
    assertEquals(6, rows.size());
    assertEquals("p50 <= 10 ms, p99 <= 20 ms: met", rows.get(0)[2]);
    assertTrue(
        rows.get(0)[0].contains("1 stream,") && rows.get(0)[0].contains("batch <= 8, wait 2000 us"),
        rows.get(0)[0]);
    assertEquals("p50 5.00 ms, p99 5.00 ms; 200 predictions/s; mean batch 1.50", rows.get(0)[1]);
    assertEquals("decode 0.10, policy 5.00, outside server 0.70", rows.get(1)[1]);
    assertEquals(">= 200 predictions/s: MISSED", rows.get(2)[2]);
    assertTrue(rows.get(2)[1].contains("150 predictions/s"), rows.get(2)[1]);
    assertEquals("", rows.get(3)[2], "no peak goal for a batch of one");
    assertEquals("4.00 ms/batch, 2000 examples/s, 2.00 GFLOP/s = 40.0% of peak", rows.get(4)[1]);
    assertEquals(">= 30% of peak: met", rows.get(4)[2]);
    assertEquals("5.00 GFLOP/s; model 1.00 MFLOP per example; PyTorch threads 1", rows.get(5)[1]);
  }

  @Test
  void aSlowTailMissesTheOneStreamGoalAndFailedCallsAreShown() {
    long[] rtt = latencies(50, 5, 30); // 51 calls: p99 is the slowest
    PolicyBench.StreamRun one = new PolicyBench.StreamRun(1, rtt, 3, 1.0, 1.0, Map.of());
    List<String[]> rows =
        PolicyBench.rows(
            SETTINGS, List.of(one), List.of(), 1, new LatentBenchResult.MatmulPeak(8, 5, 1), "1");
    assertEquals("p50 <= 10 ms, p99 <= 20 ms: MISSED", rows.get(0)[2]);
    assertTrue(rows.get(0)[1].endsWith("; 3 FAILED calls"), rows.get(0)[1]);
    assertEquals(2, rows.size(), "no forward rows and no peak row without forward measures");
  }

  /**
   * An untrained bundle of a small network at 128 px input: the speed does not depend on the
   * weights.
   */
  private Path tinyBundle() throws IOException {
    PolicyConfig c = new PolicyConfig(128, 8, 16, 32, 8, 12, 12, 4, 8, 8, 8, 100, 3, 0);
    Vocabulary.Builder words = Vocabulary.builder();
    for (String w :
        List.of(
            "push", "reach", "pick", "the", "red", "green", "blue", "yellow", "block", "to", "left",
            "right", "front", "back", "of", "cube", "ball")) {
      words.add(w);
    }
    Path dir = tmp.resolve("bundle");
    try (PolicyLearner l = PolicyLearner.create(c, words.build())) {
      l.setActionStats(ActionStats.unit(c.chunkLength(), c.joints()));
      l.saveBundle(dir, RobotSpecs.mantisPlanar3(), "cd".repeat(32), Map.of());
    }
    return dir;
  }

  @Test
  void theBenchPolicyPartServesATinyBundleAndWritesItsRows() throws Exception {
    Path bundle = tinyBundle();
    Path page = tmp.resolve("BENCH.md");
    CliRun r =
        CliRun.of(
            "bench",
            "--skip",
            "sim,grpc,marks,coldstart",
            "--bundle",
            bundle.toString(),
            "--policy-streams",
            "1,2",
            "--policy-warmup-seconds",
            "0.2",
            "--policy-seconds",
            "0.5",
            "--forward-batches",
            "1,4",
            "--forward-seconds",
            "0",
            "--matmul",
            "64",
            "--markdown",
            page.toString());
    assertEquals(0, r.code(), r.err());
    String out = r.out();
    assertTrue(
        out.contains(
            "Predict, learned policy, 1 stream, loopback TCP, 128x128 raw (1 worker(s), batch <= 8, "
                + "wait 2000 us)"),
        out);
    assertTrue(out.contains("Predict, learned policy, 2 streams"), out);
    assertTrue(
        out.matches(
            "(?s).*server stages at 1 stream, p50 \\(ms\\) *\\| decode [0-9.]+, marks [0-9.]+, "
                + "policy [0-9.]+, policy.forward [0-9.]+, safety [0-9.]+, total [0-9.]+, outside server -?[0-9.]+ .*"),
        out);
    assertTrue(out.contains("policy forward only (features + network + decode), batch 4"), out);
    assertTrue(out.contains("fp32 matmul 64^3 peak, same process"), out);
    assertTrue(!out.contains("FAILED"), out);
    assertTrue(
        !out.contains("4 streams") && !out.contains("batch 32"),
        "given lists replace the defaults: " + out);
    String md = Files.readString(page);
    assertTrue(md.contains("The learned policy part serves the bundle " + bundle), md);
    assertTrue(md.contains("| Predict, learned policy, 2 streams"), md);
  }

  @Test
  void aMissingBundleOrABadNumberIsRefusedBeforeAnythingRuns() {
    CliRun missing =
        CliRun.of(
            "bench",
            "--skip",
            "sim,grpc,marks,coldstart",
            "--bundle",
            tmp.resolve("none").toString());
    assertEquals(2, missing.code());
    assertTrue(
        missing.err().contains("is not a policy bundle (no model-card.json there)"), missing.err());
    CliRun streams =
        CliRun.of("bench", "--skip", "sim,grpc,marks,coldstart", "--policy-streams", "0");
    assertEquals(2, streams.code());
    assertTrue(
        streams.err().contains("--policy-streams must be numbers in [1, 256]"), streams.err());
  }
}
