package mantis.ros.node;

import java.util.ArrayList;
import java.util.List;
import mantis.ros.tcpros.BusConnection;
import mantis.ros.xmlrpc.XmlRpcFault;
import mantis.ros.xmlrpc.XmlRpcHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ROS 1 slave API of a {@link RosNode}, answering {@code [code, statusMessage, value]} triples.
 * Unknown methods and wrong arguments are XML-RPC faults.
 */
final class SlaveApi implements XmlRpcHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SlaveApi.class);

  private final RosNode node;

  SlaveApi(RosNode node) {
    this.node = node;
  }

  @Override
  public Object call(String method, List<Object> params) throws XmlRpcFault {
    switch (method) {
      case "getBusStats":
        args(method, params, 1);
        return ok("bus stats", busStats());
      case "getBusInfo":
        args(method, params, 1);
        return ok("bus info", busInfo());
      case "getMasterUri":
        args(method, params, 1);
        return ok("", node.masterUri().toString());
      case "shutdown":
        {
          if (params.isEmpty()) {
            throw new XmlRpcFault(-1, "shutdown expects (caller_id[, msg])");
          }
          String why = params.size() > 1 ? String.valueOf(params.get(1)) : "";
          LOG.warn("node {}: {} asked it to shut down: {}", node.name(), params.get(0), why);
          node.shutdownRequested(String.valueOf(params.get(0)), why);
          return ok("shutdown", 0);
        }
      case "getPid":
        args(method, params, 1);
        return ok("", (int) ProcessHandle.current().pid());
      case "getSubscriptions":
        args(method, params, 1);
        return ok("subscriptions", topicTypes(false));
      case "getPublications":
        args(method, params, 1);
        return ok("publications", topicTypes(true));
      case "paramUpdate":
        args(method, params, 3);
        LOG.debug(
            "node {}: paramUpdate {} (ignored: no parameters subscribed)",
            node.name(),
            params.get(1));
        return ok("", 0);
      case "publisherUpdate":
        {
          args(method, params, 3);
          String topic = string(method, params.get(1));
          if (!(params.get(2) instanceof List<?> list)) {
            throw new XmlRpcFault(-1, "publisherUpdate: publishers must be a list of URIs");
          }
          List<String> uris = new ArrayList<>();
          for (Object o : list) {
            uris.add(string(method, o));
          }
          NodeSubscriber<?> sub = node.subscriberOf(topic);
          if (sub == null) {
            return List.of(0, "not subscribed to " + topic, 0);
          }
          LOG.debug("node {}: publishers of {} are now {}", node.name(), topic, uris);
          sub.subscription.setPublishers(uris);
          return ok("publishers updated", 0);
        }
      case "requestTopic":
        args(method, params, 3);
        return requestTopic(string(method, params.get(1)), params.get(2));
      default:
        throw new XmlRpcFault(-1, "method " + method + " is not part of the ROS slave API");
    }
  }

  private Object requestTopic(String topic, Object protocols) throws XmlRpcFault {
    if (node.publisherOf(topic) == null) {
      return List.of(-1, "node " + node.name() + " does not publish " + topic, List.of());
    }
    if (!(protocols instanceof List<?> list)) {
      throw new XmlRpcFault(-1, "requestTopic: protocols must be a list of lists");
    }
    for (Object p : list) {
      if (p instanceof List<?> proto && !proto.isEmpty() && "TCPROS".equals(proto.get(0))) {
        return List.of(
            1,
            "ready on " + node.host() + ":" + node.tcprosPort(),
            List.of("TCPROS", node.host(), node.tcprosPort()));
      }
    }
    return List.of(0, "no supported protocol among " + protocols + " (only TCPROS)", List.of());
  }

  private List<Object> busInfo() {
    List<Object> out = new ArrayList<>();
    for (NodePublisher<?> p : node.publishers()) {
      for (BusConnection c : p.publication.connections()) {
        out.add(busInfoEntry(c));
      }
    }
    for (NodeSubscriber<?> s : node.subscribers()) {
      for (BusConnection c : s.subscription.connections()) {
        out.add(busInfoEntry(c));
      }
    }
    return out;
  }

  private static List<Object> busInfoEntry(BusConnection c) {
    String dir = String.valueOf(c.direction());
    return List.of(
        c.id(),
        c.peer(),
        dir,
        "TCPROS",
        c.topic(),
        c.connected(),
        "TCPROS connection " + (c.direction() == 'o' ? "to " : "from ") + c.peer());
  }

  private List<Object> busStats() {
    List<Object> pubs = new ArrayList<>();
    for (NodePublisher<?> p : node.publishers()) {
      List<Object> conns = new ArrayList<>();
      for (BusConnection c : p.publication.connections()) {
        conns.add(List.of(c.id(), 0, 0, c.connected()));
      }
      pubs.add(List.of(p.topic(), (int) Math.min(Integer.MAX_VALUE, p.published()), conns));
    }
    List<Object> subs = new ArrayList<>();
    for (NodeSubscriber<?> s : node.subscribers()) {
      List<Object> conns = new ArrayList<>();
      for (BusConnection c : s.subscription.connections()) {
        conns.add(List.of(c.id(), 0, -1, c.connected()));
      }
      subs.add(List.of(s.topic(), conns));
    }
    return List.of(pubs, subs, List.of(0, 0, 0));
  }

  private List<Object> topicTypes(boolean publications) {
    List<Object> out = new ArrayList<>();
    if (publications) {
      for (NodePublisher<?> p : node.publishers()) {
        out.add(List.of(p.topic(), p.type().type()));
      }
    } else {
      for (NodeSubscriber<?> s : node.subscribers()) {
        out.add(List.of(s.topic(), s.type().type()));
      }
    }
    return out;
  }

  private static List<Object> ok(String message, Object value) {
    return List.of(1, message, value);
  }

  private static void args(String method, List<Object> params, int n) throws XmlRpcFault {
    if (params.size() != n) {
      throw new XmlRpcFault(-1, method + " expects " + n + " parameters, got " + params.size());
    }
  }

  private static String string(String method, Object o) throws XmlRpcFault {
    if (!(o instanceof String s)) {
      throw new XmlRpcFault(-1, method + ": expected a string, got " + o);
    }
    return s;
  }
}
