package mantis.ros.xmlrpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/** XML-RPC documents to and from Java values (see the package doc for the mapping). */
final class XmlRpcCodec {
  /** A decoded {@code <methodCall>}. */
  record Call(String methodName, List<Object> params) {}

  private static final DocumentBuilderFactory FACTORY = secureFactory();

  private XmlRpcCodec() {}

  static String encodeCall(String methodName, List<?> params) {
    if (methodName == null || methodName.isEmpty()) {
      throw new IllegalArgumentException("XML-RPC method name must not be empty");
    }
    StringBuilder sb = new StringBuilder(256);
    sb.append("<?xml version=\"1.0\"?>\n<methodCall><methodName>");
    escape(methodName, sb);
    sb.append("</methodName><params>");
    for (Object p : params) {
      sb.append("<param>");
      encodeValue(p, sb);
      sb.append("</param>");
    }
    sb.append("</params></methodCall>\n");
    return sb.toString();
  }

  static String encodeResponse(Object value) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("<?xml version=\"1.0\"?>\n<methodResponse><params><param>");
    encodeValue(value, sb);
    sb.append("</param></params></methodResponse>\n");
    return sb.toString();
  }

  static String encodeFault(int code, String message) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("<?xml version=\"1.0\"?>\n<methodResponse><fault>");
    encodeValue(Map.of("faultCode", code, "faultString", clean(message)), sb);
    sb.append("</fault></methodResponse>\n");
    return sb.toString();
  }

  /** Encodes one {@code <value>}; throws IllegalArgumentException for unsupported values. */
  static void encodeValue(Object v, StringBuilder sb) {
    if (v instanceof Object[] arr) {
      encodeValue(Arrays.asList(arr), sb);
      return;
    }
    sb.append("<value>");
    if (v == null) {
      throw new IllegalArgumentException("XML-RPC (as ROS uses it) has no null value");
    } else if (v instanceof String s) {
      sb.append("<string>");
      escape(s, sb);
      sb.append("</string>");
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      sb.append("<int>").append(((Number) v).intValue()).append("</int>");
    } else if (v instanceof Long l) {
      if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        sb.append("<int>").append(l).append("</int>");
      } else {
        sb.append("<i8>").append(l).append("</i8>");
      }
    } else if (v instanceof Boolean b) {
      sb.append("<boolean>").append(b ? '1' : '0').append("</boolean>");
    } else if (v instanceof Double || v instanceof Float) {
      sb.append("<double>").append(formatDouble(((Number) v).doubleValue())).append("</double>");
    } else if (v instanceof byte[] bytes) {
      sb.append("<base64>").append(Base64.getEncoder().encodeToString(bytes)).append("</base64>");
    } else if (v instanceof List<?> list) {
      sb.append("<array><data>");
      for (Object o : list) {
        encodeValue(o, sb);
      }
      sb.append("</data></array>");
    } else if (v instanceof Map<?, ?> map) {
      sb.append("<struct>");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "XML-RPC struct keys must be strings, got "
                  + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
        }
        sb.append("<member><name>");
        escape(key, sb);
        sb.append("</name>");
        encodeValue(e.getValue(), sb);
        sb.append("</member>");
      }
      sb.append("</struct>");
    } else {
      throw new IllegalArgumentException(
          "no XML-RPC type for "
              + v.getClass().getName()
              + " (use Integer, Long, Boolean, String, Double, List, Map<String, ?> or byte[])");
    }
    sb.append("</value>");
  }

  static Call decodeCall(byte[] xml) throws IOException {
    Element root = parse(xml);
    if (!root.getTagName().equals("methodCall")) {
      throw new IOException(
          "malformed XML-RPC call: root element is <"
              + root.getTagName()
              + ">, expected <methodCall>");
    }
    Element name = child(root, "methodName", "<methodCall>");
    String methodName = name.getTextContent().trim();
    if (methodName.isEmpty()) {
      throw new IOException("malformed XML-RPC call: empty <methodName>");
    }
    List<Object> params = new ArrayList<>();
    Element paramsEl = optionalChild(root, "params");
    if (paramsEl != null) {
      for (Element param : elements(paramsEl)) {
        if (!param.getTagName().equals("param")) {
          throw new IOException(
              "malformed XML-RPC call: <"
                  + param.getTagName()
                  + "> inside <params>, expected <param>");
        }
        params.add(decodeValue(child(param, "value", "<param>")));
      }
    }
    return new Call(methodName, Collections.unmodifiableList(params));
  }

  /** The response's value; a {@code <fault>} is thrown as {@link XmlRpcFault}. */
  static Object decodeResponse(byte[] xml) throws IOException {
    Element root = parse(xml);
    if (!root.getTagName().equals("methodResponse")) {
      throw new IOException(
          "malformed XML-RPC response: root element is <"
              + root.getTagName()
              + ">, expected <methodResponse>");
    }
    Element fault = optionalChild(root, "fault");
    if (fault != null) {
      Object f = decodeValue(child(fault, "value", "<fault>"));
      if (!(f instanceof Map<?, ?> m) || !(m.get("faultCode") instanceof Number code)) {
        throw new IOException(
            "malformed XML-RPC fault: expected a struct with an int faultCode," + " got " + f);
      }
      Object msg = m.get("faultString");
      throw new XmlRpcFault(code.intValue(), msg == null ? "" : msg.toString());
    }
    Element params = child(root, "params", "<methodResponse>");
    List<Element> list = elements(params);
    if (list.size() != 1 || !list.get(0).getTagName().equals("param")) {
      throw new IOException(
          "malformed XML-RPC response: <params> must hold exactly one <param>,"
              + " found "
              + list.size()
              + " elements");
    }
    return decodeValue(child(list.get(0), "value", "<param>"));
  }

  static Object decodeValue(Element value) throws IOException {
    if (!value.getTagName().equals("value")) {
      throw new IOException(
          "malformed XML-RPC: <" + value.getTagName() + "> where <value> was" + " expected");
    }
    List<Element> kids = elements(value);
    if (kids.isEmpty()) {
      return value.getTextContent(); // no type tag: a string
    }
    if (kids.size() > 1) {
      throw new IOException("malformed XML-RPC: <value> holds " + kids.size() + " elements");
    }
    Element t = kids.get(0);
    String text = t.getTextContent();
    switch (t.getTagName()) {
      case "string":
        return text;
      case "int":
      case "i4":
        try {
          return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
          throw new IOException(
              "malformed XML-RPC <"
                  + t.getTagName()
                  + ">: '"
                  + shorten(text)
                  + "' is not a 32-bit integer");
        }
      case "i8":
        try {
          return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
          throw new IOException(
              "malformed XML-RPC <i8>: '" + shorten(text) + "' is not a 64-bit integer");
        }
      case "boolean":
        switch (text.trim()) {
          case "1":
            return Boolean.TRUE;
          case "0":
            return Boolean.FALSE;
          default:
            throw new IOException(
                "malformed XML-RPC <boolean>: '" + shorten(text) + "', expected 0 or 1");
        }
      case "double":
        return parseDouble(text.trim());
      case "base64":
        try {
          return Base64.getMimeDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
          throw new IOException("malformed XML-RPC <base64>: " + e.getMessage());
        }
      case "dateTime.iso8601":
        return text.trim();
      case "array":
        {
          Element data = child(t, "data", "<array>");
          List<Object> out = new ArrayList<>();
          for (Element v : elements(data)) {
            out.add(decodeValue(v));
          }
          return Collections.unmodifiableList(out);
        }
      case "struct":
        {
          Map<String, Object> out = new LinkedHashMap<>();
          for (Element member : elements(t)) {
            if (!member.getTagName().equals("member")) {
              throw new IOException(
                  "malformed XML-RPC: <"
                      + member.getTagName()
                      + "> inside <struct>, expected <member>");
            }
            String key = child(member, "name", "<member>").getTextContent();
            out.put(key, decodeValue(child(member, "value", "<member>")));
          }
          return Collections.unmodifiableMap(out);
        }
      default:
        throw new IOException("unsupported XML-RPC type <" + t.getTagName() + ">");
    }
  }

  private static Element parse(byte[] xml) throws IOException {
    if (xml.length == 0) {
      throw new IOException("malformed XML-RPC: empty body");
    }
    try {
      DocumentBuilder builder;
      synchronized (FACTORY) {
        builder = FACTORY.newDocumentBuilder();
      }
      builder.setErrorHandler(new DefaultHandler()); // no printing to stderr
      Document doc = builder.parse(new ByteArrayInputStream(xml));
      return doc.getDocumentElement();
    } catch (SAXException e) {
      throw new IOException("malformed XML-RPC (not well-formed XML): " + e.getMessage());
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DocumentBuilderFactory secureFactory() {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    try {
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("cannot configure a safe XML parser", e);
    }
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setNamespaceAware(false);
    return f;
  }

  private static List<Element> elements(Element parent) throws IOException {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.ELEMENT_NODE) {
        out.add((Element) n);
      } else if ((n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE)
          && !n.getNodeValue().isBlank()
          && !parent.getTagName().equals("value")) {
        throw new IOException(
            "malformed XML-RPC: unexpected text '"
                + shorten(n.getNodeValue())
                + "' inside <"
                + parent.getTagName()
                + ">");
      }
    }
    return out;
  }

  private static Element optionalChild(Element parent, String tag) throws IOException {
    for (Element e : elements(parent)) {
      if (e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static Element child(Element parent, String tag, String where) throws IOException {
    Element e = optionalChild(parent, tag);
    if (e == null) {
      throw new IOException("malformed XML-RPC: " + where + " has no <" + tag + ">");
    }
    return e;
  }

  private static Double parseDouble(String s) throws IOException {
    switch (s.toLowerCase()) {
      case "nan":
        return Double.NaN;
      case "inf":
      case "infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf":
      case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new IOException("malformed XML-RPC <double>: '" + shorten(s) + "'");
        }
    }
  }

  private static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return Double.toString(d); // keeps the sign of -0.0
    }
    return BigDecimal.valueOf(d).toPlainString();
  }

  private static void escape(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&':
          sb.append("&amp;");
          break;
        case '<':
          sb.append("&lt;");
          break;
        case '>':
          sb.append("&gt;");
          break;
        case '\r':
          sb.append("&#13;");
          break;
        default:
          if (c < 0x20 && c != '\t' && c != '\n') {
            throw new IllegalArgumentException(
                "XML cannot carry control character U+"
                    + String.format("%04X", (int) c)
                    + " in an XML-RPC string");
          }
          sb.append(c);
      }
    }
  }

  /** Fault text must be encodable: control characters become '?'. */
  private static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : c);
    }
    return sb.toString();
  }

  static String shorten(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
