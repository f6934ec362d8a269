package dev.segmentrelay.georouter.steering;

import dev.segmentrelay.common.media.hls.MasterPlaylist;
import dev.segmentrelay.common.registry.EdgeRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Content steering documents (HLS {@code EXT-X-CONTENT-STEERING}, RFC 8216bis 7.2; DASH {@code
 * ContentSteering}, ETSI TS 103 998): a playlist that names one pathway per candidate edge, and the
 * steering server's JSON that orders them for one viewer. Pathway ids are edge ids. A player plays
 * the first pathway, re-reads the JSON every TTL, and moves to the next pathway by itself when its
 * edge fails, without coming back to the router.
 *
 * <p>Pure functions: the router fetches the source playlist and ranks the edges.
 */
public final class SteeringDocuments {
  private static final Pattern GROUP_ATTRIBUTE =
      Pattern.compile("\\b(GROUP-ID|AUDIO|VIDEO|SUBTITLES|CLOSED-CAPTIONS)=\"([^\"]*)\"");
  private static final Pattern PATHWAY_ATTRIBUTE = Pattern.compile(",?PATHWAY-ID=\"[^\"]*\"");
  private static final Pattern CONTENT_STEERING_TAG =
      Pattern.compile("^#EXT-X-CONTENT-STEERING:.*$");
  private static final Pattern MPD_BASE_URL = Pattern.compile("\\s*<BaseURL[^>]*>[^<]*</BaseURL>");
  private static final Pattern MPD_STEERING =
      Pattern.compile("\\s*<ContentSteering[^>]*>[^<]*</ContentSteering>");

  /** Declared bandwidth of the single variant of {@link #hlsSingleVariant}. */
  static final int ASSUMED_BANDWIDTH = 2_000_000;

  private SteeringDocuments() {}

  /**
   * An HLS multivariant playlist with every variant and rendition repeated once per edge, as
   * absolute URIs on that edge, each copy tagged with the edge's {@code PATHWAY-ID} and given its
   * own rendition group ids (a rendition group belongs to one pathway).
   *
   * @param source the origin's master playlist
   * @param edges candidate edges, best first (at least one)
   * @param baseOf the directory URL of the master on an edge, ending in {@code /}
   * @param steeringUri absolute URI of the steering JSON
   */
  public static String hlsMaster(
      MasterPlaylist source,
      List<EdgeRecord> edges,
      java.util.function.Function<EdgeRecord, String> baseOf,
      String steeringUri) {
    StringBuilder b = new StringBuilder(1024);
    b.append("#EXTM3U\n");
    for (MasterPlaylist.Line line : source.lines()) {
      if (line instanceof MasterPlaylist.Tag t && isSessionTag(t.text())) {
        b.append(t.text()).append('\n');
      }
    }
    b.append("#EXT-X-CONTENT-STEERING:SERVER-URI=\"")
        .append(steeringUri)
        .append("\",PATHWAY-ID=\"")
        .append(edges.get(0).id())
        .append("\"\n");
    for (EdgeRecord edge : edges) {
      String pathway = edge.id();
      String base = baseOf.apply(edge);
      b.append("# pathway ").append(pathway).append(" (site ").append(edge.site()).append(")\n");
      for (MasterPlaylist.Line line : source.lines()) {
        if (line instanceof MasterPlaylist.MediaTag m && m.text().startsWith("#EXT-X-MEDIA:")) {
          String tag =
              m.text()
                  .replace("URI=\"" + m.uri() + "\"", "URI=\"" + absolute(base, m.uri()) + "\"");
          b.append(renameGroups(tag, pathway)).append('\n');
        } else if (line instanceof MasterPlaylist.Tag t && t.text().startsWith("#EXT-X-MEDIA:")) {
          b.append(renameGroups(t.text(), pathway)).append('\n');
        } else if (line instanceof MasterPlaylist.Variant v) {
          String inf = PATHWAY_ATTRIBUTE.matcher(v.streamInf()).replaceAll("");
          b.append(renameGroups(inf, pathway))
              .append(",PATHWAY-ID=\"")
              .append(pathway)
              .append("\"\n")
              .append(absolute(base, v.uri()))
              .append('\n');
        }
      }
    }
    return b.toString();
  }

