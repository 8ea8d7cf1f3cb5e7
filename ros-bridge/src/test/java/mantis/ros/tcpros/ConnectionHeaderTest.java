package mantis.ros.tcpros;

import static mantis.ros.tcpros.Tcpros.concat;
import static mantis.ros.tcpros.Tcpros.le32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectionHeaderTest {

  private static byte[] field(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return concat(le32(b.length), b);
  }

  private static ConnectionHeader parse(byte[] bytes) throws IOException {
    return ConnectionHeader.read(new ByteArrayInputStream(bytes), 1024);
  }

  private static String fails(byte[] bytes) {
    return assertThrows(MalformedHeaderException.class, () -> parse(bytes)).getMessage();
  }

  @Test
  void encodingMatchesTheWikiExampleByteForByte() {
    // ROS/TCPROS wiki: a header with two fields, "topic=/chatter" and "type=std_msgs/String"
    Map<String, String> f = new LinkedHashMap<>();
    f.put("topic", "/chatter");
    f.put("type", "std_msgs/String");
    byte[] expected =
        concat(le32(4 + 14 + 4 + 20), field("topic=/chatter"), field("type=std_msgs/String"));
    assertArrayEquals(expected, ConnectionHeader.of(f).encode());
  }

  @Test
  void aHeaderSurvivesEncodeAndReadWithOrderAndEqualsSignsInValues() throws IOException {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("message_definition", "string data\n# a=b\n");
    f.put("callerid", "/mantis");
    f.put("md5sum", "*");
    f.put("empty", "");
    ConnectionHeader h = parse(ConnectionHeader.of(f).encode());
    assertEquals(
        List.of("message_definition", "callerid", "md5sum", "empty"),
        List.copyOf(h.fields().keySet()));
    assertEquals(Optional.of("string data\n# a=b\n"), h.get("message_definition"));
    assertEquals(Optional.of(""), h.get("empty"));
    assertEquals(Optional.empty(), h.get("topic"));
  }

  @Test
  void badHeadersFailWithPreciseMessages() {
    assertTrue(fails(new byte[0]).contains("closed before"));
    assertTrue(fails(new byte[] {5, 0}).contains("truncated"));
    assertTrue(fails(le32(0)).contains("empty"));
    assertTrue(fails(le32(0xFFFFFFFFL)).contains("4294967295 exceeds the limit of 1024"));
    assertTrue(fails(concat(le32(100), field("a=b"))).contains("got 7 of 100"));
    String m = fails(concat(le32(7 + 7), field("a=b"), field("nob")));
    assertTrue(m.contains("field 2") && m.contains("'nob'") && m.contains("no '='"), m);
    m = fails(concat(le32(10), le32(50), "abcdef".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(m.contains("claims 50 bytes but only 6 remain"), m);
    m = fails(concat(le32(9), field("a=b"), new byte[] {1, 2}));
    assertTrue(m.contains("2 stray byte(s)"), m);
    assertTrue(fails(concat(le32(6), field("=x"))).contains("empty key"));
  }

  @Test
  void keysMustBeNonEmptyWithoutEqualsSigns() {
    assertThrows(IllegalArgumentException.class, () -> ConnectionHeader.of(Map.of("a=b", "c")));
    assertThrows(IllegalArgumentException.class, () -> ConnectionHeader.of(Map.of("", "c")));
  }
}
