package dev.segmentrelay.loadtest.player;

import dev.segmentrelay.common.media.hls.HlsPlaylist;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small least-recently-used cache of parses keyed by body text (and location, for MPDs, since
 * relative URLs resolve against it). A live stream has a handful of distinct bodies at any moment
 * (one per rendition and edge), so a few dozen entries serve any number of viewers. Failed parses
 * are not cached. One lock around a map lookup: cheap beside parsing.
 */
final class CachingManifestParser implements ManifestParser {
  private final ManifestParser delegate;
  private final Map<Object, Object> entries;

  CachingManifestParser(ManifestParser delegate, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("cache entries must be 1 or more, was " + maxEntries);
    }
    this.delegate = delegate;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Object, Object> eldest) {
            return size() > maxEntries;
          }
        };
  }

  @Override
  public HlsPlaylist parseHls(String body) {
    Object hit = get(body);
    if (hit instanceof HlsPlaylist p) {
      return p;
    }
    HlsPlaylist parsed = delegate.parseHls(body);
    put(body, parsed);
    return parsed;
  }

  @Override
  public DashManifest parseDash(String body, URI location) {
    DashKey key = new DashKey(body, location);
    Object hit = get(key);
    if (hit instanceof DashManifest m) {
      return m;
    }
    DashManifest parsed = delegate.parseDash(body, location);
    put(key, parsed);
    return parsed;
  }

  private synchronized Object get(Object key) {
    return entries.get(key);
  }

  private synchronized void put(Object key, Object value) {
    entries.put(key, value);
  }

  private record DashKey(String body, URI location) {}
}
