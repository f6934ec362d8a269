package dev.segmentrelay.common.media.hls;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A media playlist (RFC 8216 section 4.3.3): a list of segments with their sequence numbers.
 *
 * @param version {@code EXT-X-VERSION} (1 when absent)
 * @param targetDuration {@code EXT-X-TARGETDURATION} in seconds
 * @param mediaSequence sequence number of the first segment
 * @param discontinuitySequence {@code EXT-X-DISCONTINUITY-SEQUENCE}
 * @param endList the playlist ended ({@code EXT-X-ENDLIST})
 * @param playlistType {@code EVENT} or {@code VOD} when given
 * @param independentSegments {@code EXT-X-INDEPENDENT-SEGMENTS}
 * @param segments in order
 */
public record MediaPlaylist(
    int version,
    long targetDuration,
    long mediaSequence,
    long discontinuitySequence,
    boolean endList,
    Optional<String> playlistType,
    boolean independentSegments,
    List<HlsSegment> segments)
    implements HlsPlaylist {

  public MediaPlaylist {
    segments = List.copyOf(segments);
  }

  /** Sequence number of the segment at {@code index}. */
  public long sequenceOf(int index) {
    return mediaSequence + index;
  }

  /** Sequence number of the last segment, or {@code mediaSequence - 1} when empty. */
  public long lastSequence() {
    return mediaSequence + segments.size() - 1;
  }

  /** Renders the playlist as text (URIs written as they are in the segments). */
  public String render() {
    StringBuilder b = new StringBuilder(128 + segments.size() * 64);
    b.append("#EXTM3U\n");
    b.append("#EXT-X-VERSION:").append(version).append('\n');
    b.append("#EXT-X-TARGETDURATION:").append(targetDuration).append('\n');
    b.append("#EXT-X-MEDIA-SEQUENCE:").append(mediaSequence).append('\n');
    if (discontinuitySequence > 0) {
      b.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence).append('\n');
    }
    playlistType.ifPresent(t -> b.append("#EXT-X-PLAYLIST-TYPE:").append(t).append('\n'));
    if (independentSegments) {
      b.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
    }
    Optional<InitSection> currentMap = Optional.empty();
    for (HlsSegment s : segments) {
      if (s.discontinuity()) {
        b.append("#EXT-X-DISCONTINUITY\n");
      }
      if (s.map().isPresent() && (!s.map().equals(currentMap) || s.discontinuity())) {
        InitSection m = s.map().get();
        b.append("#EXT-X-MAP:URI=\"").append(m.uri()).append('"');
        m.byteRange()
            .ifPresent(r -> b.append(",BYTERANGE=\"").append(r.attributeValue()).append('"'));
        b.append('\n');
      }
      currentMap = s.map();
      s.programDateTime()
          .ifPresent(t -> b.append("#EXT-X-PROGRAM-DATE-TIME:").append(t).append('\n'));
      b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.6f", s.duration())).append(',');
      b.append(s.title()).append('\n');
      s.byteRange()
          .ifPresent(r -> b.append("#EXT-X-BYTERANGE:").append(r.attributeValue()).append('\n'));
      b.append(s.uri()).append('\n');
    }
    if (endList) {
      b.append("#EXT-X-ENDLIST\n");
    }
    return b.toString();
  }
}
