package dev.segmentrelay.edge;

import io.vertx.core.Future;

/** A started edge. */
public interface RunningEdge {
  /** The viewer-facing port actually bound. */
  int port();

  /** The management port actually bound. */
  int adminPort();

  /** Stops serving, closes the servers and Vert.x. */
  Future<Void> close();
}
