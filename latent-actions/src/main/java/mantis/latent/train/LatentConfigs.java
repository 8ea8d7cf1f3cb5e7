package mantis.latent.train;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import mantis.latent.LatentActionConfig;

/**
 * A {@link LatentActionConfig} as properties, by the names of its {@code config.properties} file (e.g.
 * {@code widths=4,8,8}, {@code learningRate=0.001}), so callers can override any key, including keys added
 * to the configuration later, without knowing them.
 */
public final class LatentConfigs {
  private static final String FORMAT_KEY = "format";

  private LatentConfigs() {}

  /** The configuration's properties, as written to {@code config.properties}. */
  public static Properties toProperties(LatentActionConfig config) {
    StringWriter w = new StringWriter();
    invoke(method("store", Writer.class), config, w);
    Properties p = new Properties();
    try {
      p.load(new StringReader(w.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /**
   * {@code base} with some properties replaced.
   *
   * @throws IllegalArgumentException naming the key for an unknown key (the known ones are listed) or a value
   *     the configuration refuses
   */
  public static LatentActionConfig withOverrides(LatentActionConfig base, Map<String, String> overrides) {
    Properties p = toProperties(base);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String key = e.getKey();
      if (key.equals(FORMAT_KEY) || !p.containsKey(key)) {
        TreeSet<String> known = new TreeSet<>(p.stringPropertyNames());
        known.remove(FORMAT_KEY);
        throw new IllegalArgumentException("unknown latent model setting '" + key + "'; known settings: "
            + String.join(", ", known));
      }
      p.setProperty(key, e.getValue().trim());
    }
    StringWriter w = new StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (LatentActionConfig) invoke(method("read", Reader.class), null, new StringReader(w.toString()));
  }

  // LatentActionConfig.store/read are package-private; reached by reflection until they are public.
  private static Method method(String name, Class<?> param) {
    try {
      Method m = LatentActionConfig.class.getDeclaredMethod(name, param);
      m.setAccessible(true);
      return m;
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("LatentActionConfig." + name + "(" + param.getSimpleName() + ") is missing", e);
    }
  }

  private static Object invoke(Method m, Object target, Object arg) {
    try {
      return m.invoke(target, arg);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        // read() wraps refused values as IOException("bad latent action config: ...")
        String msg = io.getMessage();
        throw new IllegalArgumentException(msg.startsWith("bad latent action config: ")
            ? msg.substring("bad latent action config: ".length()) : msg, io);
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(c);
    }
  }
}
