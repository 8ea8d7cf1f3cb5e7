package mantis.app;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import mantis.sim.TaskFamily;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code --family}: {@code all}, or one family by name (reach, push_direction,
 * push_to_target).
 */
final class Families implements ITypeConverter<List<TaskFamily>> {
  @Override
  public List<TaskFamily> convert(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    if (v.equals("ALL")) {
      return List.of(TaskFamily.values());
    }
    try {
      return List.of(TaskFamily.valueOf(v));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "unknown family '"
              + value
              + "'; use all or one of "
              + Arrays.stream(TaskFamily.values())
                  .map(f -> f.name().toLowerCase(Locale.ROOT))
                  .toList());
    }
  }
}
