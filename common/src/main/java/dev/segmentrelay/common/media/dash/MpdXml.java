package dev.segmentrelay.common.media.dash;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * DOM helpers for MPDs: child lookup by local name (MPDs come with and without the DASH namespace)
 * and serialisation.
 */
public final class MpdXml {
  /** The MPD namespace of ISO/IEC 23009-1. */
  public static final String DASH_NAMESPACE = "urn:mpeg:dash:schema:mpd:2011";

  private static final byte[] XML_DECLARATION =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".getBytes(StandardCharsets.UTF_8);

  private MpdXml() {}

  /** The child elements of {@code parent} with the given local name, in document order. */
  public static List<Element> children(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(localName(e))) {
        out.add(e);
      }
    }
    return out;
  }

  /** The first child element with the given local name. */
  public static Optional<Element> child(Element parent, String localName) {
    List<Element> all = children(parent, localName);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** Removes every child element with one of the given local names. */
  public static void removeChildren(Element parent, String... localNames) {
    for (String name : localNames) {
      for (Element e : children(parent, name)) {
        parent.removeChild(e);
      }
    }
  }

  /** Creates an element in the same namespace and with the same prefix as {@code sibling}. */
  public static Element createLike(Element sibling, String localName) {
    Document doc = sibling.getOwnerDocument();
    String ns = sibling.getNamespaceURI();
    if (ns == null) {
      return doc.createElement(localName);
    }
    String prefix = sibling.getPrefix();
    return doc.createElementNS(ns, prefix == null ? localName : prefix + ":" + localName);
  }

  /** The element's local name, or its tag name when it was built without namespaces. */
  public static String localName(Element e) {
    return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
  }

  /**
   * Serialises a document as indented UTF-8 with an XML declaration. Attributes come out in the
   * order the JDK's DOM keeps them (alphabetical), which XML does not give a meaning to.
   */
  public static byte[] write(Document document) {
    try {
      TransformerFactory factory = TransformerFactory.newInstance();
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer transformer = factory.newTransformer();
      transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      // Written by hand: the JDK puts the root element on the declaration's line.
      transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      transformer.setOutputProperty(OutputKeys.INDENT, "yes");
      transformer.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
      out.writeBytes(XML_DECLARATION);
      transformer.transform(new DOMSource(document), new StreamResult(out));
      return out.toByteArray();
    } catch (TransformerException e) {
      throw new IllegalStateException("cannot serialise MPD: " + e.getMessage(), e);
    }
  }
}
