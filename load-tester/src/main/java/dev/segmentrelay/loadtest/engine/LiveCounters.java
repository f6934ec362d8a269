package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.ViewerEvents;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The console's live figures, fed as {@link ViewerEvents} (one shared instance per region, tee'd
 * beside the results' own with {@link ViewerEventsTee}). Counters are {@link LongAdder}s and
 * segment times go to an HdrHistogram {@link Recorder}, so viewers on many event loops record
 * without locks; {@link #snapshot()} takes the interval histogram.
 */
public final class LiveCounters implements ProgressSource {
  private static final long MAX_MICROS = 3_600_000_000L;

  private final Map<String, RegionCounters> regions = new ConcurrentHashMap<>();
  private final Recorder segments = new Recorder(MAX_MICROS, 2);
  private Histogram interval;

  /** The events of viewers in {@code region}; the same instance for the same region. */
  public ViewerEvents events(String region) {
    return regions.computeIfAbsent(region, r -> new RegionCounters());
  }

  @Override
  public synchronized ProgressSnapshot snapshot() {
    interval = segments.getIntervalHistogram(interval);
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    if (interval.getTotalCount() > 0) {
      p50 = interval.getValueAtPercentile(50) / 1000.0;
      p99 = interval.getValueAtPercentile(99) / 1000.0;
    }
    long requests = 0;
    long bytes = 0;
    long errors = 0;
    long stalls = 0;
    Map<String, ProgressSnapshot.RegionProgress> perRegion = new LinkedHashMap<>();
    for (Map.Entry<String, RegionCounters> e : regions.entrySet()) {
      RegionCounters c = e.getValue();
      ProgressSnapshot.RegionProgress p =
          new ProgressSnapshot.RegionProgress(
              c.requests.sum(), c.bytes.sum(), c.errors.sum(), c.stalls.sum());
      perRegion.put(e.getKey(), p);
      requests += p.requests();
      bytes += p.bytes();
      errors += p.errors();
      stalls += p.stalls();
    }
    return new ProgressSnapshot(requests, bytes, errors, stalls, p50, p99, perRegion);
  }

  private final class RegionCounters implements ViewerEvents {
    final LongAdder requests = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder stalls = new LongAdder();

    @Override
    public void started(double startupMillis) {}

    @Override
    public void request(FetchResult result, RequestKind kind) {
      requests.increment();
      bytes.add(result.bytes());
      if (!result.ok()) {
        errors.increment();
      }
    }

    @Override
    public void segment(FetchResult result, double mediaSeconds, int renditionBandwidth) {
      long micros = Math.max(1, Math.min(MAX_MICROS, (long) (result.elapsedMillis() * 1000)));
      segments.recordValue(micros);
    }

    @Override
    public void stallStarted() {
      stalls.increment();
    }

    @Override
    public void stallEnded(double stallMillis) {}

    @Override
    public void switched(int fromBandwidth, int toBandwidth) {}

    @Override
    public void movedEdge(String from, String to) {}

    @Override
    public void progress(double playedSeconds, double stalledSeconds, double bufferSeconds) {}

    @Override
    public void ended(boolean gaveUp) {}
  }
}
