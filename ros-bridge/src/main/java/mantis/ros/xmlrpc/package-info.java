/**
 * A small XML-RPC client and server, as much of XML-RPC as ROS 1 uses: values map to Java as {@code
 * <int>}/{@code <i4>} ↔ {@link java.lang.Integer} ({@code <i8>} ↔ {@link java.lang.Long}), {@code
 * <boolean>} ↔ {@link java.lang.Boolean}, {@code <string>} (or a {@code <value>} without a type) ↔
 * {@link java.lang.String}, {@code <double>} ↔ {@link java.lang.Double}, {@code <array>} ↔ {@link
 * java.util.List}, {@code <struct>} ↔ {@link java.util.Map} with string keys, {@code <base64>} ↔
 * {@code byte[]}; {@code <dateTime.iso8601>} is read as its text. XML is parsed with DTDs and
 * external entities disabled.
 */
package mantis.ros.xmlrpc;
