package mantis.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.ActionPoint;
import mantis.proto.v1.ChunkSource;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.Test;

/** The fuzz oracle itself: it passes a safe reply and catches each kind of unsafe one. */
class RpcOracleTest {
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);
  private static final Observation SENT =
      Observation.newBuilder()
          .setRobotId("arm-1")
          .setStep(4)
          .setJointState(Seeds.joints(0.1, -0.4, 0.3))
          .build();

  private static ActionChunk.Builder reply(double[]... points) {
    ActionChunk.Builder b =
        ActionChunk.newBuilder()
            .addAllJointNames(Seeds.ROBOT.jointNames())
            .setRobotId("arm-1")
            .setStep(4)
            .setSource(ChunkSource.CHUNK_SOURCE_REPLY)
            .setValidForNanos(100_000_000L);
    for (int i = 0; i < points.length; i++) {
      ActionPoint.Builder p =
          ActionPoint.newBuilder().setTimeFromStartNanos((i + 1) * 100_000_000L);
      for (double q : points[i]) {
        p.addPositionsRad(q);
      }
      b.addPoints(p);
    }
    return b;
  }

  private static void assertCaught(ActionChunk c, String phrase) {
    AssertionError e =
        assertThrows(AssertionError.class, () -> ORACLE.checkReply(c, SENT, "Predict"));
    assertTrue(e.getMessage().contains(phrase), e.getMessage());
  }

  @Test
  void aSafeReplyPasses() {
    assertDoesNotThrow(
        () ->
            ORACLE.checkReply(
                reply(new double[] {0.11, -0.39, 0.31}, new double[] {0.12, -0.38, 0.32}).build(),
                SENT,
                "Predict"));
  }

  @Test
  void everyKindOfUnsafeChunkIsCaught() {
    assertCaught(reply(new double[] {Double.NaN, -0.4, 0.3}).build(), "is NaN");
    assertCaught(
        reply(new double[] {0.1, -0.4, 2.59}).build(), "outside the limits minus the margin");
    assertCaught(reply(new double[] {0.1, -0.4}).build(), "has 2 positions");
    assertCaught(
        reply(new double[] {0.1, -0.4, 0.3})
            .clearJointNames()
            .addAllJointNames(java.util.List.of("a", "b", "c"))
            .build(),
        "joint names");
    ActionChunk.Builder backwards =
        reply(new double[] {0.1, -0.4, 0.3}, new double[] {0.1, -0.4, 0.3});
    backwards.setPoints(1, backwards.getPoints(1).toBuilder().setTimeFromStartNanos(100_000_000L));
    assertCaught(backwards.build(), "not after");
    assertCaught(reply(new double[] {1.1, -0.4, 0.3}).build(), "rad/s, limit 2.0");
    assertCaught(reply(new double[] {0.1, -0.4, 0.3}).setStep(5).build(), "echoes robot");
    assertCaught(
        reply(new double[] {0.1, -0.4, 0.3}, new double[] {0.1, -0.4, 0.3}).setHeld(true).build(),
        "a hold with 2 points");
    assertCaught(reply().build(), "no points");
  }

  @Test
  void onlyProperRefusalsPass() {
    assertDoesNotThrow(
        () ->
            RpcOracle.checkRefusal(
                Status.INVALID_ARGUMENT.withDescription("step is -1"), "Predict"));
    assertThrows(
        AssertionError.class,
        () -> RpcOracle.checkRefusal(Status.UNKNOWN.withDescription("x"), "Predict"));
    assertThrows(
        AssertionError.class,
        () -> RpcOracle.checkRefusal(Status.INTERNAL.withDescription("x"), "Predict"));
    assertThrows(
        AssertionError.class,
        () -> RpcOracle.checkRefusal(Status.DEADLINE_EXCEEDED.withDescription("x"), "Predict"));
    assertThrows(
        AssertionError.class, () -> RpcOracle.checkRefusal(Status.INVALID_ARGUMENT, "Predict"));
    assertThrows(
        AssertionError.class,
        () ->
            RpcOracle.checkRefusal(
                Status.INVALID_ARGUMENT.withDescription("bad\n\tat mantis.server.X.y(X.java:1)"),
                "Predict"));
  }
}
