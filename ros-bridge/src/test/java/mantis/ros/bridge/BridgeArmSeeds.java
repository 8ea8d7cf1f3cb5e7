package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import mantis.core.fuzz.FdpSeed;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the committed seeds of {@link BridgeArmServiceFuzzTest} (docs/FUZZING.md): scripted
 * sessions encoded as the choices the fuzz test reads, each replayed here through the real provider
 * and the real rig to check it does what its name says. A fuzz test only so Jazzer's agent (which
 * its data provider needs) is in place:
 *
 * <pre>
 * mvn -B -pl ros-bridge -am -Dtest=BridgeArmSeeds -Dsurefire.failIfNoSpecifiedTests=false -Dmantis.fuzz.writeSeeds=true test
 * </pre>
 */
@EnabledIfSystemProperty(named = "mantis.fuzz.writeSeeds", matches = "true")
class BridgeArmSeeds {
  private static final Path DIR =
      Path.of(
          "src/test/resources/mantis/ros/bridge/BridgeArmServiceFuzzTestInputs/"
              + "theBridgePublishesOnlySafeTrajectoriesAndOnlyHoldsWhileEstopped");

  @FuzzTest
  void writeSeeds(byte[] ignored) throws Exception {
    Files.createDirectories(DIR);
    // Arm commands take over from the policy; e-stop; a command while latched; reset; a new
    // command.
    FdpSeed s = ops(10);
    step(s, 0);
    command(s, 0.1);
    step(s, 10);
    s.i(5, 0, 9).b(true).i(1, 0, 4); // EStop for arm7, reason "operator"
    command(s, -0.1);
    step(s, 20);
    step(s, 30);
    s.i(6, 0, 9); // Reset
    command(s, 0.05);
    step(s, 40);
    write("command-estop-reset", s, 3, 1, 1);

    // A policy that answers NaN far outside the limits, Hold, time passing, the stream closed,
    // another robot.
    s = ops(8);
    s.i(8, 0, 9).i(2, 0, 2); // the policy answers this chunk:
    s.i(3, 0, 5).i(4, 0, 5).l(500_000_000L, 1, 3_000_000_000L).i(2, 0, 6);
    s.i(3, 0, 4)
        .l(100_000_000L, 1, 500_000_000L)
        .i(1, 0, 7)
        .i(0, 0, 3)
        .i(0, 0, 11)
        .i(0, 0, 3)
        .i(3, 0, 11)
        .i(0, 0, 3)
        .i(11, 0, 11);
    s.i(2, 0, 4)
        .l(-5, Long.MIN_VALUE, Long.MAX_VALUE)
        .i(1, 0, 7)
        .i(0, 0, 3)
        .i(7, 0, 11)
        .i(2, 0, 3)
        .i(0, -3000, 3000)
        .i(2, 0, 3)
        .i(0, -3000, 3000);
    step(s, 0);
    step(s, 5);
    s.i(4, 0, 9).i(0, 0, 4); // Hold
    s.i(3, 0, 9).i(200, 0, 300); // 200 ms pass
    command(s, 0.0);
    s.i(7, 0, 9).b(false); // the client goes away
    s.i(9, 0, 9).i(0, 0, 3).i(1, 0, 2); // EStop for arm8: NOT_FOUND
    write("wild-policy-hold-close", s, 1, 0, 0);

    // Bad commands and joint states: no chunk, another robot, a NaN joint state, a huge one.
    s = ops(5);
    s.i(0, 0, 9).i(0, 0, 3).l(0, Long.MIN_VALUE, Long.MAX_VALUE).i(0, 0, 7); // no chunk
    s.i(1, 0, 9).i(3, 0, 3).l(0, Long.MIN_VALUE, Long.MAX_VALUE).i(1, 0, 7); // arm8
    chunk(s, 0.1);
    s.i(2, 0, 9)
        .i(0, 0, 3)
        .i(0, 0, 11)
        .i(2, 0, 3)
        .i(0, -3000, 3000)
        .i(2, 0, 3)
        .i(0, -3000, 3000); // NaN shoulder
    s.i(2, 0, 9)
        .i(0, 0, 3)
        .i(3, 0, 11)
        .i(0, 0, 3)
        .i(4, 0, 11)
        .i(2, 0, 3)
        .i(0, -3000, 3000); // 1.8e308, -1.8e308
    step(s, 0);
    write("bad-commands-and-states", s, 2, 0, 0);
  }

  private static FdpSeed ops(int n) {
    return new FdpSeed().i(n, 0, BridgeArmServiceFuzzTest.MAX_OPS);
  }

  /** A joint state at (0.1, 0.2, 0.3) + {@code offsetMrad}, a frame, and a tick. */
  private static void step(FdpSeed s, int offsetMrad) {
    s.i(2, 0, 9);
    for (int j = 0; j < 3; j++) {
      s.i(2, 0, 3).i(offsetMrad, -3000, 3000);
    }
  }

  private static void command(FdpSeed s, double offsetRad) {
    s.i(0, 0, 9).i(0, 0, 3).l(0, Long.MIN_VALUE, Long.MAX_VALUE).i(1, 0, 7);
    chunk(s, offsetRad);
  }

  /**
   * Robot joints, valid 2 s, 4 points 200 ms apart moving every joint by {@code offsetRad} in all.
   */
  private static void chunk(FdpSeed s, double offsetRad) {
    s.i(3, 0, 5).i(4, 0, 5).l(2_000_000_000L, 1, 3_000_000_000L).i(4, 0, 6);
    for (int i = 1; i <= 4; i++) {
      s.i(3, 0, 4).l(200_000_000L, 1, 500_000_000L).i(1, 0, 7);
      for (int j = 0; j < 3; j++) {
        s.i(2, 0, 3).i((int) Math.round(offsetRad * i / 4 * 1000), -3000, 3000);
      }
    }
  }

  private static void write(String name, FdpSeed seed, int commands, int estops, int resets)
      throws Exception {
    byte[] bytes = seed.bytes();
    BridgeArmServiceFuzzTest.Rig rig = new BridgeArmServiceFuzzTest.Rig();
    try (rig;
        FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(bytes)) {
      BridgeArmServiceFuzzTest.run(rig, d);
      assertEquals(0, d.remainingBytes(), name + ": every choice consumed");
    }
    assertEquals(commands, rig.commandsSent, name + ": commands");
    assertEquals(estops, rig.estops, name + ": e-stops");
    assertEquals(resets, rig.resets, name + ": resets");
    Files.write(DIR.resolve(name), bytes);
  }
}
