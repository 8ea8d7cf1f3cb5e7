package mantis.server.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Raw bytes parsed as an {@code Observation} (whatever protobuf accepts: unknown fields, repeated
 * singular fields, odd packings), then Predict, Annotate and a one-observation Control in-process.
 * Bytes protobuf refuses are the wire target's concern ({@link WireFuzzTest}).
 */
class ObservationBytesFuzzTest {
  private static FuzzServer server;
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);

  @BeforeAll
  static void start() throws Exception {
    server = FuzzServer.inProcess("random");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @FuzzTest(maxDuration = "10s")
  void anyParseableObservationIsAnsweredSafelyOrRefusedProperlyByEveryRpc(byte[] bytes) {
    Observation obs;
    try {
      obs = Observation.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    Calls.predict(server, ORACLE, obs);
    Calls.annotate(server, ORACLE, obs);
    Calls.control(server, ORACLE, List.of(obs), -1);
  }
}
