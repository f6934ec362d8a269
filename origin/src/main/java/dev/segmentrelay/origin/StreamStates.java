package dev.segmentrelay.origin;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The state a stream reports, decided the same way for HLS and DASH. */
public final class StreamStates {
  private StreamStates() {}

  /**
   * @param newestSegmentAt when the newest segment was published, empty before the first
   * @param ended the source ended the presentation and everything it named is published
   * @return {@code starting}, {@code ended}, {@code stalled} (no new segment for {@code
   *     stalledAfter}) or {@code live}
   */
  public static String of(
      Optional<Instant> newestSegmentAt, boolean ended, Instant now, Duration stalledAfter) {
    if (newestSegmentAt.isEmpty()) {
      return "starting";
    }
    if (ended) {
      return "ended";
    }
    if (Duration.between(newestSegmentAt.get(), now).compareTo(stalledAfter) > 0) {
      return "stalled";
    }
    return "live";
  }
}
