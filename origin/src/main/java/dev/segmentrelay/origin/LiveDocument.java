package dev.segmentrelay.origin;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;

/**
 * One published version of a live document (HLS playlist or DASH MPD), immutable. Its body only
 * names objects already in the segment store (consistent publishing).
 *
 * @param body the rendered document
 * @param contentType its media type
 * @param etag strong validator of the body
 * @param lastModified when this version was published
 * @param maxAgeSeconds how long caches may keep it (at most half a target duration)
 */
public record LiveDocument(
    Buffer body, String contentType, String etag, Instant lastModified, int maxAgeSeconds) {}
