package dev.segmentrelay.common.s3;

import java.time.Instant;
import java.util.Map;

/**
 * An object read whole from S3 and verified (length and checksum) before it is handed out.
 *
 * @param key the key without the store's key prefix
 * @param body the bytes; not copied, do not modify
 * @param metadata the user metadata given to {@link S3Store#put}, without the store's own entries
 */
public record S3Object(
    String key,
    byte[] body,
    String contentType,
    Map<String, String> metadata,
    Instant lastModified) {}
