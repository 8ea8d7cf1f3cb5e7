package mantis.learn.eval;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mantis.core.Frame;
import mantis.core.Mark;
import mantis.core.MonotonicClock;
import mantis.core.RobotSpecs;
import mantis.marks.MarkProposer;
import mantis.marks.MarkRenderer;
import mantis.marks.RssProbe;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.MantisServer;
import mantis.server.policy.HoldPolicy;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;

/**
 * Set-of-Mark speed and native memory, as rows for {@code mantis bench}: single-threaded in-process
 * propose, propose + draw, propose + draw + PNG at 128x128 and 640x480 (OpenCV on one thread); the
 * Annotate round trip over loopback TCP with the PNG; and the process's resident set before and
 * after {@code rssCalls} propose + draw calls (after warm-up). Frames are 16 mid-episode sim frames
 * with domain randomisation (seeds 2000..2015), cycled.
 */
public final class MarksBenchmark {
  private MarksBenchmark() {}

  static List<Frame> frames(int w, int h) {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    ScriptedExpert expert = new ScriptedExpert();
    List<Frame> out = new ArrayList<>();
    for (long seed = 2000; seed < 2016; seed++) {
      sim.reset(seed, TaskFamily.values()[(int) (seed % 3)]);
      for (int i = 0; i < 40 + seed % 80 && !sim.done(); i++) {
        sim.step(expert.act(sim));
      }
      out.add(sim.render(w, h));
    }
    return out;
  }

  /**
   * Runs the benchmark.
   *
   * @param calls measured calls per in-process case (after as many warm-up calls)
   * @param rpcCalls measured Annotate calls per size
   * @param rssCalls propose + draw calls between the two RSS readings (0 skips the RSS row)
   * @param log progress lines
   * @return rows {benchmark, result, goal}
   */
  public static List<String[]> run(int calls, int rpcCalls, int rssCalls, Consumer<String> log)
      throws Exception {
    MarkProposer proposer = MarkProposer.defaults();
    MarkRenderer renderer = new MarkRenderer();
    List<String[]> rows = new ArrayList<>();
    int[][] sizes = {{128, 128}, {640, 480}};
    for (int[] size : sizes) {
      String name = size[0] + "x" + size[1];
      String goal = size[0] == 128 ? "p50 <= 2 ms" : "p50 <= 10 ms";
      List<Frame> frames = frames(size[0], size[1]);
      log.accept("marks: in-process " + name);
      long[] propose = time(frames, calls, f -> proposer.propose(f));
      long[] draw = time(frames, calls, f -> renderer.draw(f, proposer.propose(f), List.of()));
      long[] png =
          time(frames, calls, f -> renderer.png(renderer.draw(f, proposer.propose(f), List.of())));
      rows.add(new String[] {"SoM propose, " + name + ", one thread, in-process", ms(propose), ""});
      rows.add(
          new String[] {
            "SoM propose + draw, " + name + ", one thread, in-process", ms(draw), goal
          });
      rows.add(new String[] {"  propose + draw + PNG encode, " + name, ms(png), ""});
      log.accept("marks: Annotate round trip " + name);
      rows.add(
          new String[] {
            "Annotate round trip (marks + PNG), loopback TCP, " + name + " raw",
            ms(annotateRoundTrip(frames, rpcCalls)),
            ""
          });
    }
    if (rssCalls > 0) {
      List<Frame> frames = frames(128, 128);
      log.accept("marks: RSS over " + rssCalls + " propose + draw calls at 128x128");
      int[] k = {0};
      RssProbe.Result r =
          RssProbe.measure(
              Math.min(rssCalls, 5_000),
              rssCalls,
              () -> {
                Frame f = frames.get(k[0]++ % frames.size());
                List<Mark> marks = proposer.propose(f);
                renderer.draw(f, marks, List.of());
              });
      rows.add(
          new String[] {
            "RSS over " + rssCalls + " propose + draw calls (128x128, after warm-up)",
            String.format(
                Locale.ROOT,
                "%d -> %d MiB (%+d KiB)",
                r.rssBeforeKiB() / 1024,
                r.rssAfterKiB() / 1024,
                r.growthKiB()),
            "no growth"
          });
    }
    return rows;
  }

  private static long[] time(List<Frame> frames, int calls, Consumer<Frame> task) {
    for (int i = 0; i < calls; i++) {
      task.accept(frames.get(i % frames.size()));
    }
    long[] t = new long[calls];
    for (int i = 0; i < calls; i++) {
      Frame f = frames.get(i % frames.size());
      long t0 = System.nanoTime();
      task.accept(f);
      t[i] = System.nanoTime() - t0;
    }
    return t;
  }

  private static long[] annotateRoundTrip(List<Frame> frames, int calls) throws Exception {
    try (MantisServer server =
        MantisServer.builder()
            .setPolicy(HoldPolicy.create(RobotSpecs.mantisPlanar3(), MonotonicClock.system()))
            .setRobot(RobotSpecs.mantisPlanar3())
            .optHost("127.0.0.1")
            .optPort(0)
            .optMetricsPort(-1)
            .build()) {
      server.start();
      server.awaitServing(60, TimeUnit.SECONDS);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        var stub = PolicyServiceGrpc.newBlockingStub(channel);
        List<mantis.proto.v1.Observation> wire = new ArrayList<>();
        for (Frame f : frames) {
          wire.add(
              mantis.proto.v1.Observation.newBuilder()
                  .addFrames(
                      mantis.proto.v1.Frame.newBuilder()
                          .setEncoding(mantis.proto.v1.FrameEncoding.FRAME_ENCODING_RAW_RGB8)
                          .setWidthPx(f.widthPx())
                          .setHeightPx(f.heightPx())
                          .setData(ByteString.copyFrom(f.rgbUnsafe())))
                  .setAnnotateWithImage(true)
                  .build());
        }
        for (int i = 0; i < calls; i++) {
          stub.withDeadlineAfter(5, TimeUnit.SECONDS).annotate(wire.get(i % wire.size()));
        }
        long[] t = new long[calls];
        for (int i = 0; i < calls; i++) {
          long t0 = System.nanoTime();
          stub.withDeadlineAfter(5, TimeUnit.SECONDS).annotate(wire.get(i % wire.size()));
          t[i] = System.nanoTime() - t0;
        }
        return t;
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static String ms(long[] t) {
    long[] s = t.clone();
    Arrays.sort(s);
    return String.format(
        Locale.ROOT,
        "p50 %.3f ms, p99 %.3f ms",
        s[s.length / 2] / 1e6,
        s[Math.min(s.length - 1, (int) Math.ceil(0.99 * s.length) - 1)] / 1e6);
  }

  /** Prints the rows. Arguments: {@code [calls=2000] [rpcCalls=1000] [rssCalls=100000]}. */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rpc = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rss = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    for (String[] r : run(calls, rpc, rss, System.err::println)) {
      System.out.println(r[0] + " | " + r[1] + " | " + r[2]);
    }
  }
}
