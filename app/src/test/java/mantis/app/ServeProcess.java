package mantis.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code mantis serve} in a child JVM on this test classpath, stopped (SIGTERM) on close. */
final class ServeProcess implements AutoCloseable {
  private static final Pattern SERVING = Pattern.compile("mantis: serving on port (\\d+)");

  final Process process;
  final Path out;
  final Path err;
  final int port;

  private ServeProcess(Process process, Path out, Path err, int port) {
    this.process = process;
    this.out = out;
    this.err = err;
    this.port = port;
  }

  /** The command line of {@code mantis ARGS} in a new JVM. */
  static List<String> command(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                MantisCommand.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Starts {@code mantis serve ARGS} and waits until it prints its port; if it exits first, returns
   * it with port -1 (see {@link #exitCode()}).
   */
  static ServeProcess start(Path dir, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("serve"));
    all.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "serve", ".out");
    Path err = Files.createTempFile(dir, "serve", ".err");
    Process p =
        new ProcessBuilder(command(all.toArray(String[]::new)))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      Matcher m = SERVING.matcher(Files.readString(out, StandardCharsets.UTF_8));
      if (m.find()) {
        return new ServeProcess(p, out, err, Integer.parseInt(m.group(1)));
      }
      if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
        return new ServeProcess(p, out, err, -1);
      }
    }
    p.destroyForcibly();
    throw new AssertionError(
        "mantis serve did not start in 90 s:\n" + Files.readString(err, StandardCharsets.UTF_8));
  }

  String stderr() throws IOException {
    return Files.readString(err, StandardCharsets.UTF_8);
  }

  String stdout() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** Waits for the process to exit (up to 30 s) and returns its exit code. */
  int exitCode() throws InterruptedException {
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("mantis serve is still running");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
