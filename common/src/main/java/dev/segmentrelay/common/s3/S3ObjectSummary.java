package dev.segmentrelay.common.s3;

import java.time.Instant;

/**
 * One entry of {@link S3Store#list}.
 *
 * @param key the key without the store's key prefix
 */
public record S3ObjectSummary(String key, long size, Instant lastModified) {}
