package mantis.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Annotate (Set-of-Mark on the newest frame, drawn as PNG when asked) with structured fuzzed
 * observations.
 */
@Tag("slow")
class AnnotateFuzzTest {
  private static FuzzServer server;
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);
  private static final ObservationFuzzer FUZZER = new ObservationFuzzer(Seeds.get());

  @BeforeAll
  static void start() throws Exception {
    server = FuzzServer.inProcess("hold");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @FuzzTest(maxDuration = "10s")
  void annotateAnswersAnyObservationWithFiniteMarksOrAProperStatus(FuzzedDataProvider data) {
    Calls.annotate(server, ORACLE, input(data));
  }

  /** The observation one input asks to annotate; the first choice asks for the drawn frame. */
  static Observation input(FuzzedDataProvider data) {
    boolean image = data.consumeBoolean();
    Observation obs = FUZZER.observation(data);
    return obs.toBuilder().setAnnotateWithImage(image || obs.getAnnotateWithImage()).build();
  }
}
