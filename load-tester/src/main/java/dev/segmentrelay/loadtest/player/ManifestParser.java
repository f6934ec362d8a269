package dev.segmentrelay.loadtest.player;

import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.HlsPlaylist;
import java.net.URI;

/**
 * Turns manifest bodies into parsed documents. Thousands of viewers fetch byte-identical playlists,
 * so the engine can share one parse among them: {@link #caching} keeps the last few results keyed
 * by body text. Implementations must be thread-safe and return immutable results (the common media
 * types are); they throw the parsers' exceptions for bodies that do not parse.
 */
public interface ManifestParser {
  /** A master or media playlist; throws {@code PlaylistParseException}. */
  HlsPlaylist parseHls(String body);

  /** An MPD fetched from {@code location}; throws {@code MpdParseException}. */
  DashManifest parseDash(String body, URI location);

  /** Parses every body afresh. */
  static ManifestParser direct() {
    return Direct.INSTANCE;
  }

  /** Shares parses of identical bodies among all callers, remembering at most {@code entries}. */
  static ManifestParser caching(int entries) {
    return new CachingManifestParser(direct(), entries);
  }

  /** The parsers in common, no sharing. */
  enum Direct implements ManifestParser {
    INSTANCE;

    @Override
    public HlsPlaylist parseHls(String body) {
      return HlsParser.parse(body);
    }

    @Override
    public DashManifest parseDash(String body, URI location) {
      return DashManifest.parse(body, location);
    }
  }
}
