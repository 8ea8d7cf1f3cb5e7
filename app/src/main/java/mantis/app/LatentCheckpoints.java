package mantis.app;

import java.io.IOException;
import java.nio.file.Path;
import mantis.latent.LatentActionModel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Loading a latent action checkpoint for the {@code mantis latent} commands. */
final class LatentCheckpoints {
  private LatentCheckpoints() {}

  /**
   * The model in {@code dir}; a checkpoint that cannot be read becomes a usage error (exit code 2).
   */
  static LatentActionModel load(CommandSpec spec, Path dir) {
    try {
      return LatentActionModel.load(dir);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot load the checkpoint in " + dir + ": " + e.getMessage());
    }
  }
}
