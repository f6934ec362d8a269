package dev.segmentrelay.loadtest.player;

import dev.segmentrelay.common.media.dash.Mpd;
import dev.segmentrelay.common.media.dash.MpdParseException;
import dev.segmentrelay.common.media.dash.MpdParser;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An MPD as a player needs it: the common {@link Mpd}, plus the content-steering parts the common
 * parser does not model (it resolves the first {@code BaseURL} only): every MPD-level {@code
 * BaseURL} with its {@code serviceLocation}, and the {@code ContentSteering} element (ETSI TS 103
 * 998).
 *
 * @param mpd the parsed MPD (segment URLs resolve against the first BaseURL)
 * @param baseUrls MPD-level BaseURLs in document order, absolute; empty when the MPD has none
 * @param steeringUri the steering server, absolute, when the MPD has {@code ContentSteering}
 * @param defaultServiceLocation {@code ContentSteering@defaultServiceLocation}, when given
 */
public record DashManifest(
    Mpd mpd,
    List<ServiceLocation> baseUrls,
    Optional<String> steeringUri,
    Optional<String> defaultServiceLocation) {

  // Only the MPD level (before the first Period) is scanned: that is where steering puts them.
  private static final Pattern BASE_URL =
      Pattern.compile("<(?:\\w+:)?BaseURL([^>]*)>\\s*([^<]*?)\\s*</(?:\\w+:)?BaseURL>");
  private static final Pattern STEERING =
      Pattern.compile(
          "<(?:\\w+:)?ContentSteering([^>]*)>\\s*([^<]*?)\\s*</(?:\\w+:)?ContentSteering>");
  private static final Pattern SERVICE_LOCATION = Pattern.compile("serviceLocation=\"([^\"]*)\"");
  private static final Pattern DEFAULT_LOCATION =
      Pattern.compile("defaultServiceLocation=\"([^\"]*)\"");

  public DashManifest {
    baseUrls = List.copyOf(baseUrls);
  }

  /** A BaseURL: its {@code serviceLocation} (the URL itself when absent) and absolute URL. */
  public record ServiceLocation(String id, String url) {}

  /** Parses {@code xml} fetched from {@code location}; throws {@link MpdParseException}. */
  public static DashManifest parse(String xml, URI location) {
    Mpd mpd = MpdParser.parse(xml, location);
    int period = xml.indexOf("<Period");
    if (period < 0) {
      period = xml.indexOf(":Period");
    }
    String head = period < 0 ? xml : xml.substring(0, period);
    List<ServiceLocation> bases = new ArrayList<>();
    Matcher m = BASE_URL.matcher(head);
    while (m.find()) {
      String url = absolute(location, unescape(m.group(2)));
      Matcher id = SERVICE_LOCATION.matcher(m.group(1));
      bases.add(new ServiceLocation(id.find() ? unescape(id.group(1)) : url, url));
    }
    Optional<String> steering = Optional.empty();
    Optional<String> defaultLocation = Optional.empty();
    Matcher s = STEERING.matcher(head);
    if (s.find() && !s.group(2).isEmpty()) {
      steering = Optional.of(absolute(location, unescape(s.group(2))));
      Matcher d = DEFAULT_LOCATION.matcher(s.group(1));
      if (d.find()) {
        defaultLocation = Optional.of(unescape(d.group(1)));
      }
    }
    return new DashManifest(mpd, bases, steering, defaultLocation);
  }

  private static String absolute(URI location, String ref) {
    try {
      return location.resolve(new URI(ref)).toString();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new MpdParseException("BaseURL or ContentSteering '" + ref + "' is not a URL", e);
    }
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
  }
}
