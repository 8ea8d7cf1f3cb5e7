package mantis.app;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import mantis.ros.msg.Header;
import mantis.ros.msg.Image;
import mantis.ros.msg.JointState;
import mantis.ros.msg.RosMessages;
import mantis.ros.msg.RosTime;
import mantis.ros.node.PublisherOptions;
import mantis.ros.node.RosNode;
import mantis.ros.node.RosPublisher;
import mantis.ros.peers.RosCoreProcess;
import mantis.ros.peers.RosInstallation;
import mantis.ros.peers.RosProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mantis bench-ros}: publish → receive latency and drops of a Mantis {@link RosNode}
 * publisher against a rospy publisher, both received by the same rospy subscriber, in one run on a
 * roscore of its own.
 */
@Command(
    name = "bench-ros",
    mixinStandardHelpOptions = true,
    description =
        "ROS 1 benchmark, side by side in one run: a rospy publisher and a Mantis RosNode "
            + "publisher, each to the same rospy receiver (tcp_nodelay, large queue), of sensor_msgs/JointState "
            + "(6 joints) at 1 kHz and 640x480 rgb8 sensor_msgs/Image at 30 Hz. Latency is receive time "
            + "(time.time()) minus header.stamp (the publisher's wall clock just before publishing); drops are "
            + "messages sent but not received. Starts its own roscore; needs the Debian ROS packages.")
