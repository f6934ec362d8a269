package dev.segmentrelay.edge;

import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.edge.cache.EdgeCache;
import dev.segmentrelay.edge.registration.EdgeReporter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The edge's own meters. Counters are resolved once at start, so the hot path only increments. They
 * also feed the registry's load report ({@link EdgeReporter.Counters}): the reporter reads the
 * totals once a second and takes differences, so the hot path pays nothing extra for it.
 */
final class EdgeMetrics implements EdgeReporter.Counters {
  /** How a request was answered. */
  enum Result {
    HIT,
    MISS,
    COALESCED,
    /** Missed memory, answered from the S3 overflow tier (no upstream request). */
    S3,
    STALE,
    NOT_MODIFIED,
    ERROR
  }

  private final Map<ObjectKind, Map<Result, Counter>> requests = new EnumMap<>(ObjectKind.class);
  private final Counter rejected;
  private final Counter bytesOut;

  EdgeMetrics(MeterRegistry meters, EdgeCache cache) {
    for (ObjectKind kind : ObjectKind.values()) {
      Map<Result, Counter> byResult = new EnumMap<>(Result.class);
      for (Result r : Result.values()) {
        byResult.put(
            r,
            Counter.builder("relay_edge_requests")
                .description("viewer requests by object kind and how they were served")
                .tag("kind", kind.name().toLowerCase(Locale.ROOT))
                .tag("cache", r.name())
                .register(meters));
      }
      requests.put(kind, byResult);
    }
    rejected =
        Counter.builder("relay_edge_requests_rejected")
            .description("viewer requests refused before the cache (bad path, method, range)")
            .register(meters);
    bytesOut =
        Counter.builder("relay_edge_bytes_out")
            .description("body bytes sent to viewers")
            .baseUnit("bytes")
            .register(meters);
    Gauge.builder("relay_edge_cache_bytes", cache, EdgeCache::bytes)
        .description("bytes held by the memory tier (bodies plus per-entry estimate)")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("relay_edge_cache_entries", cache, EdgeCache::entries)
        .description("entries in the memory tier")
        .register(meters);
    FunctionCounter.builder("relay_edge_cache_evictions", cache, EdgeCache::evictions)
        .description("entries evicted for size or expiry")
        .register(meters);
    Gauge.builder("relay_edge_coalesced_waiters", cache, EdgeCache::waiters)
        .description("viewer requests currently waiting on an upstream fetch")
        .register(meters);
  }

  void request(ObjectKind kind, Result result) {
    requests.get(kind).get(result).increment();
  }

  void rejected() {
    rejected.increment();
  }

  void bytesOut(long n) {
    bytesOut.increment(n);
  }

  @Override
  public double bytesOut() {
    return bytesOut.count();
  }

  @Override
  public long cacheHits() {
    return sum(Result.HIT, Result.COALESCED, Result.S3, Result.NOT_MODIFIED);
  }

  @Override
  public long cacheLookups() {
    return cacheHits() + sum(Result.MISS, Result.STALE, Result.ERROR);
  }

  private long sum(Result... results) {
    double n = 0;
    for (Map<Result, Counter> byResult : requests.values()) {
      for (Result r : results) {
        n += byResult.get(r).count();
      }
    }
    return (long) n;
  }
}
