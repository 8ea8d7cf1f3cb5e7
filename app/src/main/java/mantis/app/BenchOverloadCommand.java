package mantis.app;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.FrameEncoding;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.MantisServer;
import mantis.server.config.MantisConfig;
import mantis.sim.ScriptedExpert;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mantis bench-overload}: the server under more Control streams than it can serve, and the
 * decode cost of huge frames (issue 13). A benchmark, not a test: it prints what happened.
 *
 * <p>Streams: for each count, that many clients, each on its own connection as its own robot, send
 * observations (128x128 raw renders of sim scenes) at a fixed rate whatever comes back, as a
 * camera-driven robot does, for the measured seconds, then wait for the last answers. On the
 * client's clock, a chunk is <em>stale</em> when it is not a hold and arrives after the
 * observation's send time plus its {@code valid_for_nanos} (the wire contract's deadline). Per
 * count: observations sent, chunks answered, motions delivered, stale motions delivered, holds by
 * reason, streams refused, latency (send to arrival) of every answer.
 *
 * <p>Decode: one request with eight valid 4096x4096 PNGs (the request), and one with a
 * single such PNG; per request the status, the wall time, and the server process's CPU time and
 * resident memory (from {@code /proc}) before and after. Against a server in another process give
 * its pid ({@code --server-pid}).
 */
@Command(
    name = "bench-overload",
    mixinStandardHelpOptions = true,
    description =
        "Overload benchmark: 1/8/32/64 Control streams at a fixed rate against the served policy over "
            + "loopback TCP (stale chunks delivered, holds, refusals, latency), and the CPU and memory cost of requests "
            + "with 4096x4096 PNG frames. Prints tables.")
