package mantis.ros.xmlrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XmlRpcCodecTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everySupportedValueSurvivesACallRoundTrip() throws IOException {
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put("gain", 0.25);
    struct.put("names", List.of("a", "b & <c>"));
    struct.put("nested", Map.of("on", true));
    List<Object> params =
        List.of(
            42,
            -7L,
            5_000_000_000L,
            true,
            false,
            "text\r\nline\t2",
            1.5e-9,
            -0.0,
            List.of(),
            struct,
            "",
            "ünïcode ✓");
    XmlRpcCodec.Call call = XmlRpcCodec.decodeCall(utf8(XmlRpcCodec.encodeCall("m", params)));
    assertEquals("m", call.methodName());
    List<Object> back = call.params();
    assertEquals(42, back.get(0));
    assertEquals(-7, back.get(1)); // a Long that fits travels as <int>
    assertEquals(5_000_000_000L, back.get(2));
    assertEquals(true, back.get(3));
    assertEquals(false, back.get(4));
    assertEquals("text\r\nline\t2", back.get(5));
    assertEquals(1.5e-9, back.get(6));
    assertEquals(-0.0, back.get(7));
    assertEquals(List.of(), back.get(8));
    assertEquals(struct, back.get(9));
    assertEquals("", back.get(10));
    assertEquals("ünïcode ✓", back.get(11));
  }

  @Test
  void base64AndNonFiniteDoublesRoundTrip() throws IOException {
    byte[] bytes = {0, 1, (byte) 0xFF, 10, 13};
    Object v =
        XmlRpcCodec.decodeResponse(
            utf8(XmlRpcCodec.encodeResponse(List.of(bytes, Double.NaN, Double.POSITIVE_INFINITY))));
    List<?> l = (List<?>) v;
    assertArrayEquals(bytes, (byte[]) l.get(0));
    assertTrue(Double.isNaN((Double) l.get(1)));
    assertEquals(Double.POSITIVE_INFINITY, l.get(2));
  }

  @Test
  void aValueWithoutATypeTagIsAStringAndI4IsAnInt() throws IOException {
    String xml =
        "<?xml version='1.0'?><methodResponse><params><param><value><array><data>"
            + "<value> plain text </value><value><i4>3</i4></value><value></value>"
            + "<value><string/></value><value><base64>AAEC\nAw==</base64></value>"
            + "</data></array></value></param></params></methodResponse>";
    List<?> l = (List<?>) XmlRpcCodec.decodeResponse(utf8(xml));
    assertEquals(" plain text ", l.get(0));
    assertEquals(3, l.get(1));
    assertEquals("", l.get(2));
    assertEquals("", l.get(3));
    assertArrayEquals(new byte[] {0, 1, 2, 3}, (byte[]) l.get(4));
  }

  @Test
  void aFaultIsThrownWithItsCodeAndString() {
    XmlRpcFault f =
        assertThrows(
            XmlRpcFault.class,
            () -> XmlRpcCodec.decodeResponse(utf8(XmlRpcCodec.encodeFault(7, "bad thing"))));
    assertEquals(7, f.faultCode());
    assertEquals("bad thing", f.faultString());
  }

  @Test
  void malformedDocumentsAreRejectedWithPreciseMessages() {
    assertMalformed("", "empty body");
    assertMalformed("<methodCall><methodName>x</methodName>", "not well-formed");
    assertMalformed("<methodCall/>", "has no <methodName>");
    assertMalformed("<methodResponse/>", "expected <methodCall>");
    assertMalformed(
        "<methodCall><methodName>x</methodName><params><param><value><int>12x</int>"
            + "</value></param></params></methodCall>",
        "'12x' is not a 32-bit integer");
    assertMalformed(
        "<methodCall><methodName>x</methodName><params><param><value><boolean>2"
            + "</boolean></value></param></params></methodCall>",
        "expected 0 or 1");
    assertMalformed(
        "<methodCall><methodName>x</methodName><params><param><value><nil/>"
            + "</value></param></params></methodCall>",
        "unsupported XML-RPC type <nil>");
    assertMalformed(
        "<methodCall><methodName>x</methodName><params><param><value><array>"
            + "</array></value></param></params></methodCall>",
        "<array> has no <data>");
    assertMalformed(
        "<methodCall><methodName>x</methodName><params><param><value><struct>"
            + "<member><value>1</value></member></struct></value></param></params></methodCall>",
        "<member> has no <name>");
  }

  @Test
  void doctypesAndExternalEntitiesAreRefused() {
    String xxe =
        "<?xml version='1.0'?><!DOCTYPE m [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
            + "<methodCall><methodName>&e;</methodName></methodCall>";
    IOException e = assertThrows(IOException.class, () -> XmlRpcCodec.decodeCall(utf8(xxe)));
    assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    String bomb =
        "<?xml version='1.0'?><!DOCTYPE m [<!ENTITY a 'aaaaaaaaaa'>"
            + "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]><methodCall><methodName>&b;</methodName>"
            + "</methodCall>";
    assertThrows(IOException.class, () -> XmlRpcCodec.decodeCall(utf8(bomb)));
  }

  @Test
  void valuesXmlCannotCarryAreRefusedWhenEncoding() {
    IllegalArgumentException ctl =
        assertThrows(
            IllegalArgumentException.class, () -> XmlRpcCodec.encodeResponse("bell\u0007"));
    assertTrue(ctl.getMessage().contains("U+0007"), ctl.getMessage());
    assertThrows(IllegalArgumentException.class, () -> XmlRpcCodec.encodeResponse(new Object()));
    assertThrows(
        IllegalArgumentException.class, () -> XmlRpcCodec.encodeResponse(Map.of(1, "int key")));
    assertThrows(
        IllegalArgumentException.class,
        () -> XmlRpcCodec.encodeResponse(java.util.Arrays.asList("a", null)));
  }

  private static void assertMalformed(String xml, String expected) {
    IOException e = assertThrows(IOException.class, () -> XmlRpcCodec.decodeCall(utf8(xml)));
    assertTrue(
        e.getMessage().contains(expected), "'" + e.getMessage() + "' lacks '" + expected + "'");
  }
}