  /**
   * A multivariant playlist for a stream that has a single media playlist (no master): one variant
   * per edge pointing at that playlist. {@code BANDWIDTH} is required by the format but unknown
   * here; the declared value only matters to players choosing between variants, and there is one.
   *
   * @param mediaPlaylistName the media playlist's file name, relative to {@code baseOf}
   */
  public static String hlsSingleVariant(
      String mediaPlaylistName,
      List<EdgeRecord> edges,
      java.util.function.Function<EdgeRecord, String> baseOf,
      String steeringUri) {
    StringBuilder text = new StringBuilder("#EXTM3U\n");
    text.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(ASSUMED_BANDWIDTH).append('\n');
    text.append(mediaPlaylistName).append('\n');
    return hlsMaster(
        (MasterPlaylist) dev.segmentrelay.common.media.hls.HlsParser.parse(text.toString()),
        edges,
        baseOf,
        steeringUri);
  }

  /**
   * A DASH MPD with one {@code BaseURL} per edge ({@code serviceLocation} = edge id) and a {@code
   * ContentSteering} element; the source's own top-level BaseURL and ContentSteering are replaced.
   *
   * @param mpd the origin's MPD text
   * @param edges candidate edges, best first (at least one)
   * @param baseOf the directory URL of the MPD on an edge, ending in {@code /}
   * @param steeringUri absolute URI of the steering JSON
   */
  public static String dashMpd(
      String mpd,
      List<EdgeRecord> edges,
      java.util.function.Function<EdgeRecord, String> baseOf,
      String steeringUri) {
    int mpdStart = mpd.indexOf("<MPD");
    int headEnd = mpdStart < 0 ? -1 : mpd.indexOf('>', mpdStart);
    if (headEnd < 0) {
      throw new IllegalArgumentException("not an MPD: no <MPD> element");
    }
    int firstPeriod = mpd.indexOf("<Period", headEnd);
    int end = firstPeriod < 0 ? mpd.length() : firstPeriod;
    // The schema puts BaseURL after ProgramInformation: insert there when the MPD has one.
    int programInfoEnd = mpd.lastIndexOf("</ProgramInformation>", end);
    int insertAt =
        programInfoEnd > headEnd ? programInfoEnd + "</ProgramInformation>".length() : headEnd + 1;
    String head = mpd.substring(0, insertAt);
    String beforePeriods = mpd.substring(insertAt, end);
    String rest = mpd.substring(end);
    beforePeriods = MPD_BASE_URL.matcher(beforePeriods).replaceAll("");
    beforePeriods = MPD_STEERING.matcher(beforePeriods).replaceAll("");
    StringBuilder b = new StringBuilder(mpd.length() + 512);
    b.append(head).append('\n');
    for (EdgeRecord edge : edges) {
      b.append("  <BaseURL serviceLocation=\"")
          .append(xml(edge.id()))
          .append("\">")
          .append(xml(baseOf.apply(edge)))
          .append("</BaseURL>\n");
    }
    b.append("  <ContentSteering defaultServiceLocation=\"")
        .append(xml(edges.get(0).id()))
        .append("\" queryBeforeStart=\"false\">")
        .append(xml(steeringUri))
        .append("</ContentSteering>");
    b.append(beforePeriods).append(rest);
    return b.toString();
  }

  /** The HLS steering manifest: pathways in the order given. */
  public static JsonObject hlsSteering(List<String> pathways, Duration ttl, String reloadUri) {
    return new JsonObject()
        .put("VERSION", 1)
        .put("TTL", Math.max(1, ttl.toSeconds()))
        .put("RELOAD-URI", reloadUri)
        .put("PATHWAY-PRIORITY", new JsonArray(List.copyOf(pathways)));
  }

  /** The DASH steering manifest: service locations in the order given. */
  public static JsonObject dashSteering(List<String> locations, Duration ttl, String reloadUri) {
    return new JsonObject()
        .put("VERSION", 1)
        .put("TTL", Math.max(1, ttl.toSeconds()))
        .put("RELOAD-URI", reloadUri)
        .put("SERVICE-LOCATION-PRIORITY", new JsonArray(List.copyOf(locations)));
  }

  /** Tags that apply to the whole playlist and are written once. */
  private static boolean isSessionTag(String text) {
    return !text.equals("#EXTM3U")
        && text.startsWith("#EXT")
        && !text.startsWith("#EXT-X-MEDIA:")
        && !CONTENT_STEERING_TAG.matcher(text).matches();
  }

  private static String renameGroups(String tag, String pathway) {
    Matcher m = GROUP_ATTRIBUTE.matcher(tag);
    return m.replaceAll(
        r -> r.group(1) + "=\"" + Matcher.quoteReplacement(r.group(2)) + "_" + pathway + "\"");
  }

  private static String absolute(String base, String uri) {
    return uri.contains("://") ? uri : base + uri;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