final class BenchOverloadCommand implements Callable<Integer> {
  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      description =
          "A running server to measure (default: start one in this process on a free loopback port).")
  String target;

  @Option(
      names = "--server-pid",
      description =
          "The measured server's process id, for its CPU time and memory "
              + "(default: this process when the server runs here).")
  Long serverPid;

  @Option(
      names = "--policy",
      defaultValue = "mantis",
      description = "Policy of the server started here (default " + "${DEFAULT-VALUE}).")
  String policy;

  @Option(
      names = "--config",
      paramLabel = "YAML",
      description = "Configuration of the server started here.")
  Path config;

  @Option(
      names = "--streams",
      split = ",",
      defaultValue = "1,8,32,64",
      description = "Numbers of concurrent Control streams (default ${DEFAULT-VALUE}).")
  int[] streams;

  @Option(
      names = "--rate-hz",
      defaultValue = "10",
      description = "Observations per second per stream (default " + "${DEFAULT-VALUE}).")
  double rateHz;

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description = "Sending time per stream count (default " + "${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--decode-frames",
      split = ",",
      defaultValue = "8,1",
      description =
          "Frames of 4096x4096 PNG per measured request, one request each (default ${DEFAULT-VALUE}).")
  int[] decodeFrames;

  @Option(names = "--skip", split = ",", description = "Parts to skip: streams, decode.")
  List<String> skip = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (rateHz <= 0 || seconds <= 0) {
      System.err.println("mantis bench-overload: --rate-hz and --seconds must be > 0");
      return 2;
    }
    MantisServer local = null;
    String host;
    int port;
    try {
      if (target == null) {
        MantisConfig cfg = config == null ? MantisConfig.defaults() : MantisConfig.load(config);
        cfg = cfg.withPolicy(policy).withHost("127.0.0.1").withPort(0).withMetricsPort(-1);
        local = ServerFactory.build(cfg, null);
        local.start();
        if (!local.awaitServing(120, TimeUnit.SECONDS)) {
          System.err.println("mantis bench-overload: the server did not warm up");
          return 2;
        }
        host = "127.0.0.1";
        port = local.port();
        if (serverPid == null) {
          serverPid = ProcessHandle.current().pid();
        }
      } else {
        int colon = target.lastIndexOf(':');
        if (colon < 0) {
          System.err.println("mantis bench-overload: --target must be HOST:PORT, got " + target);
          return 2;
        }
        host = target.substring(0, colon);
        port = Integer.parseInt(target.substring(colon + 1));
      }
      String machine =
          String.format(
              Locale.ROOT,
              "Java %s, %d available processors, %s %s",
              System.getProperty("java.version"),
              Runtime.getRuntime().availableProcessors(),
              System.getProperty("os.name"),
              System.getProperty("os.arch"));
      System.out.println(
          "mantis bench-overload ("
              + java.time.LocalDate.now()
              + "; "
              + machine
              + "; server "
              + (target == null ? "in this process, policy " + policy : target)
              + ")");
      if (!skip.contains("streams")) {
        streams(host, port);
      }
      if (!skip.contains("decode")) {
        decode(host, port);
      }
      return 0;
    } finally {
      if (local != null) {
        local.close();
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // streams

  /** What the clients of one stream count saw. */
  private static final class Tally {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong answers = new AtomicLong();
    final AtomicLong motions = new AtomicLong();
    final AtomicLong stale = new AtomicLong();
    final AtomicLong unsolicited = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final Map<String, AtomicLong> heldBy = new ConcurrentHashMap<>();
    final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
  }

  private void streams(String host, int port) throws Exception {
    List<Observation> scenes = scenes();
    long periodNanos = (long) (1e9 / rateHz);
    List<String[]> rows = new ArrayList<>();
    System.err.println("bench-overload: warm-up, 4 streams for 3 s (not measured)...");
    run(host, port, 4, periodNanos, scenes, 3);
    Thread.sleep(1000);
    for (int n : streams) {
      System.err.printf(
          Locale.ROOT,
          "bench-overload: %d stream(s) at %.1f Hz for %.0f s...%n",
          n,
          rateHz,
          seconds);
      Tally t = run(host, port, n, periodNanos, scenes, seconds);
      long[] lat = t.latencies.stream().mapToLong(Long::longValue).toArray();
      StringBuilder held = new StringBuilder();
      new TreeMap<>(t.heldBy)
          .forEach(
              (k, v) ->
                  held.append(held.length() == 0 ? "" : ", ")
                      .append(k)
                      .append(' ')
                      .append(v.get()));
      rows.add(
          new String[] {
            String.valueOf(n),
            String.valueOf(t.sent.get()),
            String.valueOf(t.answers.get()),
            String.valueOf(t.motions.get()),
            String.valueOf(t.stale.get()),
            held.length() == 0 ? "0" : held.toString(),
            String.valueOf(t.refused.get()),
            lat.length == 0
                ? "-"
                : String.format(
                    Locale.ROOT,
                    "%.1f / %.1f",
                    Stats.percentile(lat, 50) / 1e6,
                    Stats.percentile(lat, 99) / 1e6),
            String.valueOf(t.sent.get() - t.answers.get() + t.failed.get())
          });
      Thread.sleep(1000); // let the server settle between counts
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Control streams at %.1f Hz each for %.0f s (128x128 raw frames), one connection "
            + "per stream; stale = a motion chunk (not a hold) that arrived after send time + valid_for_nanos%n",
        rateHz,
        seconds);
    System.out.print(
        table(
            new String[] {
              "streams",
              "sent",
              "answered",
              "motions",
              "stale delivered",
              "holds (reason count)",
              "streams refused",
              "latency p50 / p99 ms",
              "unanswered"
            },
            rows));
  }

  /**
   * {@code n} clients, connected first, sending at {@code periodNanos} for {@code seconds}; then
   * waits for the answers.
   */
  private static Tally run(
      String host, int port, int n, long periodNanos, List<Observation> scenes, double seconds)
      throws Exception {
    Tally t = new Tally();
    List<ManagedChannel> channels = new ArrayList<>();
    List<StreamObserver<Observation>> inputs = new ArrayList<>();
    List<Map<Long, Long>> sendTimes = new ArrayList<>();
    CountDownLatch ended = new CountDownLatch(n);
    java.util.concurrent.atomic.AtomicIntegerArray open =
        new java.util.concurrent.atomic.AtomicIntegerArray(n);
    try {
      for (int k = 0; k < n; k++) {
        ManagedChannel ch =
            NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        channels.add(ch);
        Map<Long, Long> sends = new ConcurrentHashMap<>();
        sendTimes.add(sends);
        int id = k;
        inputs.add(
            PolicyServiceGrpc.newStub(ch)
                .control(
                    new StreamObserver<>() {
                      @Override
                      public void onNext(ActionChunk c) {
                        long arrived = System.nanoTime();
                        if (c.getSource() != mantis.proto.v1.ChunkSource.CHUNK_SOURCE_REPLY) {
                          t.unsolicited.incrementAndGet();
                          t.heldBy
                              .computeIfAbsent(
                                  c.getSource().name().replace("CHUNK_SOURCE_", "")
                                      + " (unsolicited)",
                                  x -> new AtomicLong())
                              .incrementAndGet();
                          return;
                        }
                        Long sent = sends.remove(c.getStep());
                        if (sent == null) {
                          return;
                        }
                        t.answers.incrementAndGet();
                        t.latencies.add(arrived - sent);
                        if (c.getHeld()) {
                          String why =
                              c.getInterventionsCount() == 0
                                  ? "HELD"
                                  : c.getInterventions(0).getKind();
                          t.heldBy.computeIfAbsent(why, x -> new AtomicLong()).incrementAndGet();
                        } else {
                          t.motions.incrementAndGet();
                          if (arrived > sent + c.getValidForNanos()) {
                            t.stale.incrementAndGet();
                          }
                        }
                      }

                      @Override
                      public void onError(Throwable e) {
                        Status s = Status.fromThrowable(e);
                        if (s.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                          t.refused.incrementAndGet();
                        } else {
                          t.failed.incrementAndGet();
                          System.err.println("bench-overload: stream " + id + " ended: " + s);
                        }
                        open.set(id, 0);
                        ended.countDown();
                      }

                      @Override
                      public void onCompleted() {
                        ended.countDown();
                      }
                    }));
        open.set(k, 1);
      }
      // A robot's client is connected long before it streams: do not count connection set-up.
      long connectBy = System.nanoTime() + 10_000_000_000L;
      for (ManagedChannel ch : channels) {
        while (ch.getState(true) != io.grpc.ConnectivityState.READY
            && System.nanoTime() < connectBy) {
          Thread.sleep(5);
        }
      }
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      int periodMs = (int) Math.max(1, Math.round(periodNanos / 1e6));
      for (long step = 0; ; step++) {
        long due = start + step * periodNanos;
        if (due >= end) {
          break;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        for (int k = 0; k < n; k++) {
          if (open.get(k) == 0) {
            continue;
          }
          long now = System.nanoTime();
          Observation o =
              scenes.get((int) ((k * 7 + step) % scenes.size())).toBuilder()
                  .setRobotId("overload-" + k)
                  .setEpisodeId("overload-" + k)
                  .setStep(step)
                  .setSendTimeNanos(now)
                  .setControlPeriodMs(periodMs)
                  .build();
          sendTimes.get(k).put(step, now);
          try {
            inputs.get(k).onNext(o);
            t.sent.incrementAndGet();
          } catch (RuntimeException e) {
            sendTimes.get(k).remove(step);
            open.set(k, 0);
          }
        }
      }
      // The last answers: wait until every stream's pending observations are answered, at most 30
      // s.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline && sendTimes.stream().anyMatch(m -> !m.isEmpty())) {
        boolean anyOpen = false;
        for (int k = 0; k < n; k++) {
          anyOpen |= open.get(k) == 1 && !sendTimes.get(k).isEmpty();
        }
        if (!anyOpen) {
          break;
        }
        Thread.sleep(20);
      }
      for (int k = 0; k < n; k++) {
        if (open.get(k) == 1) {
          try {
            inputs.get(k).onCompleted();
          } catch (RuntimeException e) {
            // already ended
          }
        }
      }
      ended.await(10, TimeUnit.SECONDS);
      return t;
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow();
      }
      for (ManagedChannel c : channels) {
        c.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** 16 mid-episode sim scenes, 128x128 raw, with instruction and joint state. */
  private static List<Observation> scenes() {
    TabletopSim sim = TabletopSim.create(SimConfig.builder().optDomainRandomization(true).build());
    ScriptedExpert expert = new ScriptedExpert();
    List<Observation> out = new ArrayList<>();
    for (long seed = 4000; seed < 4016; seed++) {
      sim.reset(seed, TaskFamily.values()[(int) (seed % TaskFamily.values().length)]);
      for (int i = 0; i < 10 + seed % 40 && !sim.done(); i++) {
        sim.step(expert.act(sim));
      }
      out.add(
          Observation.newBuilder()
              .addFrames(mantis.wire.ProtoMapping.toRawRgb8(sim.render(128, 128)))
              .setInstruction(sim.instruction())
              .setJointState(mantis.wire.ProtoMapping.toProto(sim.jointState()))
              .build());
    }
    return out;
  }

  // --------------------------------------------------------------------------------------------
  // decode

  private void decode(String host, int port) throws Exception {
    byte[] png = png4096();
    List<String[]> rows = new ArrayList<>();
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(host, port)
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    try {
      var stub = PolicyServiceGrpc.newBlockingStub(ch);
      for (int frames : decodeFrames) {
        Observation.Builder obs =
            scenes().get(0).toBuilder().clearFrames().setRobotId("decode").setEpisodeId("decode");
        for (int i = 0; i < frames; i++) {
          obs.addFrames(
              mantis.proto.v1.Frame.newBuilder()
                  .setEncoding(FrameEncoding.FRAME_ENCODING_PNG)
                  .setData(ByteString.copyFrom(png)));
        }
        Observation o = obs.build();
        System.err.printf(
            Locale.ROOT,
            "bench-overload: %d x 4096x4096 PNG (%d KB)...%n",
            frames,
            o.getSerializedSize() / 1024);
        long cpu0 = cpuNanos();
        long rss0 = rssKb();
        long t0 = System.nanoTime();
        String status;
        try {
          stub.withDeadlineAfter(120, TimeUnit.SECONDS).predict(o);
          status = "OK";
        } catch (io.grpc.StatusRuntimeException e) {
          status = e.getStatus().getCode().name();
        }
        long wall = System.nanoTime() - t0;
        long cpu1 = cpuNanos();
        long rss1 = rssKb();
        Thread.sleep(5000);
        long rss2 = rssKb();
        rows.add(
            new String[] {
              frames + " x 4096x4096 PNG, " + o.getSerializedSize() / 1024 + " KB",
              status,
              String.format(Locale.ROOT, "%.2f", wall / 1e9),
              cpu0 < 0 ? "-" : String.format(Locale.ROOT, "%.2f", (cpu1 - cpu0) / 1e9),
              rss0 < 0 ? "-" : String.format(Locale.ROOT, "%+d", (rss1 - rss0) / 1024),
              rss0 < 0 ? "-" : String.format(Locale.ROOT, "%+d", (rss2 - rss0) / 1024)
            });
      }
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.out.println();
    System.out.println(
        "Predict with 4096x4096 PNG frames; server process CPU time and resident memory (RSS) from "
            + "/proc"
            + (serverPid == null ? " (unknown pid: not measured)" : " (pid " + serverPid + ")")
            + "; RSS change right after the call and 5 s later");
    System.out.print(
        table(
            new String[] {
              "request",
              "status",
              "wall s",
              "server CPU s",
              "RSS change MB",
              "RSS change after 5 s MB"
            },
            rows));
  }

  /**
   * A valid 4096x4096 PNG of coloured blocks on a grey table, the kind of low-detail image that
   * compresses to tens of KB (the request was eight in 392 KB) yet decodes to 16.7 Mpx.
   */
  private static byte[] png4096() throws IOException {
    BufferedImage img = new BufferedImage(4096, 4096, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    int[][] blocks = {
      {600, 900, 500, 0x2050d0}, {2400, 1500, 700, 0xd03030}, {1200, 2800, 450, 0x30a040}
    };
    for (int y = 0; y < 4096; y++) {
      for (int x = 0; x < 4096; x++) {
        int rgb = 0x808078;
        for (int[] b : blocks) {
          if (x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[2]) {
            rgb = b[3];
          }
        }
        int d = (y * 4096 + x) * 3;
        bgr[d] = (byte) rgb;
        bgr[d + 1] = (byte) (rgb >> 8);
        bgr[d + 2] = (byte) (rgb >> 16);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  /** The server process's user + system CPU time from /proc, ns; -1 when unknown. */
  private long cpuNanos() {
    if (serverPid == null) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", serverPid.toString(), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 10_000_000L; // USER_HZ = 100 on Linux
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The server process's resident memory, KB; -1 when unknown. */
  private long rssKb() {
    if (serverPid == null) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", serverPid.toString(), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** A Markdown table, columns padded to their widest cell. */
  static String table(String[] header, List<String[]> rows) {
    int[] w = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      w[i] = header[i].length();
      for (String[] r : rows) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.add(null);
    all.addAll(rows);
    for (String[] r : all) {
      sb.append('|');
      for (int i = 0; i < w.length; i++) {
        sb.append(' ')
            .append(r == null ? "-".repeat(w[i]) : String.format("%-" + w[i] + "s", r[i]))
            .append(" |");
      }
      sb.append(System.lineSeparator());
    }
    return sb.toString();
  }
}
