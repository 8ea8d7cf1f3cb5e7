package mantis.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The bundled learned policy ({@code --policy mantis}, models/policy/default, served by the
 * predictor pool with batching) under structured fuzzed observations: Predict, and a two-step
 * Control stream.
 */
class LearnedPolicyFuzzTest {
  private static FuzzServer server;
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);
  private static final ObservationFuzzer FUZZER = new ObservationFuzzer(Seeds.get());

  @BeforeAll
  static void start() throws Exception {
    server = FuzzServer.inProcess("mantis");
    Calls.describe(server, ORACLE);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @FuzzTest(maxDuration = "10s")
  void theLearnedPolicyAnswersAnyObservationWithASafeChunkOrAProperStatus(FuzzedDataProvider data) {
    boolean stream = data.consumeBoolean();
    Observation obs = FUZZER.observation(data);
    if (stream) {
      Calls.control(
          server, ORACLE, List.of(obs, obs.toBuilder().setStep(obs.getStep() + 1).build()), -1);
    } else {
      Calls.predict(server, ORACLE, obs);
    }
  }
}
