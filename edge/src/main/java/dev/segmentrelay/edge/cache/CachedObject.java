package dev.segmentrelay.edge.cache;

import dev.segmentrelay.common.media.ObjectKind;
import io.vertx.core.buffer.Buffer;

/**
 * A complete upstream answer held by the memory tier. The body is one direct buffer that every hit
 * writes without copying (Vert.x writes a duplicate of it to the socket).
 *
 * @param status 200, or 404/410 for a negative entry
 * @param kind what the path names
 * @param body the complete body
 * @param etag validator (upstream's, or derived from the bytes)
 * @param lastModified HTTP date
 * @param storedAtNanos ticker time it was stored
 * @param ttlNanos time to live, {@link CachePolicy#FOREVER} for immutable objects
 */
public record CachedObject(
    int status,
    ObjectKind kind,
    Buffer body,
    String etag,
    String lastModified,
    long storedAtNanos,
    long ttlNanos) {

  /** Bytes this entry costs: the body plus a fixed estimate of the record and its key. */
  public int weight() {
    return body.length() + 256;
  }

  /** Age in whole seconds at ticker time {@code now}. */
  public long ageSeconds(long nowNanos) {
    return Math.max(0, (nowNanos - storedAtNanos) / 1_000_000_000L);
  }
}
