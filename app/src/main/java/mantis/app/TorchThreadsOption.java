package mantis.app;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --threads N}: PyTorch intra-op threads for the latent commands, applied before the engine
 * starts. The default is 1: on the 2-core development machine, two PyTorch threads next to any
 * other busy process made a training step 3 to 10 times slower and a single-pair encode 50 times
 * slower (docs/LATENT_ACTIONS.md).
 */
final class TorchThreadsOption {
  static final String PROPERTY = "ai.djl.pytorch.num_threads";

  @Option(
      names = "--threads",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "PyTorch intra-op threads (default: ${DEFAULT-VALUE}; more only on idle cores: oversubscribed "
              + "PyTorch threads slow down many times over)")
  int threads;

  /**
   * Sets the engine property unless the JVM was started with one; refuses values outside [1, 256].
   */
  void apply(CommandSpec spec) {
    if (threads < 1 || threads > 256) {
      throw new ParameterException(
          spec.commandLine(), "--threads must be in [1, 256], got " + threads);
    }
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, Integer.toString(threads));
    }
  }
}
