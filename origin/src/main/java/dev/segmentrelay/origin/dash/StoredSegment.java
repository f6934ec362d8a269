package dev.segmentrelay.origin.dash;

import java.time.Instant;

/**
 * A media segment the origin holds, as the republished MPD lists it.
 *
 * @param number its {@code $Number$}
 * @param time its media time in timescale units
 * @param duration in timescale units
 * @param path origin path under {@code /live/{stream}/}
 * @param storedAt when it entered the store
 */
record StoredSegment(long number, long time, long duration, String path, Instant storedAt) {}
