package mantis.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Predict with structured fuzzed observations, served by the visual-servo baseline (OpenCV on every
 * frame).
 */
class PredictFuzzTest {
  private static FuzzServer server;
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);
  private static final ObservationFuzzer FUZZER = new ObservationFuzzer(Seeds.get());

  @BeforeAll
  static void start() throws Exception {
    server = FuzzServer.inProcess("visual-servo");
    Calls.describe(server, ORACLE);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @FuzzTest(maxDuration = "10s")
  void predictAnswersAnyObservationWithASafeChunkOrAProperStatus(FuzzedDataProvider data) {
    Calls.predict(server, ORACLE, FUZZER.observation(data));
  }
}
