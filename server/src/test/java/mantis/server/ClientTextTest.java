package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.proto.v1.JointState;
import mantis.server.policy.HoldPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Client text echoed in a status description cannot forge lines (found by WireFuzzTest). */
class ClientTextTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.started(HoldPolicy.create(TestServer.ROBOT, MonotonicClock.system()));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static void assertOneLine(String d) {
    assertTrue(d.chars().noneMatch(Character::isISOControl), "control characters in \"" + d + "\"");
  }

  @Test
  void aJointNameWithLineBreaksIsEscapedInTheDescription() {
    JointState js =
        Observations.joints(0, 0, 0).toBuilder().setNames(0, "sh\n\tat x.Y.z(Y.java:1)").build();
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> server.blocking().predict(Observations.valid().setJointState(js).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    String d = e.getStatus().getDescription();
    assertOneLine(d);
    assertTrue(d.contains("[sh\\n\\tat x.Y.z(Y.java:1), elbow, wrist] do not match"), d);
  }

  @Test
  void aRobotIdChangeWithControlCharactersIsEscapedInTheDescription() throws Exception {
    var collector = new StreamCollector();
    var in = server.async().control(collector);
    in.onNext(Observations.valid().build());
    in.onNext(Observations.valid().setStep(1).setRobotId("arm-2\r\n\u001b[31mERROR").build());
    Status status = collector.awaitEnd(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertOneLine(status.getDescription());
    assertTrue(
        status.getDescription().contains("from arm-1 to arm-2\\r\\n\\u001b[31mERROR"),
        status.getDescription());
  }

  @Test
  void longTextIsCutAndUnpairedSurrogatesAreEscaped() {
    assertEquals("x".repeat(64) + "... (1000 characters)", ClientText.escape("x".repeat(1000)));
    assertEquals("a\\ud800b \uD83E\uDD16", ClientText.escape("a\uD800b \uD83E\uDD16"));
    assertEquals("[a\\u0000, b]", ClientText.escape(List.of("a\u0000", "b")));
    String nine = ClientText.escape(List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"));
    assertFalse(nine.contains("n9"), nine);
    assertTrue(nine.endsWith("n8, ... (9 in all)]"), nine);
  }
}
