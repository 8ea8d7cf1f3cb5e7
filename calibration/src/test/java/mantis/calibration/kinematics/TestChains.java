package mantis.calibration.kinematics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The URDFs shipped in the test resources. */
final class TestChains {
  private TestChains() {}

  static UrdfRobot robot(String resource) {
    try (InputStream in = TestChains.class.getResourceAsStream("/urdf/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /urdf/" + resource);
      }
      return UrdfReader.read(in, resource);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SerialChain ur5e() {
    return robot("ur5e_like.urdf").serialChain("base_link", "tool0");
  }

  static SerialChain planar3() {
    return robot("planar3.urdf").serialChain("world", "tip");
  }
}
