package dev.segmentrelay.origin.hls;

import java.util.Optional;

/**
 * A segment as the origin publishes it.
 *
 * @param sequence the origin's media sequence number (rises for the life of the stream)
 * @param path published path under {@code /live/{stream}/}
 * @param duration seconds
 * @param discontinuity preceded by {@code EXT-X-DISCONTINUITY}
 * @param initPath published path of its init segment (fMP4)
 * @param programDateTime the source's {@code EXT-X-PROGRAM-DATE-TIME}, if any
 * @param bytes size
 */
record PublishedSegment(
    long sequence,
    String path,
    double duration,
    boolean discontinuity,
    Optional<String> initPath,
    Optional<String> programDateTime,
    long bytes) {}
