package dev.segmentrelay.common.s3;

import java.time.Instant;
import java.util.Map;

/**
 * What {@link S3Store#head} says about an object, without its body.
 *
 * @param key the key without the store's key prefix
 * @param metadata the user metadata given to {@link S3Store#put}, without the store's own entries
 */
public record S3ObjectInfo(
    String key,
    long size,
    String contentType,
    Map<String, String> metadata,
    Instant lastModified) {}
