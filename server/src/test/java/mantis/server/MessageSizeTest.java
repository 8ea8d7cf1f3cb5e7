package mantis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.proto.v1.ActionChunk;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.policy.HoldPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inbound size limit is set on purpose: a raw 1920x1080 frame fits, anything past 16 MiB does
 * not.
 */
class MessageSizeTest {
  private static TestServer inProcess;
  private static MantisServer netty;
  private static ManagedChannel nettyChannel;

  @BeforeAll
  static void start() throws Exception {
    inProcess = TestServer.started(HoldPolicy.create(TestServer.ROBOT, MonotonicClock.system()));
    netty =
        MantisServer.builder()
            .setPolicy(HoldPolicy.create(TestServer.ROBOT, MonotonicClock.system()))
            .setRobot(TestServer.ROBOT)
            .optHost("127.0.0.1")
            .optPort(0)
            .optWarmupPredictions(1)
            .build()
            .start();
    assertTrue(netty.awaitServing(10, TimeUnit.SECONDS));
    nettyChannel = NettyChannelBuilder.forAddress("127.0.0.1", netty.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    inProcess.close();
    nettyChannel.shutdownNow();
    netty.close();
  }

  private static PolicyServiceGrpc.PolicyServiceBlockingStub nettyStub() {
    return PolicyServiceGrpc.newBlockingStub(nettyChannel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Test
  void rawFullHdFrameFitsTheInboundLimit() {
    var obs =
        Observations.valid().clearFrames().addFrames(Observations.rawFrame(1920, 1080)).build();
    assertTrue(obs.getSerializedSize() > 6_000_000);
    ActionChunk chunk = nettyStub().predict(obs);
    assertEquals(3, chunk.getJointNamesCount());
  }

  @Test
  void messageOverTheLimitIsResourceExhaustedAndTheServerKeepsServing() {
    // Three raw 1920x1080 frames: 18.7 MB > 16 MiB.
    var big = Observations.valid().clearFrames();
    for (int i = 0; i < 3; i++) {
      big.addFrames(Observations.rawFrame(1920, 1080));
    }
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> nettyStub().predict(big.build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals(3, nettyStub().predict(Observations.valid().build()).getJointNamesCount());
  }

  @Test
  void inProcessServersEnforceTheSameLimit() {
    var big = Observations.valid().clearFrames();
    for (int i = 0; i < 3; i++) {
      big.addFrames(Observations.rawFrame(1920, 1080));
    }
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> inProcess.blocking().predict(big.build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
  }
}
