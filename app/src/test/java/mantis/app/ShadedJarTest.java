package mantis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable {@code target/mantis.jar} (maven-shade, the {@code package} phase) carries every
 * module's registry entries, so policies and robots are found from the jar as from the class path.
 * Tagged slow: it runs in {@code verify}, after {@code package}.
 */
@Tag("slow")
class ShadedJarTest {
  private static final Path JAR = Path.of("target", "mantis.jar");

  @TempDir Path dir;

  private static Path jar() {
    if (!Files.isRegularFile(JAR)) {
      fail(JAR.toAbsolutePath() + " is missing: this test runs after `package` (mvn verify)");
    }
    return JAR;
  }

  @Test
  void theJarListsEveryPolicyAndRobotProviderOfEveryModule() throws IOException {
    try (ZipFile zip = new ZipFile(jar().toFile())) {
      String policies = entry(zip, "META-INF/services/mantis.core.spi.PolicyProvider");
      for (String provider :
          List.of(
              "mantis.model.serve.DefaultModelPolicyProvider",
              "mantis.model.serve.BundlePolicyProvider",
              "mantis.baseline.VisualServoPolicyProvider",
              "mantis.server.policy.HoldPolicyProvider",
              "mantis.server.policy.RandomPolicyProvider")) {
        assertTrue(policies.contains(provider), provider + " missing from:\n" + policies);
      }
      String robots = entry(zip, "META-INF/services/mantis.core.spi.RobotProvider");
      assertTrue(robots.contains("mantis.core.Planar3RobotProvider"), robots);
    }
  }

  @Test
  void anUnknownPolicyIsRefusedFromTheJarWithTheRegistrysNames() throws Exception {
    Process p =
        run(
            "serve",
            "--policy",
            "telepathy",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "-1");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve exits");
    String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), err);
    assertTrue(
        err.contains("telepathy")
            && err.contains("bundle:DIR")
            && err.contains("hold")
            && err.contains("mantis")
            && err.contains("no-op")
            && err.contains("random")
            && err.contains("visual-servo"),
        err);
  }

  @Test
  void aPolicyFromAnotherModuleServesFromTheJar() throws Exception {
    Process p =
        run(
            "serve",
            "--policy",
            "visual-servo",
            "--port",
            "0",
            "--metrics-port",
            "-1",
            "--dashboard-port",
            "-1");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      String out = "";
      while (System.nanoTime() < deadline && !out.contains("mantis: serving on port")) {
        if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
          break;
        }
        out = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
      }
      assertTrue(
          out.contains("mantis: serving on port"),
          out + Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Process run(String... args) throws IOException {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar().toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectOutput(dir.resolve("out").toFile())
        .redirectError(dir.resolve("err").toFile())
        .start();
  }

  private static String entry(ZipFile zip, String name) throws IOException {
    var e = zip.getEntry(name);
    if (e == null) {
      fail(name + " is not in " + JAR);
    }
    return new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
  }
}
