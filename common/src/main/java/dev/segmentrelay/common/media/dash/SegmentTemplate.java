package dev.segmentrelay.common.media.dash;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The SegmentTemplate in force for one Representation, after inheriting from the Period and
 * AdaptationSet levels (attribute by attribute; the nearest SegmentTimeline wins).
 *
 * @param media {@code @media}, with identifiers still in it
 * @param initialization {@code @initialization}, when the representation has an init segment
 * @param timescale units per second, positive
 * @param startNumber number of the first segment of the Period (or of the timeline)
 * @param duration {@code @duration} in timescale units, for templates without a timeline
 * @param presentationTimeOffset media time that maps to the start of the Period
 * @param timeline the SegmentTimeline, when present
 */
public record SegmentTemplate(
    String media,
    Optional<String> initialization,
    long timescale,
    long startNumber,
    OptionalLong duration,
    long presentationTimeOffset,
    Optional<SegmentTimeline> timeline) {

  /** True when {@code @media} names segments by {@code $Number$}. */
  public boolean mediaUsesNumber() {
    return SegmentUrlTemplate.uses(media, "Number");
  }
}
