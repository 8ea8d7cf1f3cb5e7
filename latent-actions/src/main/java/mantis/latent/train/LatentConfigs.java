package mantis.latent.train;

import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import mantis.latent.LatentActionConfig;

/**
 * Overrides {@link LatentActionConfig} settings by their {@code config.properties} names (e.g.
 * {@code widths=4,8,8}, {@code learningRate=0.001}), so callers such as the CLI accept every key,
 * including keys added to the configuration later, without knowing them.
 */
public final class LatentConfigs {
  private static final String FORMAT_KEY = "format";
  private static final String BAD_PREFIX = "bad latent action config: ";

  private LatentConfigs() {}

  /**
   * {@code base} with some properties replaced.
   *
   * @throws IllegalArgumentException naming the key for an unknown key (the known ones are listed)
   *     or a value the configuration refuses
   */
  public static LatentActionConfig withOverrides(
      LatentActionConfig base, Map<String, String> overrides) {
    Properties p = base.toProperties();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String key = e.getKey();
      if (key.equals(FORMAT_KEY) || !p.containsKey(key)) {
        TreeSet<String> known = new TreeSet<>(p.stringPropertyNames());
        known.remove(FORMAT_KEY);
        throw new IllegalArgumentException(
            "unknown latent model setting '"
                + key
                + "'; known settings: "
                + String.join(", ", known));
      }
      p.setProperty(key, e.getValue().trim());
    }
    try {
      return LatentActionConfig.fromProperties(p);
    } catch (IOException e) {
      String msg = e.getMessage();
      throw new IllegalArgumentException(
          msg.startsWith(BAD_PREFIX) ? msg.substring(BAD_PREFIX.length()) : msg, e);
    }
  }
}
