package dev.segmentrelay.loadtest.engine;

import java.util.Map;

/**
 * Live figures for the console: counters since the run started, segment percentiles over the
 * interval since the previous snapshot.
 *
 * @param requests requests completed (ok or not)
 * @param bytes body bytes received
 * @param errors failed requests
 * @param stalls stalls started
 * @param segmentP50Millis median segment download time in the last interval, NaN if none
 * @param segmentP99Millis 99th percentile of the same
 * @param regions the same counters per region code
 */
public record ProgressSnapshot(
    long requests,
    long bytes,
    long errors,
    long stalls,
    double segmentP50Millis,
    double segmentP99Millis,
    Map<String, RegionProgress> regions) {
  public ProgressSnapshot {
    regions = Map.copyOf(regions);
  }

  /** One region's counters since the start. */
  public record RegionProgress(long requests, long bytes, long errors, long stalls) {}

  /** Nothing yet. */
  public static ProgressSnapshot empty() {
    return new ProgressSnapshot(0, 0, 0, 0, Double.NaN, Double.NaN, Map.of());
  }
}
