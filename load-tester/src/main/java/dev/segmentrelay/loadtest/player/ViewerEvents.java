package dev.segmentrelay.loadtest.player;

/**
 * What a virtual viewer reports as it plays; the results aggregate it (per viewer, per region, per
 * edge, per second). Called on the player's thread; implementations must be cheap and thread-safe
 * across players.
 */
public interface ViewerEvents {
  /** Playback started {@code startupMillis} after the viewer's first request. */
  void started(double startupMillis);

  /** One request completed (any kind: playlist, init, segment, steering), ok or not. */
  void request(FetchResult result, RequestKind kind);

  /** A media segment arrived whole: its download time from request start, and its duration. */
  void segment(FetchResult result, double mediaSeconds, int renditionBandwidth);

  /**
   * A media segment was given up after its retries (the player moved on to the next one). The
   * failed requests were reported through {@link #request}.
   */
  default void segmentSkipped(String url) {}

  /** The buffer ran dry while playing. */
  void stallStarted();

  /** Playback resumed after a stall of {@code stallMillis}. */
  void stallEnded(double stallMillis);

  /** The player moved to another rendition. */
  void switched(int fromBandwidth, int toBandwidth);

  /** The player moved to another pathway or edge (content steering or failover). */
  void movedEdge(String from, String to);

  /** Seconds of media played so far and stalled so far change: called once per second. */
  void progress(double playedSeconds, double stalledSeconds, double bufferSeconds);

  /** The viewer ended (run over, or gave up after repeated failures). */
  void ended(boolean gaveUp);

  /** What a request was for. */
  enum RequestKind {
    MASTER,
    MEDIA_PLAYLIST,
    MPD,
    INIT,
    SEGMENT,
    STEERING
  }
}
