package mantis.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import mantis.core.MonotonicClock;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.server.policy.HoldPolicy;
import org.junit.jupiter.api.Test;

/**
 * The fault of 1d41b63: a server bound to every interface took Predict from any client, with no
 * credentials. Uses only the API of that commit, so it runs against it (and fails there).
 */
class NetworkExposureTest {
  @Test
  void aServerOnEveryInterfaceWithoutCredentialsRefusesToStartInsteadOfServingAnyone()
      throws Exception {
    MantisServer server =
        MantisServer.builder()
            .setPolicy(HoldPolicy.create(TestServer.ROBOT, MonotonicClock.system()))
            .setRobot(TestServer.ROBOT)
            .optHost("0.0.0.0")
            .optPort(0)
            .optWarmupPredictions(1)
            .build();
    try {
      try {
        server.start();
      } catch (IllegalStateException refused) {
        assertTrue(
            refused.getMessage().contains("refusing to listen on every network interface"),
            refused.getMessage());
        return;
      }
      server.awaitServing(10, TimeUnit.SECONDS);
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        PolicyServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .predict(Observations.valid().build());
        fail("a client without credentials got an action chunk from a server on 0.0.0.0");
      } catch (StatusRuntimeException e) {
        fail(
            "the server started on 0.0.0.0 without TLS and tokens (the call ended "
                + e.getStatus()
                + ")");
      } finally {
        ch.shutdownNow();
      }
    } finally {
      server.close();
    }
  }
}
