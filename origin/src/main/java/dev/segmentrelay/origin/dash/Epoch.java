package dev.segmentrelay.origin.dash;

import dev.segmentrelay.common.media.dash.Mpd;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One uninterrupted run of the transcoder, published as one Period under names carrying {@link
 * #tag}. Confined to the stream's event loop.
 */
final class Epoch {
  final String tag;
  final Optional<Instant> sourceAvailabilityStart;
  final Optional<String> sourcePeriodId;
  final Duration publishedStart;
  final Map<String, RepresentationIngest> representations = new LinkedHashMap<>();

  /** Representation ids whose names were refused (logged once per epoch). */
  final Set<String> refused = new HashSet<>();

  /** The newest source MPD of this run and the index of the live Period in it. */
  Mpd source;

  /** {@link #source} as fetched, for the archive state (archive on only). */
  byte[] sourceBytes = new byte[0];

  /** Restored from the archive: a previous origin run's epoch, listed but never fetched. */
  boolean restored;

  /** A restored epoch whose transcoder run this one continues (segments after its newest). */
  Epoch continues;

  /** How much later the Period starts than the source's timeline: see RepresentationIngest. */
  Duration shift = Duration.ZERO;

  int sourcePeriodIndex;
  boolean closed;

  Epoch(
      String tag,
      Optional<Instant> sourceAvailabilityStart,
      Optional<String> sourcePeriodId,
      Duration publishedStart,
      Mpd source,
      int sourcePeriodIndex) {
    this.tag = tag;
    this.sourceAvailabilityStart = sourceAvailabilityStart;
    this.sourcePeriodId = sourcePeriodId;
    this.publishedStart = publishedStart;
    this.source = source;
    this.sourcePeriodIndex = sourcePeriodIndex;
  }

  /** Where this epoch's stored media ends on the origin's timeline. */
  Duration publishedEnd() {
    double seconds =
        representations.values().stream()
            .mapToDouble(RepresentationIngest::endSeconds)
            .max()
            .orElse(0);
    return publishedStart.plus(Duration.ofNanos(Math.round(seconds * 1e9)));
  }

  boolean idle() {
    return representations.values().stream().allMatch(RepresentationIngest::idle);
  }

  /** Ends this epoch: nothing more is fetched for it; in-flight results are discarded. */
  void close() {
    closed = true;
    representations.values().forEach(RepresentationIngest::abandon);
  }
}
