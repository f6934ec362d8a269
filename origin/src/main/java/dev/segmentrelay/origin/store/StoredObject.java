package dev.segmentrelay.origin.store;

import dev.segmentrelay.common.media.ObjectKind;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;

/**
 * An immutable published object: a segment or init segment under the name the origin gave it.
 *
 * @param stream stream name
 * @param rendition the rendition it belongs to (its published playlist path or representation id)
 * @param path relative path under {@code /live/{stream}/}
 * @param kind segment or init segment
 * @param body the bytes, exactly as the transcoder produced them
 * @param etag strong validator derived from the bytes
 * @param storedAt when it entered the store
 */
public record StoredObject(
    String stream,
    String rendition,
    String path,
    ObjectKind kind,
    Buffer body,
    String etag,
    Instant storedAt) {
  public long size() {
    return body.length();
  }
}
