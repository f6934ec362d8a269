package dev.segmentrelay.edge.registration;

import dev.segmentrelay.common.media.MediaPath;
import java.util.function.Consumer;

/** Puts objects into the edge's cache ahead of viewers; {@link FillWarmer} is the real one. */
public interface CacheWarmer {
  /** What became of one warm-up. */
  enum Outcome {
    /** This warm-up fetched the object; it is now cached. */
    FETCHED,
    /** The object was cached or already being fetched (a viewer's fill): nothing to do. */
    CACHED,
    /** The fetch failed. */
    FAILED
  }

  /** Whether a fresh copy of {@code key} is cached (without counting as a use of it). */
  boolean cached(String key);

  /**
   * Fetches {@code media} into the cache through the viewers' fill path, calling {@code done}
   * exactly once with the outcome. Called on the event loop that runs prefetches.
   */
  void warm(MediaPath media, Consumer<Outcome> done);
}
