package mantis.teleop.dashboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import mantis.security.Principal;
import mantis.teleop.Agreement;
import mantis.teleop.CommandSample;
import mantis.teleop.ControlMode;
import mantis.teleop.RecordingInfo;
import mantis.teleop.Teleop;
import mantis.teleop.TeleopState;

/**
 * A small in-memory {@link Teleop} for the HTTP-level tests: three joints that integrate jog
 * velocities on every {@link #state()} call, a frame counter, and recordings kept in memory. {@link
 * #calls} lists what reached it, {@link #callers} who did each ({@code name role}).
 */
final class FakeTeleop implements Teleop {
  private final List<String> joints = List.of("shoulder", "elbow", "wrist");
  private final double[] pos = new double[3];
  private double[] vel = new double[3];
  private long jogUntilNanos;
  private long lastNanos = System.nanoTime();
  private final long startNanos = System.nanoTime();
  private final AtomicLong frames = new AtomicLong();
  private ControlMode mode = ControlMode.TELEOP;
  private boolean estopped;
  private String recording = "";
  private static final List<String> TASKS = List.of("REACH", "PUSH_DIRECTION", "PUSH_TO_TARGET");

  private String family = "REACH";
  private long seed = 1;
  private long samples;
  private final List<RecordingInfo> recordings = new ArrayList<>();
  final List<String> calls = new ArrayList<>();
  final List<String> callers = new ArrayList<>();

  private void by(Principal p) {
    callers.add(p.name() + " " + p.role().configName());
  }

  @Override
  public synchronized TeleopState state() {
    long now = System.nanoTime();
    long until = Math.min(now, jogUntilNanos);
    if (until > lastNanos && mode == ControlMode.TELEOP && !estopped) {
      double dt = (until - lastNanos) / 1e9;
      for (int j = 0; j < 3; j++) {
        pos[j] += vel[j] * dt;
      }
    }
    lastNanos = now;
    List<Double> p = List.of(pos[0], pos[1], pos[2]);
    Agreement a =
        samples == 0
            ? Agreement.empty()
            : new Agreement(samples, List.of(0.01, 0.02, 0.03), 75.0, Double.NaN);
    long ms = (now - startNanos) / 1_000_000;
    return new TeleopState(
        frames.incrementAndGet(),
        "reach the red block",
        family,
        seed,
        ms,
        false,
        false,
        mode,
        estopped,
        estopped,
        !recording.isEmpty(),
        recording,
        joints,
        p,
        List.of(1, 2, 3, 4),
        0,
        Map.of("marks", 1.5, "policy", 3.0),
        0,
        List.of(new CommandSample(ms, p, p, p, mode)),
        a,
        a);
  }

  @Override
  public byte[] framePng() {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, (int) frames.get());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public synchronized boolean jog(List<Double> velocitiesRadPerS, long holdMillis, Principal p) {
    calls.add("jog " + velocitiesRadPerS + " " + holdMillis);
    by(p);
    if (mode != ControlMode.TELEOP || estopped) {
      return false;
    }
    state();
    vel = velocitiesRadPerS.stream().mapToDouble(Double::doubleValue).toArray();
    jogUntilNanos = System.nanoTime() + holdMillis * 1_000_000L;
    samples++;
    return true;
  }

  @Override
  public synchronized void setMode(ControlMode mode, Principal p) {
    calls.add("mode " + mode);
    by(p);
    this.mode = mode;
  }

  @Override
  public synchronized void estop(String reason, Principal p) {
    calls.add("estop " + reason);
    by(p);
    estopped = true;
  }

  @Override
  public synchronized void reset(Principal p) {
    calls.add("reset");
    by(p);
    estopped = false;
  }

  @Override
  public List<String> tasks() {
    return TASKS;
  }

  @Override
  public synchronized void newEpisode(String family, long seed, Principal p) {
    Teleop.requireTask(family, TASKS);
    calls.add("episode " + family + " " + seed);
    by(p);
    this.family = family;
    this.seed = seed;
  }

  @Override
  public synchronized String startRecording(Principal p) {
    by(p);
    recording = "rec-" + (recordings.size() + 1);
    return recording;
  }

  @Override
  public synchronized RecordingInfo stopRecording(Principal p) {
    by(p);
    if (recording.isEmpty()) {
      throw new IllegalStateException("no recording in progress");
    }
    RecordingInfo info = new RecordingInfo(recording, 12, "reach the red block", false, 3);
    recordings.add(0, info);
    recording = "";
    return info;
  }

  @Override
  public synchronized List<RecordingInfo> recordings() {
    return List.copyOf(recordings);
  }

  @Override
  public void writeRecordingZip(String name, OutputStream out) throws IOException {
    if (recordings().stream().noneMatch(r -> r.name().equals(name))) {
      throw new NoSuchElementException(name);
    }
    ZipOutputStream zip = new ZipOutputStream(out);
    zip.putNextEntry(new ZipEntry(name + "/episode.json"));
    zip.write("{}".getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
    zip.finish();
  }

  @Override
  public void close() {}
}
