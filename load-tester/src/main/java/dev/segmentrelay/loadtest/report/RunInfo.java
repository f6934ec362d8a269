package dev.segmentrelay.loadtest.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parameters of a run, as the engine resolved them, for the report's header.
 *
 * @param url the URL the viewers started from
 * @param viewers the number of viewers asked for
 * @param duration how long the run was to last
 * @param profile the load profile (e.g. {@code ramp 10s}, {@code spike}), free text
 * @param regions region code to percentage of viewers, in the order given
 * @param start wall-clock start
 * @param end wall-clock end, once the run is over
 */
public record RunInfo(
    String url,
    int viewers,
    Duration duration,
    String profile,
    Map<String, Integer> regions,
    Instant start,
    Optional<Instant> end) {
  public RunInfo {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    regions = Collections.unmodifiableMap(new LinkedHashMap<>(regions));
  }

  /** This run, ended at {@code at}. */
  public RunInfo endedAt(Instant at) {
    return new RunInfo(url, viewers, duration, profile, regions, start, Optional.of(at));
  }
}
