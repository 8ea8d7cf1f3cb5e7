package mantis.ros.xmlrpc;

import java.util.List;

/** Answers one XML-RPC call for an {@link XmlRpcServer}. */
@FunctionalInterface
public interface XmlRpcHandler {
  /**
   * Returns the result value (see the package doc for the Java types). Throwing {@link XmlRpcFault}
   * sends that fault; any other exception becomes a fault with its message.
   */
  Object call(String methodName, List<Object> params) throws Exception;
}
