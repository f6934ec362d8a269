package dev.segmentrelay.common.media.hls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses HLS playlists (RFC 8216) strictly enough that a truncated or malformed playlist is
 * rejected with the line and the reason, never half-applied.
 *
 * <p>Rejected: a missing {@code #EXTM3U} header, a media playlist without {@code
 * EXT-X-TARGETDURATION}, an {@code EXTINF} with no URI after it (a truncated body), a URI with no
 * {@code EXTINF}, malformed numbers and byte ranges, encrypted media ({@code EXT-X-KEY} other than
 * {@code METHOD=NONE}), which the origin cannot republish.
 */
public final class HlsParser {
  private HlsParser() {}

  /** Parses a master or a media playlist, whichever {@code text} is. */
  public static HlsPlaylist parse(String text) {
    List<String> lines = lines(text);
    boolean master = false;
    for (String line : lines) {
      if (line.startsWith("#EXT-X-STREAM-INF:")) {
        master = true;
        break;
      }
    }
    return master ? parseMaster(lines) : parseMedia(lines);
  }

  public static MediaPlaylist parseMedia(String text) {
    HlsPlaylist p = parse(text);
    if (p instanceof MediaPlaylist m) {
      return m;
    }
    throw new PlaylistParseException("expected a media playlist, got a master playlist");
  }

