package dev.segmentrelay.common.registry;

import java.io.Serializable;
import java.time.Instant;

/**
 * Announced on a stream's segment topic when the origin has published a new segment, so edges with
 * viewers of that stream can prefetch it.
 *
 * @param stream stream name
 * @param rendition the rendition's playlist path or representation id
 * @param path the segment's relative path under {@code /live/{stream}/}
 * @param sequence media sequence number (HLS) or segment number (DASH) as published
 * @param durationSeconds segment duration
 * @param bytes segment size
 * @param publishedAt when the origin published it
 */
public record SegmentAvailable(
    String stream,
    String rendition,
    String path,
    long sequence,
    double durationSeconds,
    long bytes,
    Instant publishedAt)
    implements Serializable {}
