package mantis.ros.master;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import mantis.ros.xmlrpc.XmlRpcClient;

/**
 * The ROS 1 master API and parameter server API, called as {@code callerId}. Thread-safe. Each call
 * is limited to the timeout given here; an unreachable master is an {@link IOException}, an answer
 * with a code other than 1 a {@link RosMasterException} (except where a method documents an empty
 * Optional).
 */
public final class MasterClient {
  private final XmlRpcClient rpc;
  private final String callerId;

  public MasterClient(URI master, String callerId, Duration timeout) {
    this.rpc = new XmlRpcClient(master, timeout);
    this.callerId = Objects.requireNonNull(callerId, "callerId");
  }

  public URI uri() {
    return rpc.uri();
  }

  public String callerId() {
    return callerId;
  }

  /** Registers {@code callerApi} as a publisher of {@code topic}; returns the subscribers' APIs. */
  public List<String> registerPublisher(String topic, String type, URI callerApi)
      throws IOException {
    return RosResponses.strings(
        "registerPublisher", call("registerPublisher", topic, type, callerApi.toString()));
  }

  /** Returns how many registrations were removed (0 when there was none). */
  public int unregisterPublisher(String topic, URI callerApi) throws IOException {
    return asInt("unregisterPublisher", call("unregisterPublisher", topic, callerApi.toString()));
  }

  /** Registers {@code callerApi} as a subscriber of {@code topic}; returns the publishers' APIs. */
  public List<String> registerSubscriber(String topic, String type, URI callerApi)
      throws IOException {
    return RosResponses.strings(
        "registerSubscriber", call("registerSubscriber", topic, type, callerApi.toString()));
  }

  /** Returns how many registrations were removed (0 when there was none). */
  public int unregisterSubscriber(String topic, URI callerApi) throws IOException {
    return asInt("unregisterSubscriber", call("unregisterSubscriber", topic, callerApi.toString()));
  }

  /** The slave API URI of node {@code nodeName}; empty when the master does not know the node. */
  public Optional<URI> lookupNode(String nodeName) throws IOException {
    try {
      return Optional.of(URI.create(String.valueOf(call("lookupNode", nodeName))));
    } catch (RosMasterException e) {
      if (e.code() == -1) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Topics with publishers, under {@code subgraph} ("" for all). */
  public List<TopicType> getPublishedTopics(String subgraph) throws IOException {
    return topicTypes("getPublishedTopics", call("getPublishedTopics", subgraph));
  }

  /** Every topic the master knows a type for. */
  public List<TopicType> getTopicTypes() throws IOException {
    return topicTypes("getTopicTypes", call("getTopicTypes"));
  }

  public SystemState getSystemState() throws IOException {
    List<?> v = RosResponses.list("getSystemState", call("getSystemState"));
    if (v.size() != 3) {
      throw new IOException(
          "getSystemState: expected [publishers, subscribers, services], got "
              + RosResponses.shorten(v));
    }
    return new SystemState(graph(v.get(0)), graph(v.get(1)), graph(v.get(2)));
  }

  /** The master's own URI as it reports it. */
  public URI getUri() throws IOException {
    return URI.create(String.valueOf(call("getUri")));
  }

  /** The master process id (changes when the master restarts). */
  public int getPid() throws IOException {
    return asInt("getPid", call("getPid"));
  }

  /** The parameter {@code key} (a value or a struct of a namespace); empty when it is not set. */
  public Optional<Object> getParam(String key) throws IOException {
    try {
      return Optional.of(call("getParam", key));
    } catch (RosMasterException e) {
      if (e.code() == -1) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Sets {@code key}; a Map value sets a namespace of parameters. */
  public void setParam(String key, Object value) throws IOException {
    call("setParam", key, value);
  }

  public boolean hasParam(String key) throws IOException {
    Object v = call("hasParam", key);
    if (!(v instanceof Boolean b)) {
      throw new IOException("hasParam: expected a boolean, got " + RosResponses.shorten(v));
    }
    return b;
  }

  /** Deletes {@code key}; a RosMasterException when it is not set. */
  public void deleteParam(String key) throws IOException {
    call("deleteParam", key);
  }

  /** The closest parameter named {@code key} searching up from the caller's namespace. */
  public Optional<String> searchParam(String key) throws IOException {
    try {
      Object v = call("searchParam", key);
      return v instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    } catch (RosMasterException e) {
      if (e.code() == -1) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public List<String> getParamNames() throws IOException {
    return RosResponses.strings("getParamNames", call("getParamNames"));
  }

  private Object call(String method, Object... args) throws IOException {
    Object[] params = new Object[args.length + 1];
    params[0] = callerId;
    System.arraycopy(args, 0, params, 1, args.length);
    return RosResponses.value(method, rpc.call(method, params));
  }

  private static int asInt(String method, Object v) throws IOException {
    if (!(v instanceof Integer i)) {
      throw new IOException(method + ": expected an int, got " + RosResponses.shorten(v));
    }
    return i;
  }

  private static List<TopicType> topicTypes(String method, Object v) throws IOException {
    List<TopicType> out = new ArrayList<>();
    for (Object o : RosResponses.list(method, v)) {
      List<String> pair = RosResponses.strings(method, o);
      if (pair.size() != 2) {
        throw new IOException(method + ": expected [topic, type], got " + pair);
      }
      out.add(new TopicType(pair.get(0), pair.get(1)));
    }
    return List.copyOf(out);
  }

  private static Map<String, List<String>> graph(Object v) throws IOException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Object o : RosResponses.list("getSystemState", v)) {
      List<?> entry = RosResponses.list("getSystemState", o);
      if (entry.size() != 2 || !(entry.get(0) instanceof String name)) {
        throw new IOException(
            "getSystemState: expected [name, [nodes]], got " + RosResponses.shorten(entry));
      }
      out.put(name, RosResponses.strings("getSystemState", entry.get(1)));
    }
    return out;
  }

  @Override
  public String toString() {
    return "MasterClient[" + rpc.uri() + " as " + callerId + "]";
  }
}
