package dev.segmentrelay.edge.cache;

import dev.segmentrelay.common.media.MediaPath;
import io.vertx.core.buffer.Buffer;

/**
 * What a second tier behind the memory tier wants to know (the S3 overflow tier). Both calls run on
 * the thread that touched the cache (an event loop): implementations must return at once.
 */
public interface CacheObserver {
  CacheObserver NONE = new CacheObserver() {};

  /**
   * A complete 200 segment or init segment was evicted for size (never called for playlists, MPDs,
   * negative entries, expiry or purges).
   */
  default void evicted(String key, CachedObject object) {}

  /** A 200 playlist or MPD arrived from upstream and was stored. */
  default void liveDocument(MediaPath media, Buffer body) {}
}
