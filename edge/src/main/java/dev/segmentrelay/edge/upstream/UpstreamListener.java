package dev.segmentrelay.edge.upstream;

import io.vertx.core.buffer.Buffer;

/**
 * Receives one upstream response as it arrives: {@link #onHead} once, then {@link #onChunk} for
 * each body chunk, then exactly one of {@link #onEnd} or {@link #onError}. All calls happen on the
 * Vert.x context the fetch was started on, in order.
 */
public interface UpstreamListener {
  /** Status and headers of the upstream that answered (2xx, 304, 404 or 410). */
  void onHead(UpstreamResponse head);

  void onChunk(Buffer chunk);

  /** The whole body arrived (and matched {@code Content-Length} when one was sent). */
  void onEnd();

  /**
   * The fetch failed: before {@link #onHead} when no upstream could answer (after failover), after
   * it when the body broke off (reset, idle timeout, fewer bytes than announced).
   */
  void onError(UpstreamException error);
}
