package dev.segmentrelay.loadtest.report;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The totals of one group over the whole run: every viewer, a region, an edge or a cache result.
 * Viewer figures (viewers, startup, stalls, played time, switches) are zero for edges and cache
 * results, which only see requests.
 *
 * @param cache requests per {@code X-Relay-Cache} value ({@code HIT}, {@code MISS}, {@code
 *     COALESCED}, {@code STALE}, {@code NONE} when absent, {@code OTHER})
 */
public record GroupSummary(
    String name,
    long peakViewers,
    long requests,
    long errors,
    long bytes,
    long segments,
    Latency startupMs,
    Latency segmentMs,
    long stalls,
    double stallMillis,
    Latency stallMs,
    double playedSeconds,
    double stalledSeconds,
    long switches,
    long edgeMoves,
    long gaveUp,
    Map<String, Long> cache) {
  public GroupSummary {
    cache = Collections.unmodifiableMap(new TreeMap<>(cache));
  }

  /** Stalled time over watched time: stalled / (played + stalled); 0 before anything played. */
  public double rebufferRatio() {
    double watched = playedSeconds + stalledSeconds;
    return watched <= 0 ? 0 : stalledSeconds / watched;
  }

  /** Failed requests over all requests; 0 without requests. */
  public double errorRatio() {
    return requests == 0 ? 0 : (double) errors / requests;
  }

  /** Cache hits (HIT and COALESCED) over requests that carried a cache header. */
  public double hitRatio() {
    long hit = cache.getOrDefault("HIT", 0L) + cache.getOrDefault("COALESCED", 0L);
    long known = hit + cache.getOrDefault("MISS", 0L) + cache.getOrDefault("STALE", 0L);
    return known == 0 ? 0 : (double) hit / known;
  }
}
