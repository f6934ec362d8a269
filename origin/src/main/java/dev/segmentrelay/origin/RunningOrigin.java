package dev.segmentrelay.origin;

import io.vertx.core.Future;

/** A started origin. */
public interface RunningOrigin {
  /** The viewer/edge-facing and ingest port actually bound. */
  int port();

  /** The management port actually bound. */
  int adminPort();

  /** Stops ingest, closes the servers and Vert.x. */
  Future<Void> close();
}
