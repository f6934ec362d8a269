package dev.segmentrelay.common.media.dash;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Period.
 *
 * @param index position in the MPD
 * @param id {@code @id}, when given
 * @param start {@code @start}, or the end of the previous Period, or zero for the first
 * @param duration how long it lasts, when known: {@code @duration}, the next Period's start, or
 *     what is left of {@code MPD@mediaPresentationDuration}
 * @param adaptationSets its AdaptationSets, in document order
 */
public record Period(
    int index,
    Optional<String> id,
    Duration start,
    Optional<Duration> duration,
    List<AdaptationSet> adaptationSets) {
  public Period {
    adaptationSets = List.copyOf(adaptationSets);
  }
}
