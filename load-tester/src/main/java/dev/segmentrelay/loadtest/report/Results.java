package dev.segmentrelay.loadtest.report;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.ViewerEvents;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Everything the virtual viewers report, aggregated while they play.
 *
 * <p><b>Writers.</b> Thousands of viewers on several event loops call their {@link #viewer sink}.
 * Each event touches only {@link LongAdder}s and HdrHistogram {@link Recorder}s (wait-free) of a
 * few groups: all viewers, the viewer's region, the answering edge, the cache result. A group is
 * looked up in a {@link ConcurrentHashMap} at most once per request (edges); regions are resolved
 * when the viewer is created. No lock is taken on an event.
 *
 * <p><b>Per viewer.</b> A sink holds only what must be per viewer: the last played and stalled
 * seconds (progress reports are cumulative, the groups add the differences), whether it ended, and
 * its drill state. No histogram per viewer: 10,000 viewers must fit in well under 20 KB each.
 *
 * <p><b>Reader.</b> One thread (the engine's console timer) calls {@link #snapshot()} once a
 * second. It swaps each recorder's interval histogram out, adds it to the group's totals and
 * appends a timeline point; counters are read as running sums and differenced against the previous
 * roll. {@link #summary()} rolls once more and copies the totals. Both hold this object's lock,
 * which only readers take.
 *
 * <p><b>Time</b> comes from an injected monotonic millisecond clock, the same one the players'
 * scheduler uses, so drills and recovery times line up with player events.
 *
 * <p><b>Drills.</b> {@link #drill} records when an edge was killed or drained. A viewer whose
 * request fails after that time is affected; its recovery time runs from the drill to its next
 * whole segment. Only the latest drill is tracked per viewer.
 */
public final class Results {
  static final String NO_EDGE = "-";
  static final String OTHER_EDGES = "(other)";
  static final int MAX_EDGES = 1000;
  static final int MAX_TIMELINE = 86_400;
  static final double MIN_LAST_POINT_SECONDS = 0.2;

  private final LongSupplier nowMillis;
  private final long startMillis;
  final Group all = new Group("all");
  private final Map<String, Group> regions = new ConcurrentHashMap<>();
  private final List<String> regionOrder = new CopyOnWriteArrayList<>();
  private final Map<String, Group> edges = new ConcurrentHashMap<>();
  private final Group[] cache = new Group[Group.CACHE_RESULTS.length];
  private final LongAdder[][] requestsByKind = new LongAdder[RequestKind.values().length][2];
  private final LongAdder[] errorsByKind = new LongAdder[FetchResult.ErrorKind.values().length];
  private final List<Drill> drills = new CopyOnWriteArrayList<>();
  private volatile Drill latestDrill;
  private volatile LoadTesterHealth health = LoadTesterHealth.UNKNOWN;
  private volatile Optional<RunInfo> run = Optional.empty();

  // Guarded by this.
  private long lastRollMillis;
  private final List<TimelinePoint> timeline = new ArrayList<>();
  private double cpuOneCoreSum;
  private double cpuMachineSum;
  private long healthSamples;
  private double worstLagP99;
  private double worstLagMax;
  private boolean everBottleneck;
  private long heapPerViewer;

  /**
   * @param nowMillis a monotonic clock in milliseconds, the one the players' scheduler uses
   */
  public Results(LongSupplier nowMillis) {
    this.nowMillis = Objects.requireNonNull(nowMillis, "nowMillis");
    this.startMillis = nowMillis.getAsLong();
    this.lastRollMillis = startMillis;
    for (int i = 0; i < cache.length; i++) {
      cache[i] = new Group(Group.CACHE_RESULTS[i]);
    }
    for (LongAdder[] pair : requestsByKind) {
      pair[0] = new LongAdder();
      pair[1] = new LongAdder();
    }
    for (int i = 0; i < errorsByKind.length; i++) {
      errorsByKind[i] = new LongAdder();
    }
  }

  /**
   * A new viewer in {@code region}: counts it as active until it calls {@link ViewerEvents#ended}.
   *
   * @param region a region code such as {@code jp}; viewers without a region use {@code default}
   */
  public ViewerEvents viewer(String region) {
    Objects.requireNonNull(region, "region");
    String code = region.isBlank() ? "default" : region.trim();
    Group g = regions.get(code);
    if (g == null) {
      g =
          regions.computeIfAbsent(
              code,
              c -> {
                regionOrder.add(c);
                return new Group(c);
              });
    }
    all.joined();
    g.joined();
    return new ViewerSink(this, g);
  }

  /**
   * Records a drill (an edge killed or drained) named {@code name} at {@code atMillis} on the
   * results' clock. Viewers failing a request from then on count as affected by it.
   */
  public void drill(String name, long atMillis) {
    Objects.requireNonNull(name, "name");
    Drill d = new Drill(name, atMillis);
    drills.add(d);
    latestDrill = d;
  }

  /** The load tester's own health, set by the engine (typically each second before a snapshot). */
  public void loadTester(LoadTesterHealth health) {
    Objects.requireNonNull(health, "health");
    this.health = health;
    synchronized (this) {
      cpuOneCoreSum += health.cpuPercentOfOneCore();
      cpuMachineSum += health.cpuPercentOfMachine();
      healthSamples++;
      worstLagP99 = Math.max(worstLagP99, health.loopLagP99Millis());
      worstLagMax = Math.max(worstLagMax, health.loopLagMaxMillis());
      everBottleneck |= health.bottleneck();
      if (health.heapPerViewerBytes() > 0) {
        heapPerViewer = health.heapPerViewerBytes();
      }
    }
  }

  /** The run parameters for the report header; set again with an end time when the run is over. */
  public void run(RunInfo info) {
    this.run = Optional.of(info);
  }

  /** Milliseconds on the results' clock. */
  public long nowMillis() {
    return nowMillis.getAsLong();
  }

  /**
   * The run so far and the interval since the previous call, overall and per region; appends a
   * point to the timeline. Meant to be called once a second by one thread.
   */
  public synchronized Snapshot snapshot() {
    return roll(true);
  }

  private Snapshot roll(boolean always) {
    long now = nowMillis.getAsLong();
    double seconds = Math.max(0, now - lastRollMillis) / 1000.0;
    double elapsed = Math.max(0, now - startMillis) / 1000.0;
    lastRollMillis = now;
    Snapshot.Window last = all.roll(seconds);
    Snapshot.GroupSnapshot allSnap =
        new Snapshot.GroupSnapshot(
            all.name, all.active.get(), all.peak.get(), all.total(elapsed), last);
    Map<String, Snapshot.GroupSnapshot> byRegion = new LinkedHashMap<>();
    for (String code : regionOrder) {
      Group g = regions.get(code);
      if (g == null) {
        continue; // listed by computeIfAbsent a moment before the map publishes it
      }
      Snapshot.Window w = g.roll(seconds);
      byRegion.put(
          code,
          new Snapshot.GroupSnapshot(code, g.active.get(), g.peak.get(), g.total(elapsed), w));
    }
    for (Group g : edges.values()) {
      g.roll(seconds);
    }
    for (Group g : cache) {
      g.roll(seconds);
    }
    LoadTesterHealth h = health;
    // The summary's own roll adds a point only for a real interval: a rate over a few
    // milliseconds would be noise at the end of every chart.
    if (timeline.size() < MAX_TIMELINE && (always || seconds >= MIN_LAST_POINT_SECONDS)) {
      timeline.add(
          new TimelinePoint(
              elapsed,
              all.active.get(),
              last.requestsPerSecond(),
              last.mbitPerSecond(),
              last.segmentMs(),
              last.stalls(),
              last.errors(),
              h.cpuPercentOfOneCore(),
              h.loopLagP99Millis()));
    }
    return new Snapshot(elapsed, allSnap, byRegion, h);
  }

  /**
   * The whole run: rolls the recorders once more (the final partial second becomes a timeline point
   * if it lasted at least 0.2 s) and copies every total. Call once the viewers have ended.
   */
  public synchronized Summary summary() {
    roll(false);
    double elapsed = Math.max(0, nowMillis.getAsLong() - startMillis) / 1000.0;
    Map<String, GroupSummary> byRegion = new LinkedHashMap<>();
    for (String code : regionOrder) {
      Group g = regions.get(code);
      if (g != null) {
        byRegion.put(code, g.summary());
      }
    }
    Map<String, GroupSummary> byEdge = new TreeMap<>();
    for (Group g : edges.values()) {
      byEdge.put(g.name, g.summary());
    }
    Map<String, GroupSummary> byCache = new LinkedHashMap<>();
    for (Group g : cache) {
      GroupSummary s = g.summary();
      if (s.requests() > 0) {
        byCache.put(g.name, s);
      }
    }
    Map<String, Summary.KindCounts> kinds = new LinkedHashMap<>();
    for (RequestKind k : RequestKind.values()) {
      LongAdder[] pair = requestsByKind[k.ordinal()];
      long ok = pair[0].sum();
      long failed = pair[1].sum();
      if (ok + failed > 0) {
        kinds.put(k.name(), new Summary.KindCounts(ok, failed));
      }
    }
    Map<String, Long> errors = new LinkedHashMap<>();
    for (FetchResult.ErrorKind k : FetchResult.ErrorKind.values()) {
      long n = errorsByKind[k.ordinal()].sum();
      if (k != FetchResult.ErrorKind.NONE && n > 0) {
        errors.put(k.name(), n);
      }
    }
    List<DrillSummary> drillSummaries = new ArrayList<>();
    for (Drill d : drills) {
      drillSummaries.add(d.summary(startMillis));
    }
    LoadTesterHealth overRun =
        healthSamples == 0
            ? health
            : new LoadTesterHealth(
                cpuOneCoreSum / healthSamples,
                cpuMachineSum / healthSamples,
                worstLagP99,
                worstLagMax,
                everBottleneck,
                heapPerViewer);
    return new Summary(
        run,
        elapsed,
        all.summary(),
        byRegion,
        byEdge,
        byCache,
        kinds,
        errors,
        timeline,
        drillSummaries,
        overRun,
        all.startupCopy(),
        all.segmentCopy());
  }

  // ---- called by ViewerSink on player threads ----

  void onRequest(ViewerSink viewer, Group region, FetchResult r, RequestKind kind) {
    boolean ok = r.ok();
    long bytes = Math.max(0, r.bytes());
    int cacheIdx = Group.cacheIndex(r.cacheResult().orElse(null));
    requestsByKind[kind.ordinal()][ok ? 0 : 1].increment();
    all.countRequest(ok, bytes, cacheIdx);
    region.countRequest(ok, bytes, cacheIdx);
    edge(r).countRequest(ok, bytes, cacheIdx);
    cache[cacheIdx].countRequest(ok, bytes, cacheIdx);
    if (!ok) {
      errorsByKind[r.error().ordinal()].increment();
      Drill d = latestDrill;
      if (d != null && viewer.drill != d && nowMillis.getAsLong() >= d.atMillis) {
        viewer.drill = d;
        viewer.awaitingRecovery = true;
        d.affected.increment();
      }
    }
  }

  void onSegment(ViewerSink viewer, Group region, FetchResult r) {
    if (!r.ok()) {
      return;
    }
    long us = Group.micros(r.elapsedMillis());
    all.countSegment(us);
    region.countSegment(us);
    edge(r).countSegment(us);
    cache[Group.cacheIndex(r.cacheResult().orElse(null))].countSegment(us);
    if (viewer.awaitingRecovery) {
      viewer.awaitingRecovery = false;
      Drill d = viewer.drill;
      d.recovery.recordValue(Group.micros(nowMillis.getAsLong() - d.atMillis));
    }
  }

  private Group edge(FetchResult r) {
    String name = r.edge().map(String::trim).filter(s -> !s.isEmpty()).orElse(NO_EDGE);
    Group g = edges.get(name);
    if (g != null) {
      return g;
    }
    if (edges.size() >= MAX_EDGES) {
      name = OTHER_EDGES;
    }
    return edges.computeIfAbsent(name, Group::new);
  }

  /** A drill and the recovery of the viewers it hit. */
  static final class Drill {
    final String name;
    final long atMillis;
    final LongAdder affected = new LongAdder();
    final Recorder recovery = new Recorder(3);
    private final Histogram recoveryTotal = new Histogram(3);

    Drill(String name, long atMillis) {
      this.name = name;
      this.atMillis = atMillis;
    }

    synchronized DrillSummary summary(long startMillis) {
      recoveryTotal.add(recovery.getIntervalHistogram());
      return new DrillSummary(
          name,
          (atMillis - startMillis) / 1000.0,
          affected.sum(),
          recoveryTotal.getTotalCount(),
          Latency.ofMicros(recoveryTotal));
    }
  }
}
