package mantis.calibration.kinematics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FK of every test URDF against Orocos KDL (Debian python3-pykdl): a Python script parses the same
 * URDF files itself and builds the KDL chains the way kdl_parser does. Skipped when PyKDL is
 * missing, unless MANTIS_REQUIRE_ROS=1 (CI), where it fails.
 */
@Tag("ros")
class KdlCrossCheckTest {
  private static final int CONFIGS = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void forwardKinematicsEqualsKdlOnRandomConfigurationsOfEveryTestUrdf(@TempDir Path dir)
      throws Exception {
    String python = requirePyKdl();
    String[][] urdfs = {
      {"ur5e_like.urdf", "base_link", "tool0"},
      {"planar3.urdf", "world", "tip"},
      {"mixed.urdf", "base", "flange"}
    };
    List<SerialChain> chains = new ArrayList<>();
    Random rng = new Random(77);
    ObjectNode request = JSON.createObjectNode();
    ArrayNode chainNodes = request.putArray("chains");
    double[][][] configs = new double[urdfs.length][CONFIGS][];
    for (int c = 0; c < urdfs.length; c++) {
      SerialChain chain = TestChains.robot(urdfs[c][0]).serialChain(urdfs[c][1], urdfs[c][2]);
      chains.add(chain);
      Path file = dir.resolve(urdfs[c][0]);
      try (InputStream in = KdlCrossCheckTest.class.getResourceAsStream("/urdf/" + urdfs[c][0])) {
        Files.copy(in, file);
      }
      ObjectNode node = chainNodes.addObject();
      node.put("urdf", file.toString());
      node.put("base", urdfs[c][1]);
      node.put("tool", urdfs[c][2]);
      ArrayNode qs = node.putArray("configs");
      for (int k = 0; k < CONFIGS; k++) {
        double[] q = new double[chain.jointCount()];
        ArrayNode qn = qs.addArray();
        for (int i = 0; i < q.length; i++) {
          ChainJoint j = chain.joint(i);
          q[i] =
              j.bounded()
                  ? j.lower() + rng.nextDouble() * (j.upper() - j.lower())
                  : (rng.nextDouble() * 2 - 1) * 10;
          qn.add(q[i]);
        }
        configs[c][k] = q;
      }
    }
    JsonNode reply = runKdl(python, dir, request);
    double worstPositionM = 0;
    double worstAngleRad = 0;
    for (int c = 0; c < chains.size(); c++) {
      Kinematics k = Kinematics.serial(chains.get(c));
      JsonNode poses = reply.get("poses").get(c);
      assertEquals(CONFIGS, poses.size());
      for (int n = 0; n < CONFIGS; n++) {
        JsonNode m = poses.get(n);
        Pose kdl =
            Pose.fromRotation(
                m.get(9).asDouble(),
                m.get(10).asDouble(),
                m.get(11).asDouble(),
                m.get(0).asDouble(),
                m.get(1).asDouble(),
                m.get(2).asDouble(),
                m.get(3).asDouble(),
                m.get(4).asDouble(),
                m.get(5).asDouble(),
                m.get(6).asDouble(),
                m.get(7).asDouble(),
                m.get(8).asDouble());
        Pose ours = k.forward(configs[c][n]);
        worstPositionM = Math.max(worstPositionM, ours.positionDistanceM(kdl));
        worstAngleRad = Math.max(worstAngleRad, ours.angleToRad(kdl));
      }
    }
    assertTrue(worstPositionM <= 1e-9, "worst position difference to KDL " + worstPositionM);
    assertTrue(worstAngleRad <= 1e-9, "worst angle difference to KDL " + worstAngleRad);
  }

  private static JsonNode runKdl(String python, Path dir, ObjectNode request)
      throws IOException, InterruptedException {
    Path script = dir.resolve("kdl_fk.py");
    try (InputStream in = KdlCrossCheckTest.class.getResourceAsStream("/kdl_fk.py")) {
      Files.copy(in, script);
    }
    Path stderr = dir.resolve("stderr.txt");
    Process p =
        new ProcessBuilder(python, script.toString()).redirectError(stderr.toFile()).start();
    try (OutputStream os = p.getOutputStream()) {
      os.write(JSON.writeValueAsBytes(request));
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kdl_fk.py did not finish");
    assertEquals(
        0,
        p.exitValue(),
        () -> {
          try {
            return "kdl_fk.py failed: " + Files.readString(stderr);
          } catch (IOException e) {
            return "kdl_fk.py failed";
          }
        });
    return JSON.readTree(new String(out, StandardCharsets.UTF_8));
  }

  /** The first of /usr/bin/python3 and python3 (on the PATH) that can import PyKDL. */
  private static String requirePyKdl() throws InterruptedException {
    for (String python : List.of("/usr/bin/python3", "python3")) {
      try {
        Process p =
            new ProcessBuilder(python, "-c", "import PyKDL")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return python;
        }
      } catch (IOException e) {
        // not there: try the next one
      }
    }
    String why = "no python3 can import PyKDL (Debian package python3-pykdl)";
    if ("1".equals(System.getenv("MANTIS_REQUIRE_ROS")) || System.getenv("CI") != null) {
      assertTrue(false, why);
    }
    Assumptions.assumeTrue(false, why);
    throw new AssertionError(why);
  }
}
