package dev.segmentrelay.edge.upstream;

import io.vertx.core.Future;

/**
 * The edge's upstreams: fetches {@code /live/…} paths from the first healthy one, failing over to
 * the next on a connection failure, a timeout before the first byte or a 5xx. Each upstream has a
 * keep-alive connection pool and a circuit breaker.
 */
public interface Upstreams {
  /**
   * Starts fetching {@code pathAndQuery} (e.g. {@code /live/room1/stream_0/e1-42-seg.ts}) and
   * streams the response to {@code listener}, on the caller's Vert.x context.
   */
  void fetch(String pathAndQuery, UpstreamListener listener);

  Future<Void> close();
}
