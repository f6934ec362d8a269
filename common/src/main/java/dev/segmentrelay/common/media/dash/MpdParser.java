package dev.segmentrelay.common.media.dash;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads an MPD into {@link Mpd}. Refuses DOCTYPEs and external entities (an MPD comes from a
 * network peer). Supports what live transcoders emit: SegmentTemplate at Period, AdaptationSet or
 * Representation level, with a SegmentTimeline or with {@code @duration}; SegmentBase and
 * SegmentList are refused with a message saying so.
 *
 * <p>Every refusal is an {@link MpdParseException} whose message names the element (as a path such
 * as {@code Period[0]/AdaptationSet[1]/Representation[id=v1]/SegmentTemplate}), the attribute and
 * the value.
 */
public final class MpdParser {
  private static final ThreadLocal<DocumentBuilder> BUILDERS =
      ThreadLocal.withInitial(MpdParser::newBuilder);
  private static final ErrorHandler SILENT =
      new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      };

  private MpdParser() {}

  /** Parses an MPD given as text. */
  public static Mpd parse(String xml, URI location) {
    return parse(xml.getBytes(StandardCharsets.UTF_8), location);
  }

  /**
   * Parses an MPD.
   *
   * @param xml the document as fetched
   * @param location where it was fetched from (relative URLs resolve against it)
   * @throws MpdParseException naming what is wrong
   */
  public static Mpd parse(byte[] xml, URI location) {
    if (xml.length == 0) {
      throw new MpdParseException("MPD is empty (0 bytes)");
    }
    Document document = readXml(xml);
    Element root = document.getDocumentElement();
    if (!"MPD".equals(MpdXml.localName(root))) {
      throw new MpdParseException(
          "root element is <" + root.getTagName() + ">, expected <MPD>: not a DASH manifest");
    }
    removeWhitespaceText(root);

    String typeText = root.hasAttribute("type") ? root.getAttribute("type") : "static";
    Mpd.Type type =
        switch (typeText) {
          case "static" -> Mpd.Type.STATIC;
          case "dynamic" -> Mpd.Type.DYNAMIC;
          default ->
              throw new MpdParseException(
                  "MPD@type '" + typeText + "' is neither 'static' nor 'dynamic'");
        };
    Optional<Instant> availabilityStart = dateTime(root, "availabilityStartTime", "MPD");
    if (type == Mpd.Type.DYNAMIC && availabilityStart.isEmpty()) {
      throw new MpdParseException(
          "MPD@availabilityStartTime is missing: a dynamic MPD must have one");
    }
    Optional<Duration> presentationDuration = duration(root, "mediaPresentationDuration", "MPD");
    URI mpdBase = baseUrl(root, location, "MPD");

    List<Element> periodElements = MpdXml.children(root, "Period");
    if (periodElements.isEmpty()) {
      throw new MpdParseException("MPD has no Period element");
    }
    List<Duration> starts = new ArrayList<>();
    Duration previousEnd = Duration.ZERO;
    for (int i = 0; i < periodElements.size(); i++) {
      Element p = periodElements.get(i);
      String where = "Period[" + i + "]";
      Duration start = duration(p, "start", where).orElse(previousEnd);
      starts.add(start);
      Optional<Duration> own = duration(p, "duration", where);
      previousEnd = own.map(start::plus).orElse(start);
    }
    List<Period> periods = new ArrayList<>();
    for (int i = 0; i < periodElements.size(); i++) {
      Element p = periodElements.get(i);
      String where = "Period[" + i + "]";
      Duration start = starts.get(i);
      Optional<Duration> length = duration(p, "duration", where);
      if (length.isEmpty() && i + 1 < periodElements.size()) {
        length = Optional.of(starts.get(i + 1).minus(start));
      } else if (length.isEmpty() && presentationDuration.isPresent()) {
        length = Optional.of(presentationDuration.get().minus(start));
      }
      if (length.isPresent() && length.get().isNegative()) {
        throw new MpdParseException(
            where + " starts at " + XsDuration.format(start) + ", after the next one starts");
      }
      periods.add(period(p, i, start, length, mpdBase, where));
    }
    return new Mpd(
        document,
        location,
        type,
        availabilityStart,
        dateTime(root, "publishTime", "MPD"),
        duration(root, "minimumUpdatePeriod", "MPD"),
        duration(root, "timeShiftBufferDepth", "MPD"),
        duration(root, "suggestedPresentationDelay", "MPD"),
        duration(root, "maxSegmentDuration", "MPD"),
        presentationDuration,
        periods);
  }

  private static Period period(
      Element p,
      int index,
      Duration start,
      Optional<Duration> length,
      URI parentBase,
      String where) {
    URI base = baseUrl(p, parentBase, where);
    Layer periodTemplate = Layer.of(p, where).orElse(Layer.EMPTY);
    List<AdaptationSet> sets = new ArrayList<>();
    List<Element> setElements = MpdXml.children(p, "AdaptationSet");
    for (int a = 0; a < setElements.size(); a++) {
      Element as = setElements.get(a);
      String asWhere = where + "/AdaptationSet[" + a + "]";
      URI asBase = baseUrl(as, base, asWhere);
      Layer asTemplate = periodTemplate.under(Layer.of(as, asWhere));
      List<Representation> reps = new ArrayList<>();
      for (Element r : MpdXml.children(as, "Representation")) {
        reps.add(representation(r, as, index, a, asBase, asTemplate, asWhere));
      }
      sets.add(
          new AdaptationSet(
              a, text(as, "id"), text(as, "contentType"), text(as, "mimeType"), reps));
    }
    return new Period(index, text(p, "id"), start, length, sets);
  }

  private static Representation representation(
      Element r,
      Element as,
      int periodIndex,
      int setIndex,
      URI parentBase,
      Layer inherited,
      String setWhere) {
    String id = text(r, "id").orElse("");
    if (id.isBlank()) {
      throw new MpdParseException(setWhere + "/Representation@id is missing");
    }
    String where = setWhere + "/Representation[id=" + id + "]";
    long bandwidth =
        number(r, "bandwidth", where)
            .orElseThrow(() -> new MpdParseException(where + "@bandwidth is missing"));
    URI base = baseUrl(r, parentBase, where);
    if (!MpdXml.children(r, "SegmentBase").isEmpty()
        || !MpdXml.children(r, "SegmentList").isEmpty()) {
      throw new MpdParseException(
          where + " uses SegmentBase or SegmentList: only SegmentTemplate is supported");
    }
    Layer layer = inherited.under(Layer.of(r, where));
    if (layer == Layer.EMPTY) {
      throw new MpdParseException(
          where + " has no SegmentTemplate (on it, its AdaptationSet or its Period)");
    }
    SegmentTemplate template = layer.template();
    requireResolvable(base, template.media(), id, bandwidth, layer.where() + "@media");
    template
        .initialization()
        .ifPresent(
            init ->
                requireResolvable(base, init, id, bandwidth, layer.where() + "@initialization"));
    return new Representation(
        id,
        bandwidth,
        text(r, "codecs").or(() -> text(as, "codecs")),
        text(r, "mimeType").or(() -> text(as, "mimeType")),
        intAttribute(r, "width", where),
        intAttribute(r, "height", where),
        base,
        template,
        periodIndex,
        setIndex);
  }

  private static void requireResolvable(
      URI base, String template, String id, long bandwidth, String where) {
    String sample = SegmentUrlTemplate.expand(template, id, bandwidth, 1, 0);
    try {
      base.resolve(new URI(sample));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new MpdParseException(
          where + " '" + template + "' does not make a URL ('" + sample + "'): " + e.getMessage(),
          e);
    }
  }

  /** SegmentTemplate attributes seen so far on the way down, nearest level last. */
  private record Layer(Map<String, String> attributes, Element timeline, String where) {
    static final Layer EMPTY = new Layer(Map.of(), null, "");

    static Optional<Layer> of(Element parent, String parentWhere) {
      return MpdXml.child(parent, "SegmentTemplate")
          .map(
              t -> {
                Map<String, String> attributes = new HashMap<>();
                for (int i = 0; i < t.getAttributes().getLength(); i++) {
                  Node a = t.getAttributes().item(i);
                  attributes.put(a.getNodeName(), a.getNodeValue());
                }
                return new Layer(
                    attributes,
                    MpdXml.child(t, "SegmentTimeline").orElse(null),
                    parentWhere + "/SegmentTemplate");
              });
    }

    Layer under(Optional<Layer> child) {
      if (child.isEmpty()) {
        return this;
      }
      Map<String, String> merged = new HashMap<>(attributes);
      merged.putAll(child.get().attributes);
      Element nearestTimeline = child.get().timeline != null ? child.get().timeline : timeline;
      return new Layer(merged, nearestTimeline, child.get().where);
    }

    SegmentTemplate template() {
      String media = attributes.get("media");
      if (media == null || media.isBlank()) {
        throw new MpdParseException(where + "@media is missing");
      }
      SegmentUrlTemplate.problem(media).ifPresent(p -> fail("media", media, p));
      String init = attributes.get("initialization");
      if (init != null) {
        SegmentUrlTemplate.problem(init).ifPresent(p -> fail("initialization", init, p));
        if (SegmentUrlTemplate.uses(init, "Number") || SegmentUrlTemplate.uses(init, "Time")) {
          fail("initialization", init, "an init segment cannot depend on $Number$ or $Time$");
        }
      }
      long timescale = longValue("timescale", 1);
      if (timescale <= 0) {
        fail("timescale", attributes.get("timescale"), "must be positive");
      }
      long startNumber = longValue("startNumber", 1);
      long offset = longValue("presentationTimeOffset", 0);
      OptionalLong duration = OptionalLong.empty();
      if (attributes.containsKey("duration")) {
        long d = longValue("duration", 0);
        if (d <= 0) {
          fail("duration", attributes.get("duration"), "must be positive");
        }
        duration = OptionalLong.of(d);
      }
      Optional<SegmentTimeline> parsedTimeline =
          Optional.ofNullable(timeline).map(t -> parseTimeline(t, where + "/SegmentTimeline"));
      if (parsedTimeline.isEmpty() && duration.isEmpty()) {
        throw new MpdParseException(where + " has neither @duration nor a SegmentTimeline");
      }
      if (parsedTimeline.isEmpty() && !SegmentUrlTemplate.uses(media, "Number")) {
        fail("media", media, "without a SegmentTimeline the template must use $Number$");
      }
      return new SegmentTemplate(
          media,
          Optional.ofNullable(init),
          timescale,
          startNumber,
          duration,
          offset,
          parsedTimeline);
    }

    private long longValue(String name, long absent) {
      String value = attributes.get(name);
      if (value == null) {
        return absent;
      }
      try {
        long v = Long.parseLong(value.strip());
        if (v < 0) {
          fail(name, value, "is negative");
        }
        return v;
      } catch (NumberFormatException e) {
        throw new MpdParseException(
            where + "@" + name + " '" + value + "' is not a non-negative integer", e);
      }
    }

    private void fail(String attribute, String value, String problem) {
      throw new MpdParseException(where + "@" + attribute + " '" + value + "' " + problem);
    }
  }

  private static SegmentTimeline parseTimeline(Element timeline, String where) {
    List<SegmentTimeline.Entry> entries = new ArrayList<>();
    // An empty timeline is legal: ffmpeg writes one for a representation with no segment yet.
    List<Element> ss = MpdXml.children(timeline, "S");
    for (int i = 0; i < ss.size(); i++) {
      Element s = ss.get(i);
      String sWhere = where + "/S[" + i + "]";
      OptionalLong t = number(s, "t", sWhere);
      long d =
          number(s, "d", sWhere).orElseThrow(() -> new MpdParseException(sWhere + "@d is missing"));
      if (d <= 0) {
        throw new MpdParseException(sWhere + "@d '" + s.getAttribute("d") + "' must be positive");
      }
      long r = 0;
      if (s.hasAttribute("r")) {
        String value = s.getAttribute("r").strip();
        try {
          r = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new MpdParseException(sWhere + "@r '" + value + "' is not an integer", e);
        }
        if (r < -1) {
          throw new MpdParseException(sWhere + "@r '" + value + "' is below -1");
        }
      }
      entries.add(new SegmentTimeline.Entry(t, d, r));
    }
    return new SegmentTimeline(entries);
  }

  private static URI baseUrl(Element parent, URI inherited, String where) {
    Optional<Element> base = MpdXml.child(parent, "BaseURL");
    if (base.isEmpty()) {
      return inherited;
    }
    String text = base.get().getTextContent().strip();
    try {
      return inherited.resolve(new URI(text));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new MpdParseException(where + "/BaseURL '" + text + "' is not a URL", e);
    }
  }

  private static Optional<String> text(Element e, String attribute) {
    return e.hasAttribute(attribute) ? Optional.of(e.getAttribute(attribute)) : Optional.empty();
  }

  private static OptionalLong number(Element e, String attribute, String where) {
    if (!e.hasAttribute(attribute)) {
      return OptionalLong.empty();
    }
    String value = e.getAttribute(attribute).strip();
    try {
      long v = Long.parseLong(value);
      if (v < 0) {
        throw new MpdParseException(where + "@" + attribute + " '" + value + "' is negative");
      }
      return OptionalLong.of(v);
    } catch (NumberFormatException ex) {
      throw new MpdParseException(
          where + "@" + attribute + " '" + value + "' is not a non-negative integer", ex);
    }
  }

  private static OptionalInt intAttribute(Element e, String attribute, String where) {
    OptionalLong v = number(e, attribute, where);
    if (v.isEmpty()) {
      return OptionalInt.empty();
    }
    if (v.getAsLong() > Integer.MAX_VALUE) {
      throw new MpdParseException(
          where + "@" + attribute + " '" + v.getAsLong() + "' is too large");
    }
    return OptionalInt.of((int) v.getAsLong());
  }

  private static Optional<Duration> duration(Element e, String attribute, String where) {
    if (!e.hasAttribute(attribute)) {
      return Optional.empty();
    }
    String value = e.getAttribute(attribute);
    try {
      return Optional.of(XsDuration.parse(value));
    } catch (IllegalArgumentException ex) {
      throw new MpdParseException(where + "@" + attribute + " " + ex.getMessage(), ex);
    }
  }

  /** {@code xs:dateTime}; a time without a zone is UTC, as the DASH-IF guidelines require. */
  private static Optional<Instant> dateTime(Element e, String attribute, String where) {
    if (!e.hasAttribute(attribute)) {
      return Optional.empty();
    }
    String value = e.getAttribute(attribute).strip();
    try {
      return Optional.of(OffsetDateTime.parse(value).toInstant());
    } catch (DateTimeParseException withZone) {
      try {
        return Optional.of(LocalDateTime.parse(value).toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException ex) {
        throw new MpdParseException(
            where
                + "@"
                + attribute
                + " '"
                + value
                + "' is not an xs:dateTime such as 2024-05-01T10:00:00Z",
            ex);
      }
    }
  }

  private static Document readXml(byte[] xml) {
    DocumentBuilder builder = BUILDERS.get();
    builder.reset();
    builder.setErrorHandler(SILENT);
    try {
      return builder.parse(new ByteArrayInputStream(xml));
    } catch (SAXParseException e) {
      throw new MpdParseException(
          "MPD is not well-formed XML (line "
              + e.getLineNumber()
              + ", column "
              + e.getColumnNumber()
              + "): "
              + e.getMessage(),
          e);
    } catch (SAXException e) {
      throw new MpdParseException("MPD is not well-formed XML: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MpdParseException("MPD could not be read: " + e.getMessage(), e);
    }
  }

  private static void removeWhitespaceText(Node node) {
    Node child = node.getFirstChild();
    while (child != null) {
      Node next = child.getNextSibling();
      if (child.getNodeType() == Node.TEXT_NODE && child.getNodeValue().isBlank()) {
        node.removeChild(child);
      } else if (child.getNodeType() == Node.ELEMENT_NODE) {
        removeWhitespaceText(child);
      }
      child = next;
    }
  }

  private static DocumentBuilder newBuilder() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK XML parser lacks a required feature", e);
    }
  }
}