final class BenchRosCommand implements Callable<Integer> {
  static final String SCRIPT = "ros_bench.py";
  static final String[] HEADER = {
    "case", "publisher", "rate", "sent", "received", "drops", "p50 ms", "p99 ms", "max ms"
  };
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description = "Seconds per case and publisher (default ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "2",
      description =
          "Unmeasured seconds each publisher sends "
              + "first, on the same schedule (header.frame_id \"warmup\"; the receiver skips them) (default ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(
      names = "--joint-state-hz",
      defaultValue = "1000",
      description = "JointState rate (default ${DEFAULT-VALUE}).")
  double jointStateHz;

  @Option(
      names = "--image-hz",
      defaultValue = "30",
      description = "Image rate (default ${DEFAULT-VALUE}).")
  double imageHz;

  @Option(
      names = "--publishers",
      split = ",",
      defaultValue = "rospy,mantis",
      description =
          "Publishers to run, in this order per case: rospy, mantis (default ${DEFAULT-VALUE}).")
  List<String> publishers;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Also write the table as a Markdown page.")
  Path out;

  /** One measured case: what was published, how fast, by whom, and what the receiver saw. */
  record Row(
      String kind,
      String publisher,
      double rateHz,
      long sent,
      long received,
      long seqGaps,
      double p50Ms,
      double p99Ms,
      double maxMs,
      double lateMaxMs) {
    long drops() {
      return Math.max(0, sent - received);
    }

    String[] cells() {
      return new String[] {
        kind.equals("joint_state") ? "JointState, 6 joints" : "Image 640x480 rgb8",
        publisher.equals("mantis") ? "Mantis RosNode" : "rospy",
        fmt0(rateHz) + " Hz",
        Long.toString(sent),
        Long.toString(received),
        Long.toString(drops()),
        fmt(p50Ms),
        fmt(p99Ms),
        fmt(maxMs)
      };
    }
  }

  @Override
  public Integer call() throws Exception {
    if (!(seconds > 0) || !(jointStateHz > 0) || !(imageHz > 0) || !(warmupSeconds >= 0)) {
      System.err.println(
          "mantis bench-ros: --seconds and the rates must be positive, --warmup-seconds >= 0");
      return 2;
    }
    for (String p : publishers) {
      if (!p.equals("rospy") && !p.equals("mantis")) {
        System.err.println(
            "mantis bench-ros: --publishers takes rospy and/or mantis, got '" + p + "'");
        return 2;
      }
    }
    RosInstallation ros = RosInstallation.detect();
    if (!ros.available()) {
      System.err.println(
          "mantis bench-ros: needs the ROS 1 tools; missing: " + String.join("; ", ros.missing()));
      return 2;
    }
    List<Row> rows = run(ros, System.err);
    String table = table(rows);
    System.out.print(table);
    String notes = notes(rows);
    System.out.print(notes);
    if (out != null) {
      Files.writeString(
          out,
          "# ROS 1 benchmark (`mantis bench-ros`)\n\n" + setup() + "\n\n" + table + "\n" + notes,
          StandardCharsets.UTF_8);
    }
    return 0;
  }

  String setup() {
    return String.format(
        Locale.ROOT,
        "%s s per case and publisher after %s s of unmeasured warm-up; one rospy receiver (queue_size 100000, "
            + "tcp_nodelay, 16 MiB buffer) on a private roscore; publishers paced by absolute deadlines; "
            + "%d CPUs, %s %s, Java %s.",
        fmt0(seconds),
        fmt0(warmupSeconds),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"));
  }

  List<Row> run(RosInstallation ros, PrintStream log) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (RosCoreProcess core = RosCoreProcess.onFreePort(ros)) {
      core.start();
      Path dir = Files.createTempDirectory("mantis-bench-ros-");
      Path script = dir.resolve(SCRIPT);
      try (InputStream in = BenchRosCommand.class.getResourceAsStream(SCRIPT)) {
        if (in == null) {
          throw new IllegalStateException(SCRIPT + " is missing from the mantis jar");
        }
        Files.write(script, in.readAllBytes());
      }
      List<String> receiveArgs = new ArrayList<>(List.of("receive"));
      for (String kind : List.of("joint_state", "image")) {
        for (String p : publishers) {
          receiveArgs.add(topic(p, kind) + "=" + kind);
        }
      }
      RosNode node = null;
      try (RosProcess receiver =
          RosProcess.python(ros, core.environment(), script, receiveArgs.toArray(String[]::new))) {
        if (!receiver.awaitOutput("READY", Duration.ofSeconds(30))) {
          throw new IOException("the rospy receiver did not start:\n" + receiver.output());
        }
        if (publishers.contains("mantis")) {
          node =
              RosNode.builder()
                  .setName("mantis_bench_publisher")
                  .setMasterUri(core.uri())
                  .optHost("127.0.0.1")
                  .build();
          node.start();
        }
        OutputStream commands = receiver.process().getOutputStream();
        for (String kind : List.of("joint_state", "image")) {
          double rate = kind.equals("joint_state") ? jointStateHz : imageHz;
          for (String p : publishers) {
            log.printf(
                Locale.ROOT,
                "bench-ros: %s from %s at %s Hz for %s s%n",
                kind,
                p,
                fmt0(rate),
                fmt0(seconds));
            long[] sentAndLate =
                p.equals("rospy")
                    ? publishRospy(ros, core, script, topic(p, kind), kind, rate)
                    : publishMantis(node, topic(p, kind), kind, rate);
            Thread.sleep(1000); // in-flight messages arrive
            JsonNode s = stats(receiver, commands, topic(p, kind));
            rows.add(
                new Row(
                    kind,
                    p,
                    rate,
                    sentAndLate[0],
                    s.get("received").asLong(),
                    s.get("seq_gaps").asLong(),
                    s.get("p50_ms").asDouble(),
                    s.get("p99_ms").asDouble(),
                    s.get("max_ms").asDouble(),
                    sentAndLate[1] / 1e6));
          }
        }
        commands.write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
        commands.flush();
      } finally {
        if (node != null) {
          node.close();
        }
      }
    }
    return rows;
  }

  static String topic(String publisher, String kind) {
    return "/bench/" + publisher + "/" + kind;
  }

  /** Runs the rospy publisher to completion; returns {sent, max lateness ns}. */
  private long[] publishRospy(
      RosInstallation ros, RosCoreProcess core, Path script, String topic, String kind, double rate)
      throws IOException {
    try (RosProcess pub =
        RosProcess.python(
            ros,
            core.environment(),
            script,
            "publish",
            topic,
            kind,
            Double.toString(rate),
            Double.toString(seconds),
            Double.toString(warmupSeconds))) {
      int code = pub.waitFor(Duration.ofSeconds(Math.round(seconds) + 60));
      String output = pub.output();
      for (String line : output.split("\n")) {
        if (line.startsWith("SENT ")) {
          String[] w = line.trim().split(" ");
          return new long[] {Long.parseLong(w[1]), Math.round(Double.parseDouble(w[2]) * 1e6)};
        }
      }
      throw new IOException(
          "the rospy publisher exited with " + code + " without a SENT line:\n" + output);
    }
  }

  /**
   * Publishes from the Mantis node: waits for the receiver's connection, then sends rate x (warm-up
   * + measured) seconds messages by absolute deadlines (parks until 2 ms before each, then spins),
   * each stamped with the wall clock just before publishing. Returns {sent, max lateness ns}.
   */
  private long[] publishMantis(RosNode node, String topic, String kind, double rate)
      throws Exception {
    long n = Math.round(rate * seconds);
    long warm = Math.round(rate * warmupSeconds);
    boolean joints = kind.equals("joint_state");
    try (RosPublisher<?> pub =
        joints
            ? node.advertise(topic, RosMessages.JOINT_STATE, new PublisherOptions(false, 1000))
            : node.advertise(topic, RosMessages.IMAGE, new PublisherOptions(false, 10))) {
      long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (pub.subscriberCount() < 1) {
        if (System.nanoTime() > waitUntil) {
          throw new IOException("the rospy receiver did not connect to " + topic + " within 30 s");
        }
        Thread.sleep(10);
      }
      Thread.sleep(500); // let the connection settle before the clock starts
      List<String> names =
          List.of("joint_1", "joint_2", "joint_3", "joint_4", "joint_5", "joint_6");
      List<Double> zeros = List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
      byte[] pixels = new byte[640 * 480 * 3];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) (i * 7);
      }
      long period = Math.round(1e9 / rate);
      long t0 = System.nanoTime() + 1_000_000;
      long lateMax = 0;
      for (long i = 0; i < warm + n; i++) {
        long due = t0 + i * period;
        long left;
        while ((left = due - System.nanoTime()) > 0) {
          if (left > 2_000_000) {
            LockSupport.parkNanos(left - 2_000_000);
          } else {
            Thread.onSpinWait();
          }
        }
        boolean measured = i >= warm;
        if (measured) {
          lateMax = Math.max(lateMax, System.nanoTime() - due);
        }
        long seq = measured ? i - warm : i;
        if (joints) {
          double q = 0.001 * i;
          Header h = new Header(seq & 0xFFFF_FFFFL, wallNow(), measured ? "base_link" : "warmup");
          publish(pub, new JointState(h, names, List.of(q, q, q, q, q, q), zeros, List.of()));
        } else {
          Header h = new Header(seq & 0xFFFF_FFFFL, wallNow(), measured ? "camera" : "warmup");
          publish(
              pub, Image.wrap(h, 480, 640, "rgb8", 0, 640 * 3, pixels)); // never modified: no copy
        }
      }
      return new long[] {n, lateMax};
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void publish(RosPublisher<T> pub, Object message) {
    pub.publish((T) message);
  }

  private static RosTime wallNow() {
    Instant now = Instant.now();
    return new RosTime(now.getEpochSecond(), now.getNano());
  }

  private static JsonNode stats(RosProcess receiver, OutputStream commands, String topic)
      throws IOException {
    commands.write(("STATS " + topic + "\n").getBytes(StandardCharsets.US_ASCII));
    commands.flush();
    String prefix = "STATS " + topic + " ";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : receiver.output().split("\n")) {
        if (line.startsWith(prefix)) {
          return JSON.readTree(line.substring(prefix.length()));
        }
      }
      if (!receiver.isAlive()) {
        break;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException(
        "the rospy receiver gave no stats for " + topic + ":\n" + receiver.output());
  }

  /** The Markdown table, columns as wide as their widest cell. */
  static String table(List<Row> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(HEADER);
    rows.forEach(r -> cells.add(r.cells()));
    int[] width = new int[HEADER.length];
    for (String[] r : cells) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int row = 0; row < cells.size(); row++) {
      sb.append('|');
      for (int i = 0; i < width.length; i++) {
        String c = cells.get(row)[i];
        sb.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
      }
      sb.append('\n');
      if (row == 0) {
        sb.append('|');
        for (int w : width) {
          sb.append("-".repeat(w + 2)).append('|');
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  static String notes(List<Row> rows) {
    StringBuilder sb =
        new StringBuilder(
            "\nPacing (latest send after its deadline) and sequence gaps seen by the receiver:\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "- %s, %s: pacing max late %.2f ms, seq gaps %d%n",
              r.cells()[0],
              r.cells()[1],
              r.lateMaxMs(),
              r.seqGaps()));
    }
    return sb.toString();
  }

  private static String fmt(double ms) {
    return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.3f", ms);
  }

  private static String fmt0(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
