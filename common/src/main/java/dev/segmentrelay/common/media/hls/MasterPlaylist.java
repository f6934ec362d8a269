package dev.segmentrelay.common.media.hls;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A master (multivariant) playlist, kept line by line so that republishing changes only the URIs:
 * every tag the origin does not understand reaches players unchanged.
 *
 * @param lines the playlist's lines, URIs marked
 */
public record MasterPlaylist(List<Line> lines) implements HlsPlaylist {
  public MasterPlaylist {
    lines = List.copyOf(lines);
  }

  /** One line of a master playlist. */
  public sealed interface Line permits Tag, Variant, MediaTag {}

  /** A tag (or comment) kept verbatim. */
  public record Tag(String text) implements Line {}

  /** An {@code EXT-X-STREAM-INF} tag and the URI line after it. */
  public record Variant(String streamInf, String uri) implements Line {}

  /**
   * A tag carrying a {@code URI} attribute: {@code EXT-X-MEDIA} or {@code
   * EXT-X-I-FRAME-STREAM-INF}.
   */
  public record MediaTag(String text, String uri) implements Line {}

  /** Every media playlist URI the master names (variants and renditions), in order. */
  public List<String> playlistUris() {
    List<String> uris = new ArrayList<>();
    for (Line line : lines) {
      if (line instanceof Variant v) {
        uris.add(v.uri());
      } else if (line instanceof MediaTag m && m.text().startsWith("#EXT-X-MEDIA:")) {
        uris.add(m.uri());
      }
    }
    return uris;
  }

  /**
   * Renders the master with each media playlist URI mapped by {@code rewrite}, leaving out variants
   * and renditions whose URI {@code include} rejects. I-frame playlists are left out: the origin
   * republishes media playlists only.
   */
  public String render(Function<String, String> rewrite, Predicate<String> include) {
    StringBuilder b = new StringBuilder(256);
    for (Line line : lines) {
      if (line instanceof Tag t) {
        b.append(t.text()).append('\n');
      } else if (line instanceof Variant v) {
        if (include.test(v.uri())) {
          b.append(v.streamInf()).append('\n').append(rewrite.apply(v.uri())).append('\n');
        }
      } else if (line instanceof MediaTag m && m.text().startsWith("#EXT-X-MEDIA:")) {
        if (include.test(m.uri())) {
          b.append(
                  m.text()
                      .replace("URI=\"" + m.uri() + "\"", "URI=\"" + rewrite.apply(m.uri()) + "\""))
              .append('\n');
        }
      }
    }
    return b.toString();
  }
}
