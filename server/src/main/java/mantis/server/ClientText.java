package mantis.server;

import java.util.List;

/**
 * Text that came from a client, made safe to echo in a status description or a log line: control
 * characters, line and paragraph separators and unpaired surrogates are written as escapes ({@code
 * \n}, {@code \t}, {@code \r}, {@code \\uXXXX}), and text longer than {@value #MAX_CHARS}
 * characters is cut. Without this a joint name such as {@code "x\n\tat y(Z.java:1)"} would forge
 * lines in a description or a log.
 */
final class ClientText {
  static final int MAX_CHARS = 64;

  private ClientText() {}

  /** {@code s}, escaped and cut to {@value #MAX_CHARS} characters (with how many there were). */
  static String escape(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 8);
    int n = Math.min(s.length(), MAX_CHARS);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean unpaired =
          Character.isHighSurrogate(c)
              ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
              : Character.isLowSurrogate(c)
                  && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
      if (c == '\n') {
        b.append("\\n");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || unpaired) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > MAX_CHARS) {
      b.append("... (").append(s.length()).append(" characters)");
    }
    return b.toString();
  }

  /** {@code [a, b, c]} with every element {@link #escape escaped}; at most 8 elements shown. */
  static String escape(List<String> list) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < Math.min(list.size(), 8); i++) {
      b.append(i == 0 ? "" : ", ").append(escape(list.get(i)));
    }
    if (list.size() > 8) {
      b.append(", ... (").append(list.size()).append(" in all)");
    }
    return b.append(']').toString();
  }
}
