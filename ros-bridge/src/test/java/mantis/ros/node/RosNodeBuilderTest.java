package mantis.ros.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RosNodeBuilderTest {
  private static final URI MASTER = URI.create("http://127.0.0.1:11311/");

  @Test
  void nodeNamesBecomeGlobalAndInvalidOnesAreRefusedWithTheRule() {
    assertEquals(
        "/mantis_bridge",
        RosNode.builder()
            .setName("mantis_bridge")
            .setMasterUri(MASTER)
            .optHost("127.0.0.1")
            .build()
            .name());
    assertEquals(
        "/robot/bridge",
        RosNode.builder()
            .setName("/robot/bridge")
            .setMasterUri(MASTER)
            .optHost("127.0.0.1")
            .build()
            .name());
    for (String bad : new String[] {"", "1node", "a b", "~priv", "a//b", "a/", "/", "nö"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> RosNode.builder().setName(bad).setMasterUri(MASTER).build(),
              bad);
      assertTrue(e.getMessage().contains("node name"), e.getMessage());
    }
  }

  @Test
  void missingOrNonHttpMasterAndBadOptionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RosNode.builder().setName("n").build());
    assertThrows(
        IllegalArgumentException.class, () -> RosNode.builder().setMasterUri(MASTER).build());
    IllegalArgumentException https =
        assertThrows(
            IllegalArgumentException.class,
            () -> RosNode.builder().setName("n").setMasterUri(URI.create("https://h:1/")).build());
    assertTrue(https.getMessage().contains("http://host:port/"), https.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RosNode.builder().setName("n").setMasterUri(URI.create("http://h/")).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> RosNode.builder().setName("n").setMasterUri(MASTER).optTcpPort(70000).build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RosNode.builder()
                .setName("n")
                .setMasterUri(MASTER)
                .optMasterPollPeriod(Duration.ZERO)
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> RosNode.builder().setName("n").setMasterUri(MASTER).optHost("bad host").build());
  }

  @Test
  void topicNamesResolveAgainstTheRootAndPrivateNamesAgainstTheNode() {
    assertEquals("/joint_states", Names.resolve("/bridge", "joint_states", "topic"));
    assertEquals("/arm/joint_states", Names.resolve("/bridge", "arm/joint_states", "topic"));
    assertEquals("/arm/cmd", Names.resolve("/bridge", "/arm/cmd", "topic"));
    assertEquals("/bridge/debug", Names.resolve("/bridge", "~debug", "topic"));
    for (String bad : new String[] {"", "/", "a//b", "a/", "~", "~/x", "a~b", "9lives", "sp ace"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> Names.resolve("/bridge", bad, "topic"), bad);
      assertTrue(e.getMessage().contains("topic name"), e.getMessage());
    }
  }

  @Test
  void aNodeIsUnusableBeforeStartAndAfterClose() throws Exception {
    RosNode node = RosNode.builder().setName("n").setMasterUri(MASTER).optHost("127.0.0.1").build();
    IllegalStateException before =
        assertThrows(
            IllegalStateException.class,
            () ->
                node.advertise(
                    "t", mantis.ros.msg.RosMessages.STRING, PublisherOptions.defaults()));
    assertTrue(before.getMessage().contains("start()"), before.getMessage());
    node.close();
    node.close();
    assertThrows(IllegalStateException.class, node::start);
  }
}
