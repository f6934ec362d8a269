package dev.segmentrelay.loadtest.player;

import java.util.function.Consumer;

/**
 * HTTP GET for a player: follows redirects (counting a loop as an error), measures from the moment
 * the request is started, never throws. The engine backs it with a pooled Vert.x client; tests with
 * a scripted fake. The callback runs on the player's thread.
 */
public interface Fetcher {
  /**
   * Fetches {@code url}.
   *
   * @param keepBody whether the caller needs the body text (playlists, MPDs, steering JSON); a
   *     segment's body is counted and dropped
   */
  void get(String url, boolean keepBody, Consumer<FetchResult> done);
}
