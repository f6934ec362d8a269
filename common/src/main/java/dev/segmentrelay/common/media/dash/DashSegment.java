package dev.segmentrelay.common.media.dash;

import java.net.URI;
import java.time.Duration;

/**
 * One media segment of a Representation, as the MPD describes it at a moment.
 *
 * @param number its {@code $Number$}
 * @param time its media time ({@code $Time$}) in timescale units
 * @param duration its duration in timescale units
 * @param timescale units per second
 * @param presentationStart when it starts, relative to the start of its Period
 * @param url absolute URL to fetch it from
 */
public record DashSegment(
    long number, long time, long duration, long timescale, Duration presentationStart, URI url) {

  public double durationSeconds() {
    return (double) duration / timescale;
  }

  /** Media time just after its last sample. */
  public long endTime() {
    return time + duration;
  }
}
