package dev.segmentrelay.common.testing;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Just enough of a DASH MPD reader for assertions: every period's representations with their init
 * segment and media segment URLs, resolved against the MPD URL and the {@code BaseURL}s in between.
 *
 * <p>Handles {@code SegmentTemplate} (inherited from the adaptation set, merged with the
 * representation's) with a {@code SegmentTimeline} ({@code $Time$} or {@code $Number$}, {@code
 * %0Nd} widths, {@code $RepresentationID$}, {@code $Bandwidth$}), a {@code SegmentTemplate} with a
 * fixed {@code duration} in a dynamic MPD (the segments available now, from {@code
 * availabilityStartTime}), and {@code SegmentList}.
 *
 * @param type {@code static} or {@code dynamic}
 * @param periods in document order
 */
public record DashManifest(String type, List<Period> periods) {
  private static final Pattern IDENTIFIER = Pattern.compile("\\$(\\w*)(%0(\\d+)d)?\\$");
  private static final int TEMPLATE_SEGMENTS_LISTED = 6;

  /**
   * One period.
   *
   * @param id the period id (may be empty)
   * @param representations in document order
   */
  public record Period(String id, List<Representation> representations) {}

  /**
   * One representation.
   *
   * @param id representation id
   * @param mimeType its own or its adaptation set's {@code mimeType}
   * @param init the initialization segment, if any
   * @param media the media segments the MPD names, oldest first
   */
  public record Representation(String id, String mimeType, Optional<URI> init, List<URI> media) {}

  /** Parses {@code xml} fetched from {@code mpdUrl}. */
  public static DashManifest parse(String xml, URI mpdUrl) {
    Element mpd;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      mpd =
          f.newDocumentBuilder()
              .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
              .getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("not a well-formed MPD: " + e.getMessage(), e);
    }
    if (!"MPD".equals(mpd.getLocalName())) {
      throw new IllegalArgumentException("root element is " + mpd.getLocalName() + ", not MPD");
    }
    String type = attr(mpd, "type").orElse("static");
    Optional<Instant> availabilityStart = attr(mpd, "availabilityStartTime").map(Instant::parse);
    URI mpdBase = base(mpdUrl, mpd);
    List<Period> periods = new ArrayList<>();
    for (Element period : children(mpd, "Period")) {
      URI periodBase = base(mpdBase, period);
      Duration periodStart = attr(period, "start").map(Duration::parse).orElse(Duration.ZERO);
      List<Representation> reps = new ArrayList<>();
      for (Element set : children(period, "AdaptationSet")) {
        URI setBase = base(periodBase, set);
        Map<String, String> setTemplate = template(set);
        Optional<Element> setTimeline = timeline(set);
        for (Element rep : children(set, "Representation")) {
          URI repBase = base(setBase, rep);
          String id = attr(rep, "id").orElse("");
          String bandwidth = attr(rep, "bandwidth").orElse("0");
          String mime = attr(rep, "mimeType").or(() -> attr(set, "mimeType")).orElse("");
          Map<String, String> t = new LinkedHashMap<>(setTemplate);
          t.putAll(template(rep));
          Optional<Element> timeline = timeline(rep).or(() -> setTimeline);
          Optional<Element> list = children(rep, "SegmentList").stream().findFirst();
          Optional<URI> init = Optional.empty();
          List<URI> media = new ArrayList<>();
          if (list.isPresent()) {
            init =
                children(list.get(), "Initialization").stream()
                    .findFirst()
                    .flatMap(i -> attr(i, "sourceURL"))
                    .map(repBase::resolve);
            for (Element u : children(list.get(), "SegmentURL")) {
              attr(u, "media").map(repBase::resolve).ifPresent(media::add);
            }
          } else if (t.containsKey("media")) {
            if (t.containsKey("initialization")) {
              init =
                  Optional.of(repBase.resolve(fill(t.get("initialization"), id, bandwidth, 0, 0)));
            }
            long startNumber = Long.parseLong(t.getOrDefault("startNumber", "1"));
            if (timeline.isPresent()) {
              long number = startNumber;
              long time = 0;
              for (Element s : children(timeline.get(), "S")) {
                time = attr(s, "t").map(Long::parseLong).orElse(time);
                long d = Long.parseLong(attr(s, "d").orElseThrow());
                long r = Math.max(0, Long.parseLong(attr(s, "r").orElse("0")));
                for (long i = 0; i <= r; i++) {
                  media.add(repBase.resolve(fill(t.get("media"), id, bandwidth, number, time)));
                  number++;
                  time += d;
                }
              }
            } else if (t.containsKey("duration") && availabilityStart.isPresent()) {
              double seconds =
                  Double.parseDouble(t.get("duration"))
                      / Double.parseDouble(t.getOrDefault("timescale", "1"));
              double elapsed =
                  (System.currentTimeMillis() - availabilityStart.get().toEpochMilli()) / 1000.0
                      - periodStart.toMillis() / 1000.0;
              long available = (long) Math.floor(elapsed / seconds);
              for (long n = Math.max(0, available - TEMPLATE_SEGMENTS_LISTED); n < available; n++) {
                media.add(repBase.resolve(fill(t.get("media"), id, bandwidth, startNumber + n, 0)));
              }
            }
          }
          reps.add(new Representation(id, mime, init, media));
        }
      }
      periods.add(new Period(attr(period, "id").orElse(""), reps));
    }
    return new DashManifest(type, periods);
  }

  /** Every media segment URL, all periods and representations. */
  public List<URI> allMedia() {
    return periods.stream()
        .flatMap(p -> p.representations().stream())
        .flatMap(r -> r.media().stream())
        .toList();
  }

  /** Every init segment URL. */
  public List<URI> allInits() {
    return periods.stream()
        .flatMap(p -> p.representations().stream())
        .flatMap(r -> r.init().stream())
        .distinct()
        .toList();
  }

  static String fill(String template, String id, String bandwidth, long number, long time) {
    Matcher m = IDENTIFIER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "" -> "$";
            case "RepresentationID" -> id;
            case "Bandwidth" -> pad(bandwidth, m.group(3));
            case "Number" -> pad(Long.toString(number), m.group(3));
            case "Time" -> pad(Long.toString(time), m.group(3));
            default -> m.group();
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String pad(String digits, String width) {
    if (width == null) {
      return digits;
    }
    int w = Integer.parseInt(width);
    return digits.length() >= w ? digits : "0".repeat(w - digits.length()) + digits;
  }

  private static Map<String, String> template(Element parent) {
    Map<String, String> t = new LinkedHashMap<>();
    children(parent, "SegmentTemplate")
        .forEach(
            e -> {
              var attrs = e.getAttributes();
              for (int i = 0; i < attrs.getLength(); i++) {
                t.put(attrs.item(i).getNodeName(), attrs.item(i).getNodeValue());
              }
            });
    return t;
  }

  private static Optional<Element> timeline(Element parent) {
    return children(parent, "SegmentTemplate").stream()
        .flatMap(t -> children(t, "SegmentTimeline").stream())
        .findFirst();
  }

  private static URI base(URI parent, Element e) {
    return children(e, "BaseURL").stream()
        .findFirst()
        .map(b -> parent.resolve(b.getTextContent().strip()))
        .orElse(parent);
  }

  private static Optional<String> attr(Element e, String name) {
    return e.hasAttribute(name) ? Optional.of(e.getAttribute(name)) : Optional.empty();
  }

  private static List<Element> children(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }
}
