package mantis.ros.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mantis.proto.v1.ArmServiceGrpc;
import mantis.proto.v1.JointCommand;
import mantis.proto.v1.JointStateMsg;
import mantis.security.AuthInterceptor;
import mantis.security.Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code arm_service.max_streams}: how many StreamCommands calls the bridge's ArmService keeps open
 * at once.
 */
class BridgeArmServiceLimitsTest {
  private Harness h;
  private Server armServer;
  private ManagedChannel armChannel;

  @BeforeEach
  void setUp() throws Exception {
    h = new Harness(Harness.CONFIG + "arm_service:\n  max_streams: 2\n").started();
    String name = InProcessServerBuilder.generateName();
    armServer =
        BridgeArmService.serve(
            h.core,
            h.clock,
            InProcessServerBuilder.forName(name).directExecutor(),
            new HealthStatusManager(),
            AuthInterceptor.builder().setOpen(Principal.LOCAL_NO_AUTH).build());
    armChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() {
    armChannel.shutdownNow();
    armServer.shutdownNow();
    h.close();
  }

  /** An open StreamCommands call and what happened to it. */
  private final class Call implements StreamObserver<JointStateMsg> {
    final List<JointStateMsg> states = new CopyOnWriteArrayList<>();
    final List<Status> ends = new CopyOnWriteArrayList<>();
    final StreamObserver<JointCommand> in = ArmServiceGrpc.newStub(armChannel).streamCommands(this);

    @Override
    public void onNext(JointStateMsg m) {
      states.add(m);
    }

    @Override
    public void onError(Throwable t) {
      ends.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ends.add(Status.OK);
    }
  }

  @Test
  void
      aCallBeyondMaxStreamsIsRefusedWithResourceExhaustedNamingTheLimitAndTheOpenOnesKeepTheirStates() {
    Call first = new Call();
    Call second = new Call();
    Call third = new Call();
    assertEquals(List.of(), first.ends);
    assertEquals(List.of(), second.ends);
    assertEquals(1, third.ends.size(), "the third call ends at once");
    Status refused = third.ends.get(0);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode());
    assertTrue(
        refused.getDescription().contains("2 StreamCommands calls open")
            && refused.getDescription().contains("arm_service.max_streams: 2"),
        refused.getDescription());

    h.step(0.1, 0.2, 0.3);
    assertEquals(1, first.states.size());
    assertEquals(1, second.states.size());
    assertEquals(0, third.states.size(), "a refused call gets no joint states");
  }

  @Test
  void aClosedOrCancelledCallFreesItsPlace() {
    Call first = new Call();
    Call second = new Call();
    first.in.onCompleted();
    assertEquals(List.of(Status.OK), first.ends);
    Call third = new Call();
    assertEquals(List.of(), third.ends, "the place of the closed call is free");
    second.in.onError(Status.CANCELLED.asRuntimeException());
    Call fourth = new Call();
    assertEquals(List.of(), fourth.ends, "the place of the cancelled call is free");
    Call fifth = new Call();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, fifth.ends.get(0).getCode());
  }

  @Test
  void maxStreamsDefaultsToFourAndMustBeOneToSixtyFour() throws Exception {
    assertEquals(
        4,
        BridgeConfig.parse(Harness.CONFIG, "harness.yaml", null, java.util.Map.of())
            .armService()
            .maxStreams());
    for (String bad : List.of("0", "65", "-1")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> new Harness(Harness.CONFIG + "arm_service:\n  max_streams: " + bad + "\n"));
      assertTrue(
          e.getMessage().contains("arm_service.max_streams must be 1..64, got " + bad),
          e.getMessage());
    }
  }
}
