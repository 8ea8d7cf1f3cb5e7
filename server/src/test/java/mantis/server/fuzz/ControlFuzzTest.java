package mantis.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import mantis.proto.v1.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Control with a fuzzed sequence of observations on one stream, served by the random policy (chunks
 * that move, so the safety filter works): steps in order, repeated, going back, negative or huge;
 * robot id changes; any edit of {@link ObservationFuzzer} on any observation; a pause past the
 * watchdog timeout.
 */
class ControlFuzzTest {
  static final int MAX_OBSERVATIONS = 8;
  private static FuzzServer server;
  private static final RpcOracle ORACLE = new RpcOracle(Seeds.ROBOT);
  private static final ObservationFuzzer FUZZER = new ObservationFuzzer(Seeds.get());

  @BeforeAll
  static void start() throws Exception {
    server = FuzzServer.inProcess("random");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @FuzzTest(maxDuration = "10s")
  void controlAnswersAnySequenceOfObservationsSafelyInOrderOrEndsItProperly(
      FuzzedDataProvider data) {
    Plan plan = plan(data);
    Calls.control(server, ORACLE, plan.observations(), plan.pauseAfter());
  }

  /**
   * What one input asks for: the observations of one stream, and where the client pauses (-1:
   * nowhere).
   */
  record Plan(List<Observation> observations, int pauseAfter) {}

  static Plan plan(FuzzedDataProvider data) {
    int n = data.consumeInt(1, MAX_OBSERVATIONS);
    int pauseAfter = data.consumeInt(0, 3) == 3 ? data.consumeInt(0, n - 1) : -1;
    Observation base = Seeds.get().bases().get(data.consumeInt(0, Seeds.get().bases().size() - 1));
    List<Observation> sequence = new ArrayList<>(n);
    long step = 0;
    for (int i = 0; i < n; i++) {
      step =
          switch (data.consumeInt(0, 5)) {
            case 0, 1 -> i;
            case 2 -> step;
            case 3 -> step - 1;
            case 4 ->
                data.pickValue(
                    new Long[] {Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE, -1L});
            default -> data.consumeLong();
          };
      Observation.Builder b = base.toBuilder().setStep(step).setSendTimeNanos(1_000_000L * i);
      if (data.consumeBoolean()) {
        FUZZER.edit(b, data);
      }
      sequence.add(b.build());
    }
    return new Plan(sequence, pauseAfter);
  }
}
