package dev.segmentrelay.common.media.dash;

import java.util.List;
import java.util.OptionalLong;

/**
 * A SegmentTimeline: runs of segments, each {@code S} with an optional start {@code @t}, a duration
 * {@code @d} and a repeat count {@code @r} ({@code -1}: repeat until the next {@code S}, the end of
 * the Period, or, in a dynamic MPD, until now).
 */
public record SegmentTimeline(List<Entry> entries) {
  public SegmentTimeline {
    entries = List.copyOf(entries);
  }

  /**
   * One {@code S} element.
   *
   * @param t start in timescale units, when given
   * @param d duration in timescale units, positive
   * @param r additional repeats of the same duration ({@code -1}: open-ended)
   */
  public record Entry(OptionalLong t, long d, long r) {}
}
