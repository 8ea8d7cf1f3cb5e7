package mantis.sim.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import mantis.core.fuzz.FdpSeed;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the committed seeds of {@link SimArmServiceFuzzTest} (docs/FUZZING.md): scripted sessions
 * encoded as the choices the fuzz test reads, each replayed here through the real provider and the
 * real rig to check it does what its name says. A fuzz test only so Jazzer's agent (which its data
 * provider needs) is in place:
 *
 * <pre>
 * mvn -B -pl sim -am -Dtest=SimArmSeeds -Dsurefire.failIfNoSpecifiedTests=false -Dmantis.fuzz.writeSeeds=true test
 * </pre>
 */
@EnabledIfSystemProperty(named = "mantis.fuzz.writeSeeds", matches = "true")
class SimArmSeeds {
  private static final Path DIR =
      Path.of(
          "src/test/resources/mantis/sim/grpc/SimArmServiceFuzzTestInputs/"
              + "theSimulatedArmStaysInsideItsLimitsAndExecutesNothingWhileEstopped");

  @FuzzTest
  void writeSeeds(byte[] ignored) throws Exception {
    Files.createDirectories(DIR);
    // Move, e-stop, a command while latched, reset, a new command.
    FdpSeed s = ops(11);
    command(s, 0.4);
    tick(s, 10);
    s.i(4, 0, 8).b(true).i(1, 0, 4); // EStop for sim-1, reason "operator"
    command(s, -0.4);
    tick(s, 10);
    s.i(5, 0, 8); // Reset
    tick(s, 5);
    command(s, 0.2);
    tick(s, 10);
    write("move-estop-reset", s, 3, 1, 1);

    // Watchdog, Hold, the stream closed and reopened.
    s = ops(9);
    command(s, 0.3);
    tick(s, 5);
    s.i(6, 0, 8).i(150, 0, 300); // 150 ms without a command, then the watchdogs polled
    tick(s, 3);
    s.i(3, 0, 8).i(1, 0, 4); // Hold, reason "operator"
    tick(s, 3);
    s.i(7, 0, 8).b(true); // the client half-closes
    command(s, -0.2);
    tick(s, 3);
    write("watchdog-hold-reopen", s, 2, 0, 0);

    // Bad commands: no chunk, another robot, NaN targets; a call for another robot.
    s = ops(6);
    s.i(0, 0, 8)
        .i(0, 0, 3)
        .l(0, Long.MIN_VALUE, Long.MAX_VALUE)
        .i(0, 0, 7); // no chunk: INVALID_ARGUMENT
    s.i(0, 0, 8)
        .i(3, 0, 3)
        .l(0, Long.MIN_VALUE, Long.MAX_VALUE)
        .i(1, 0, 7); // robot sim-2: INVALID_ARGUMENT
    chunk(s, 0.1);
    s.i(0, 0, 8).i(0, 0, 3).l(0, Long.MIN_VALUE, Long.MAX_VALUE).i(1, 0, 7); // NaN in every joint
    s.i(3, 0, 5)
        .i(4, 0, 5)
        .l(2_000_000_000L, 1, 3_000_000_000L)
        .l(0, Long.MIN_VALUE, Long.MAX_VALUE)
        .i(1, 0, 6)
        .i(3, 0, 4)
        .l(100_000_000L, 1, 500_000_000L)
        .i(1, 0, 7);
    for (int j = 0; j < 3; j++) {
      s.i(0, 0, 3).i(0, 0, 11);
    }
    tick(s, 5);
    s.i(8, 0, 8).i(0, 0, 3).i(1, 0, 2); // EStop for sim-2: NOT_FOUND
    tick(s, 2);
    write("bad-commands", s, 3, 0, 0);
  }

  private static FdpSeed ops(int n) {
    return new FdpSeed().i(n, 0, SimArmServiceFuzzTest.MAX_OPS);
  }

  private static void tick(FdpSeed s, int n) {
    s.i(2, 0, 8).i(n, 1, 25);
  }

  /**
   * A command for sim-1 moving every joint by {@code offsetRad} in 4 points over 0.8 s, valid for 2
   * s.
   */
  private static void command(FdpSeed s, double offsetRad) {
    s.i(0, 0, 8).i(0, 0, 3).l(0, Long.MIN_VALUE, Long.MAX_VALUE).i(1, 0, 7);
    chunk(s, offsetRad);
  }

  private static void chunk(FdpSeed s, double offsetRad) {
    s.i(3, 0, 5)
        .i(4, 0, 5)
        .l(2_000_000_000L, 1, 3_000_000_000L)
        .l(0, Long.MIN_VALUE, Long.MAX_VALUE)
        .i(4, 0, 6);
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
    SimArmServiceFuzzTest.Rig rig = new SimArmServiceFuzzTest.Rig();
    try (rig;
        FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(bytes)) {
      SimArmServiceFuzzTest.run(rig, d);
      assertEquals(0, d.remainingBytes(), name + ": every choice consumed");
    }
    assertEquals(commands, rig.commandsSent, name + ": commands");
    assertEquals(estops, rig.estops, name + ": e-stops");
    assertEquals(resets, rig.resets, name + ": resets");
    assertTrue(
        rig.applied.size() >= 10, name + ": the arm stepped " + rig.applied.size() + " times");
    Files.write(DIR.resolve(name), bytes);
  }
}
