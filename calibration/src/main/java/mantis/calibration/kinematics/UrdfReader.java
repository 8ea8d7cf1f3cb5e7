package mantis.calibration.kinematics;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Reads URDF files (links and joints; visuals, collisions, inertials and transmissions are ignored)
 * with the JDK's XML parser. DOCTYPEs and external entities are refused. Every error is an {@link
 * IllegalArgumentException} whose message names the source and the element.
 */
public final class UrdfReader {
  private UrdfReader() {}

  /** Reads a URDF file. */
  public static UrdfRobot read(Path file) throws IOException {
    String xml = Files.readString(file);
    return parse(xml, file.toString());
  }

  /** Reads a URDF from a stream (e.g. a classpath resource); {@code source} names it in errors. */
  public static UrdfRobot read(InputStream in, String source) throws IOException {
    return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), source);
  }

  /** Parses URDF text; {@code source} names it in errors. */
  public static UrdfRobot parse(String xml, String source) {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      doc = b.parse(new InputSource(new StringReader(xml)));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("no usable XML parser", e);
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException(source + ": not well-formed XML: " + e.getMessage(), e);
    }
    Element robot = doc.getDocumentElement();
    if (!robot.getTagName().equals("robot")) {
      throw new IllegalArgumentException(
          source + ": the root element must be <robot>, got <" + robot.getTagName() + ">");
    }
    String name = robot.getAttribute("name");
    Set<String> links = new LinkedHashSet<>();
    for (Element link : children(robot, "link")) {
      String linkName = requireAttribute(link, "name", source + ": <link>");
      if (!links.add(linkName)) {
        throw new IllegalArgumentException(source + ": link " + linkName + " is defined twice");
      }
    }
    List<UrdfJoint> joints = new ArrayList<>();
    Set<String> jointNames = new HashSet<>();
    Set<String> childLinks = new HashSet<>();
    for (Element joint : children(robot, "joint")) {
      UrdfJoint j = joint(joint, source, links);
      if (!jointNames.add(j.name())) {
        throw new IllegalArgumentException(source + ": joint " + j.name() + " is defined twice");
      }
      if (!childLinks.add(j.childLink())) {
        throw new IllegalArgumentException(
            source + ": joint " + j.name() + ": link " + j.childLink() + " has two parent joints");
      }
      joints.add(j);
    }
    return new UrdfRobot(source, name, new ArrayList<>(links), joints);
  }

  private static UrdfJoint joint(Element e, String source, Set<String> links) {
    String name = requireAttribute(e, "name", source + ": <joint>");
    String where = source + ": joint " + name;
    String typeName = requireAttribute(e, "type", where);
    JointType type;
    switch (typeName) {
      case "revolute" -> type = JointType.REVOLUTE;
      case "continuous" -> type = JointType.CONTINUOUS;
      case "prismatic" -> type = JointType.PRISMATIC;
      case "fixed" -> type = JointType.FIXED;
      case "floating", "planar" ->
          throw new IllegalArgumentException(
              where
                  + ": joint type "
                  + typeName
                  + " is not supported (revolute, continuous, prismatic, fixed)");
      default ->
          throw new IllegalArgumentException(
              where
                  + ": unknown joint type '"
                  + typeName
                  + "' (revolute, continuous, prismatic, fixed)");
    }
    String parent =
        requireAttribute(single(e, "parent", where, true), "link", where + ": <parent>");
    String child = requireAttribute(single(e, "child", where, true), "link", where + ": <child>");
    for (String link : List.of(parent, child)) {
      if (!links.contains(link)) {
        throw new IllegalArgumentException(where + ": refers to undefined link " + link);
      }
    }
    if (parent.equals(child)) {
      throw new IllegalArgumentException(where + ": parent and child are both " + parent);
    }
    Transform origin = Transform.IDENTITY;
    Element o = single(e, "origin", where, false);
    if (o != null) {
      double[] xyz = triple(o, "xyz", where + ": <origin>");
      double[] rpy = triple(o, "rpy", where + ": <origin>");
      origin = Transform.fromXyzRpy(xyz[0], xyz[1], xyz[2], rpy[0], rpy[1], rpy[2]);
    }
    double[] axis = {1, 0, 0};
    Element a = single(e, "axis", where, false);
    if (a != null) {
      axis = triple(a, "xyz", where + ": <axis>");
      if (!a.hasAttribute("xyz")) {
        axis = new double[] {1, 0, 0};
      }
    }
    double n = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
    if (type.moves() && !(n > 1e-12)) {
      throw new IllegalArgumentException(where + ": <axis> must not be zero");
    }
    if (n > 1e-12) {
      axis = new double[] {axis[0] / n, axis[1] / n, axis[2] / n};
    }
    double lower = Double.NEGATIVE_INFINITY;
    double upper = Double.POSITIVE_INFINITY;
    double velocity = Double.POSITIVE_INFINITY;
    double effort = Double.POSITIVE_INFINITY;
    Element limit = single(e, "limit", where, false);
    boolean needsBounds = type == JointType.REVOLUTE || type == JointType.PRISMATIC;
    if (needsBounds && limit == null) {
      throw new IllegalArgumentException(
          where + ": a " + type.urdfName() + " joint needs <limit lower=... upper=...>");
    }
    if (limit != null) {
      String lw = where + ": <limit>";
      if (needsBounds) {
        if (!limit.hasAttribute("lower") || !limit.hasAttribute("upper")) {
          throw new IllegalArgumentException(
              lw + ": a " + type.urdfName() + " joint needs both lower and upper");
        }
        lower = number(limit.getAttribute("lower"), lw + " lower");
        upper = number(limit.getAttribute("upper"), lw + " upper");
        if (!(lower < upper)) {
          throw new IllegalArgumentException(
              lw + ": lower (" + lower + ") must be below upper (" + upper + ")");
        }
      }
      if (limit.hasAttribute("velocity")) {
        velocity = number(limit.getAttribute("velocity"), lw + " velocity");
        if (!(velocity > 0)) {
          throw new IllegalArgumentException(lw + ": velocity must be > 0, got " + velocity);
        }
      }
      if (limit.hasAttribute("effort")) {
        effort = number(limit.getAttribute("effort"), lw + " effort");
        if (!(effort >= 0)) {
          throw new IllegalArgumentException(lw + ": effort must be >= 0, got " + effort);
        }
      }
    }
    return new UrdfJoint(
        name, type, parent, child, origin, axis[0], axis[1], axis[2], lower, upper, velocity,
        effort);
  }

  private static double[] triple(Element e, String attribute, String where) {
    if (!e.hasAttribute(attribute)) {
      return new double[3];
    }
    String text = e.getAttribute(attribute).trim();
    String[] parts = text.isEmpty() ? new String[0] : text.split("\\s+");
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          where + " " + attribute + "='" + text + "' must be three numbers");
    }
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      out[i] = number(parts[i], where + " " + attribute);
    }
    return out;
  }

  private static double number(String text, String where) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": '" + text + "' is not a number", e);
    }
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(where + ": '" + text + "' is not a finite number");
    }
    return v;
  }

  private static String requireAttribute(Element e, String attribute, String where) {
    String v = e.getAttribute(attribute).trim();
    if (v.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": <" + e.getTagName() + "> needs a " + attribute + " attribute");
    }
    return v;
  }

  private static Element single(Element parent, String tag, String where, boolean required) {
    List<Element> found = children(parent, tag);
    if (found.size() > 1) {
      throw new IllegalArgumentException(where + ": more than one <" + tag + ">");
    }
    if (found.isEmpty()) {
      if (required) {
        throw new IllegalArgumentException(where + ": missing <" + tag + ">");
      }
      return null;
    }
    return found.get(0);
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element el && el.getTagName().equals(tag)) {
        out.add(el);
      }
    }
    return out;
  }
}
