package dev.segmentrelay.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An independent, lenient HLS playlist reader for assertions (deliberately not the production
 * {@code HlsParser}, so the two cannot share a bug): media sequence, segments with the
 * discontinuity and init segment ({@code EXT-X-MAP}) in effect, and the variant / rendition URIs of
 * a master playlist. URIs are returned as written.
 *
 * @param text the playlist as received
 * @param master true for a master (multivariant) playlist
 * @param variants master only: {@code EXT-X-STREAM-INF} and {@code EXT-X-MEDIA} URIs
 * @param mediaSequence {@code EXT-X-MEDIA-SEQUENCE} (0 if absent)
 * @param discontinuitySequence {@code EXT-X-DISCONTINUITY-SEQUENCE} (0 if absent)
 * @param targetDuration {@code EXT-X-TARGETDURATION} (0 if absent)
 * @param segments media segments in order
 * @param endList true if {@code EXT-X-ENDLIST} is present
 */
public record HlsPlaylistView(
    String text,
    boolean master,
    List<String> variants,
    long mediaSequence,
    long discontinuitySequence,
    int targetDuration,
    List<Segment> segments,
    boolean endList) {

  /**
   * One media segment.
   *
   * @param uri as written
   * @param msn its media sequence number
   * @param duration EXTINF seconds
   * @param discontinuity preceded by {@code EXT-X-DISCONTINUITY}
   * @param map the {@code EXT-X-MAP} URI in effect, if any
   */
  public record Segment(
      String uri, long msn, double duration, boolean discontinuity, Optional<String> map) {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException if it does not start with {@code #EXTM3U}
   */
  public static HlsPlaylistView parse(String text) {
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !lines[0].strip().equals("#EXTM3U")) {
      throw new IllegalArgumentException("not an HLS playlist (no #EXTM3U first line)");
    }
    boolean master = false;
    List<String> variants = new ArrayList<>();
    long mediaSequence = 0;
    long discontinuitySequence = 0;
    int targetDuration = 0;
    List<Segment> segments = new ArrayList<>();
    boolean endList = false;
    boolean pendingDiscontinuity = false;
    double pendingDuration = -1;
    Optional<String> map = Optional.empty();
    boolean expectVariantUri = false;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#EXT-X-STREAM-INF")) {
        master = true;
        expectVariantUri = true;
      } else if (line.startsWith("#EXT-X-MEDIA:")) {
        master = true;
        attribute(line, "URI").ifPresent(variants::add);
      } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
        mediaSequence = Long.parseLong(value(line));
      } else if (line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")) {
        discontinuitySequence = Long.parseLong(value(line));
      } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
        targetDuration = Integer.parseInt(value(line));
      } else if (line.equals("#EXT-X-DISCONTINUITY")) {
        pendingDiscontinuity = true;
      } else if (line.startsWith("#EXT-X-MAP:")) {
        map = attribute(line, "URI");
      } else if (line.startsWith("#EXTINF:")) {
        String v = value(line);
        int comma = v.indexOf(',');
        pendingDuration = Double.parseDouble(comma >= 0 ? v.substring(0, comma) : v);
      } else if (line.equals("#EXT-X-ENDLIST")) {
        endList = true;
      } else if (!line.startsWith("#")) {
        if (expectVariantUri) {
          variants.add(line);
          expectVariantUri = false;
        } else {
          segments.add(
              new Segment(
                  line,
                  mediaSequence + segments.size(),
                  pendingDuration,
                  pendingDiscontinuity,
                  map));
          pendingDiscontinuity = false;
          pendingDuration = -1;
        }
      }
    }
    return new HlsPlaylistView(
        text,
        master,
        variants,
        mediaSequence,
        discontinuitySequence,
        targetDuration,
        segments,
        endList);
  }

  /** Number of {@code EXT-X-DISCONTINUITY} tags among the listed segments. */
  public long discontinuities() {
    return segments.stream().filter(Segment::discontinuity).count();
  }

  /** The last segment's media sequence number, or {@code mediaSequence - 1} when empty. */
  public long lastMsn() {
    return mediaSequence + segments.size() - 1;
  }

  private static String value(String line) {
    return line.substring(line.indexOf(':') + 1).strip();
  }

  private static Optional<String> attribute(String line, String name) {
    int i = line.indexOf(name + "=\"");
    if (i < 0) {
      return Optional.empty();
    }
    int start = i + name.length() + 2;
    int end = line.indexOf('"', start);
    return end < 0 ? Optional.empty() : Optional.of(line.substring(start, end));
  }
}
