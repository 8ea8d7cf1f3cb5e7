package mantis.ros.xmlrpc;

import java.io.IOException;

/** An XML-RPC {@code <fault>}: the remote side answered, with an error. */
public final class XmlRpcFault extends IOException {
  private final int faultCode;
  private final String faultString;

  public XmlRpcFault(int faultCode, String faultString) {
    super("XML-RPC fault " + faultCode + ": " + faultString);
    this.faultCode = faultCode;
    this.faultString = faultString;
  }

  public int faultCode() {
    return faultCode;
  }

  public String faultString() {
    return faultString;
  }
}