  private static List<String> lines(String text) {
    if (text == null || text.isBlank()) {
      throw new PlaylistParseException("empty playlist");
    }
    if (text.charAt(0) == '\uFEFF') {
      text = text.substring(1);
    }
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\r?\n", -1)) {
      lines.add(line.strip());
    }
    if (!lines.get(0).equals("#EXTM3U")) {
      throw PlaylistParseException.atLine(
          1, "playlist must start with #EXTM3U, found '" + shorten(lines.get(0)) + "'");
    }
    return lines;
  }

  private static MasterPlaylist parseMaster(List<String> lines) {
    List<MasterPlaylist.Line> out = new ArrayList<>();
    String pendingStreamInf = null;
    int pendingLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int n = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (pendingStreamInf != null) {
        if (line.startsWith("#")) {
          if (line.startsWith("#EXT")) {
            throw PlaylistParseException.atLine(
                n, "expected the URI of the EXT-X-STREAM-INF on line " + pendingLine);
          }
          continue; // a comment between tag and URI
        }
        if (i == lines.size() - 1) {
          throw PlaylistParseException.atLine(
              n, "URI '" + shorten(line) + "' has no line end: the playlist is truncated");
        }
        out.add(new MasterPlaylist.Variant(pendingStreamInf, line));
        pendingStreamInf = null;
        continue;
      }
      if (line.startsWith("#EXT-X-STREAM-INF:")) {
        attributes(line, n);
        pendingStreamInf = line;
        pendingLine = n;
      } else if (line.startsWith("#EXT-X-MEDIA:")
          || line.startsWith("#EXT-X-I-FRAME-STREAM-INF:")) {
        Map<String, String> attrs = attributes(line, n);
        String uri = attrs.get("URI");
        out.add(
            uri == null ? new MasterPlaylist.Tag(line) : new MasterPlaylist.MediaTag(line, uri));
      } else if (line.startsWith("#EXT-X-SESSION-KEY")) {
        throw PlaylistParseException.atLine(
            n, "encrypted streams (EXT-X-SESSION-KEY) are not supported");
      } else if (line.startsWith("#")) {
        out.add(new MasterPlaylist.Tag(line));
      } else {
        throw PlaylistParseException.atLine(
            n, "URI '" + shorten(line) + "' without a preceding EXT-X-STREAM-INF");
      }
    }
    if (pendingStreamInf != null) {
      throw PlaylistParseException.atLine(
          pendingLine, "EXT-X-STREAM-INF without a URI: the playlist is truncated");
    }
    return new MasterPlaylist(out);
  }

  private static MediaPlaylist parseMedia(List<String> lines) {
    int version = 1;
    long targetDuration = -1;
    long mediaSequence = 0;
    long discontinuitySequence = 0;
    boolean endList = false;
    Optional<String> playlistType = Optional.empty();
    boolean independent = false;

    List<HlsSegment> segments = new ArrayList<>();
    double duration = -1;
    String title = "";
    int extinfLine = 0;
    Optional<ByteRange> byteRange = Optional.empty();
    boolean discontinuity = false;
    Optional<String> programDateTime = Optional.empty();
    Optional<InitSection> map = Optional.empty();
    // Where the next EXT-X-BYTERANGE without an offset starts, per URI (RFC 8216 4.3.2.2).
    String lastRangeUri = null;
    long nextRangeOffset = 0;
    boolean pendingRangeWithoutOffset = false;
    long pendingRangeLength = 0;

    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      int n = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (!line.startsWith("#")) {
        if (i == lines.size() - 1) {
          // RFC 8216 4.1: every line ends with a line feed. A URI without one was cut off,
          // and taking the fragment as a segment would invent a name that never existed.
          throw PlaylistParseException.atLine(
              n, "URI '" + shorten(line) + "' has no line end: the playlist is truncated");
        }
        if (duration < 0) {
          throw PlaylistParseException.atLine(
              n, "URI '" + shorten(line) + "' without a preceding EXTINF");
        }
        if (pendingRangeWithoutOffset) {
          if (!line.equals(lastRangeUri)) {
            throw PlaylistParseException.atLine(
                n,
                "EXT-X-BYTERANGE without an offset, but the previous segment is not a range of '"
                    + shorten(line)
                    + "'");
          }
          byteRange = Optional.of(new ByteRange(pendingRangeLength, nextRangeOffset));
        }
        if (byteRange.isPresent()) {
          lastRangeUri = line;
          nextRangeOffset = byteRange.get().offset() + byteRange.get().length();
        } else {
          lastRangeUri = null;
        }
        segments.add(
            new HlsSegment(line, duration, title, byteRange, discontinuity, map, programDateTime));
        duration = -1;
        title = "";
        byteRange = Optional.empty();
        pendingRangeWithoutOffset = false;
        discontinuity = false;
        programDateTime = Optional.empty();
        continue;
      }
      int colon = line.indexOf(':');
      String tag = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      switch (tag) {
        case "#EXT-X-VERSION" -> version = (int) integer(value, tag, n);
        case "#EXT-X-TARGETDURATION" -> targetDuration = integer(value, tag, n);
        case "#EXT-X-MEDIA-SEQUENCE" -> mediaSequence = integer(value, tag, n);
        case "#EXT-X-DISCONTINUITY-SEQUENCE" -> discontinuitySequence = integer(value, tag, n);
        case "#EXT-X-ENDLIST" -> endList = true;
        case "#EXT-X-PLAYLIST-TYPE" -> {
          if (!value.equals("EVENT") && !value.equals("VOD")) {
            throw PlaylistParseException.atLine(
                n, "EXT-X-PLAYLIST-TYPE must be EVENT or VOD, was '" + shorten(value) + "'");
          }
          playlistType = Optional.of(value);
        }
        case "#EXT-X-INDEPENDENT-SEGMENTS" -> independent = true;
        case "#EXTINF" -> {
          if (duration >= 0) {
            throw PlaylistParseException.atLine(
                n, "EXTINF follows the EXTINF on line " + extinfLine + " with no URI between");
          }
          int comma = value.indexOf(',');
          String d = comma < 0 ? value : value.substring(0, comma);
          title = comma < 0 ? "" : value.substring(comma + 1);
          try {
            duration = Double.parseDouble(d.trim());
          } catch (NumberFormatException e) {
            throw PlaylistParseException.atLine(
                n, "EXTINF duration '" + shorten(d) + "' is not a number");
          }
          if (duration < 0 || Double.isNaN(duration) || Double.isInfinite(duration)) {
            throw PlaylistParseException.atLine(
                n, "EXTINF duration '" + shorten(d) + "' is not a positive number");
          }
          extinfLine = n;
        }
        case "#EXT-X-BYTERANGE" -> {
          int at = value.indexOf('@');
          long length = integer(at < 0 ? value : value.substring(0, at), tag, n);
          if (at < 0) {
            pendingRangeWithoutOffset = true;
            pendingRangeLength = length;
          } else {
            byteRange =
                Optional.of(new ByteRange(length, integer(value.substring(at + 1), tag, n)));
          }
        }
        case "#EXT-X-DISCONTINUITY" -> discontinuity = true;
        case "#EXT-X-PROGRAM-DATE-TIME" -> programDateTime = Optional.of(value);
        case "#EXT-X-MAP" -> {
          Map<String, String> attrs = attributes(line, n);
          String uri = attrs.get("URI");
          if (uri == null || uri.isEmpty()) {
            throw PlaylistParseException.atLine(n, "EXT-X-MAP without a URI");
          }
          Optional<ByteRange> range = Optional.empty();
          String br = attrs.get("BYTERANGE");
          if (br != null) {
            int at = br.indexOf('@');
            if (at < 0) {
              throw PlaylistParseException.atLine(
                  n, "EXT-X-MAP BYTERANGE '" + br + "' needs an offset (n@o)");
            }
            range =
                Optional.of(
                    new ByteRange(
                        integer(br.substring(0, at), tag, n),
                        integer(br.substring(at + 1), tag, n)));
          }
          map = Optional.of(new InitSection(uri, range));
        }
        case "#EXT-X-KEY" -> {
          Map<String, String> attrs = attributes(line, n);
          if (!"NONE".equals(attrs.get("METHOD"))) {
            throw PlaylistParseException.atLine(
                n,
                "encrypted segments (EXT-X-KEY METHOD="
                    + attrs.get("METHOD")
                    + ") are not supported: send clear media to the origin");
          }
        }
        case "#EXT-X-STREAM-INF" ->
            throw PlaylistParseException.atLine(n, "EXT-X-STREAM-INF in a media playlist");
        default -> {
          // Other tags (LL-HLS parts, server control, comments) do not change what the origin
          // republishes: whole segments.
        }
      }
    }
    if (duration >= 0) {
      throw PlaylistParseException.atLine(
          extinfLine, "EXTINF without a URI: the playlist is truncated");
    }
    if (targetDuration < 0) {
      throw new PlaylistParseException("media playlist has no EXT-X-TARGETDURATION");
    }
    if (targetDuration == 0 && !segments.isEmpty()) {
      throw new PlaylistParseException("EXT-X-TARGETDURATION is 0");
    }
    return new MediaPlaylist(
        version,
        targetDuration,
        mediaSequence,
        discontinuitySequence,
        endList,
        playlistType,
        independent,
        segments);
  }

  private static Map<String, String> attributes(String line, int n) {
    int colon = line.indexOf(':');
    try {
      return AttributeList.parse(colon < 0 ? "" : line.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw PlaylistParseException.atLine(n, e.getMessage());
    }
  }

  private static long integer(String value, String tag, int n) {
    try {
      long v = Long.parseLong(value.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw PlaylistParseException.atLine(
          n, tag.substring(1) + " value '" + shorten(value) + "' is not a non-negative integer");
    }
  }

  private static String shorten(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }
}
