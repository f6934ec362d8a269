package dev.segmentrelay.loadtest.report;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The counters of one group (all viewers, a region, an edge, a cache result). Writers (player
 * threads) only touch the adders and recorders; the roll state below is guarded by the {@link
 * Results} lock.
 */
final class Group {
  static final String[] CACHE_RESULTS = {"HIT", "MISS", "COALESCED", "STALE", "NONE", "OTHER"};

  final String name;
  final LongAdder requests = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder bytes = new LongAdder();
  final LongAdder segments = new LongAdder();
  final LongAdder stalls = new LongAdder();
  final LongAdder switches = new LongAdder();
  final LongAdder edgeMoves = new LongAdder();
  final LongAdder gaveUp = new LongAdder();
  final LongAdder[] cache = new LongAdder[CACHE_RESULTS.length];
  final DoubleAdder playedSeconds = new DoubleAdder();
  final DoubleAdder stalledSeconds = new DoubleAdder();
  final DoubleAdder stallMillis = new DoubleAdder();
  final AtomicLong active = new AtomicLong();
  final AtomicLong peak = new AtomicLong();
  final Recorder segmentUs = new Recorder(3);
  final Recorder startupUs = new Recorder(3);
  final Recorder stallUs = new Recorder(3);

  // Roll state: guarded by the Results lock.
  private final Histogram segmentTotal = new Histogram(3);
  private final Histogram startupTotal = new Histogram(3);
  private final Histogram stallTotal = new Histogram(3);
  private Histogram segmentInterval;
  private Histogram startupInterval;
  private Histogram stallInterval;
  private long prevRequests;
  private long prevErrors;
  private long prevBytes;
  private long prevSegments;
  private long prevStalls;

  Group(String name) {
    this.name = name;
    for (int i = 0; i < cache.length; i++) {
      cache[i] = new LongAdder();
    }
    segmentTotal.setAutoResize(true);
    startupTotal.setAutoResize(true);
    stallTotal.setAutoResize(true);
  }

  static long micros(double millis) {
    return millis <= 0 || Double.isNaN(millis) ? 0 : Math.round(Math.min(millis, 1e9) * 1000);
  }

  static int cacheIndex(String header) {
    if (header == null) {
      return 4;
    }
    String h = header.trim().toUpperCase(Locale.ROOT);
    for (int i = 0; i < 4; i++) {
      if (CACHE_RESULTS[i].equals(h)) {
        return i;
      }
    }
    return 5;
  }

  void countRequest(boolean ok, long size, int cacheIdx) {
    requests.increment();
    bytes.add(size);
    cache[cacheIdx].increment();
    if (!ok) {
      errors.increment();
    }
  }

  void countSegment(long micros) {
    segments.increment();
    segmentUs.recordValue(micros);
  }

  void joined() {
    long now = active.incrementAndGet();
    peak.accumulateAndGet(now, Math::max);
  }

  void left() {
    active.decrementAndGet();
  }

  /**
   * Moves what the recorders hold into the totals and returns the last window. Caller holds the
   * Results lock.
   */
  Snapshot.Window roll(double seconds) {
    segmentInterval = segmentUs.getIntervalHistogram(segmentInterval);
    startupInterval = startupUs.getIntervalHistogram(startupInterval);
    stallInterval = stallUs.getIntervalHistogram(stallInterval);
    segmentTotal.add(segmentInterval);
    startupTotal.add(startupInterval);
    stallTotal.add(stallInterval);
    long r = requests.sum();
    long e = errors.sum();
    long b = bytes.sum();
    long s = segments.sum();
    long st = stalls.sum();
    Snapshot.Window w =
        new Snapshot.Window(
            seconds,
            r - prevRequests,
            e - prevErrors,
            b - prevBytes,
            s - prevSegments,
            st - prevStalls,
            Latency.ofMicros(segmentInterval));
    prevRequests = r;
    prevErrors = e;
    prevBytes = b;
    prevSegments = s;
    prevStalls = st;
    return w;
  }

  /** The whole run so far; call after {@link #roll}. Caller holds the Results lock. */
  Snapshot.Window total(double seconds) {
    return new Snapshot.Window(
        seconds,
        prevRequests,
        prevErrors,
        prevBytes,
        prevSegments,
        prevStalls,
        Latency.ofMicros(segmentTotal));
  }

  /** Caller holds the Results lock, after {@link #roll}. */
  GroupSummary summary() {
    Map<String, Long> byCache = new TreeMap<>();
    for (int i = 0; i < cache.length; i++) {
      long n = cache[i].sum();
      if (n > 0) {
        byCache.put(CACHE_RESULTS[i], n);
      }
    }
    return new GroupSummary(
        name,
        peak.get(),
        requests.sum(),
        errors.sum(),
        bytes.sum(),
        segments.sum(),
        Latency.ofMicros(startupTotal),
        Latency.ofMicros(segmentTotal),
        stalls.sum(),
        stallMillis.sum(),
        Latency.ofMicros(stallTotal),
        playedSeconds.sum(),
        stalledSeconds.sum(),
        switches.sum(),
        edgeMoves.sum(),
        gaveUp.sum(),
        byCache);
  }

  /** Copies of the totals; caller holds the Results lock, after {@link #roll}. */
  Histogram startupCopy() {
    return startupTotal.copy();
  }

  Histogram segmentCopy() {
    return segmentTotal.copy();
  }
}
