package dev.segmentrelay.edge.registration;

import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this edge's entry into the registry's {@code edges} map every {@link #INTERVAL}, with a
 * time to live of {@link #TTL}: three missed reports and routers forget the edge.
 *
 * <p><b>State.</b> {@link EdgeState#STARTING} until the viewer port listens ({@link #listening})
 * and one upstream accepted a connection ({@link #upstreamReachable}), then {@link
 * EdgeState#SERVING}; {@link EdgeState#DRAINING} whenever the drain switch is on, whatever else.
 *
 * <p><b>Load</b>, over the interval since the previous tick, measured by the injected clock: egress
 * Mbit/s from the viewer byte counter, the hit ratio from the request counters (see {@link
 * Counters}), and the distinct viewer addresses of the last 30 s ({@link ViewerCounter}).
 *
 * <p><b>Threads.</b> {@link #tick} runs on an event loop (a Vert.x timer) and only reads counters.
 * The registry write may block (a Hazelcast map put crosses the network), so it runs on {@code
 * registryThread}, a single thread shared by every registry call of the edge. At most one report is
 * in flight: a tick that finds the previous one still running skips its report (counted as {@code
 * skipped}) instead of queueing behind it, so a slow registry never builds a backlog and the report
 * that does go out is always the freshest. Because the thread is a FIFO, {@link #close}'s {@code
 * remove} runs after any report still in flight and no late report can resurrect the entry.
 */
public final class EdgeReporter {
  private static final Logger log = LoggerFactory.getLogger(EdgeReporter.class);

  /** Time between reports. */
  public static final Duration INTERVAL = Duration.ofSeconds(1);

  /** How long an entry lives without a new report. */
  public static final Duration TTL = Duration.ofSeconds(3);

  /** The edge's cumulative counters, read once per tick. */
  public interface Counters {
    /** Body bytes sent to viewers since start. */
    double bytesOut();

    /**
     * Viewer requests answered without an upstream request of their own since start: {@code HIT},
     * {@code COALESCED} (joined a fetch already under way) and {@code 304}s.
     */
    long cacheHits();

    /** {@link #cacheHits} plus those that went upstream: {@code MISS}, {@code STALE}, errors. */
    long cacheLookups();
  }

  private final EdgeDirectory directory;
  private final Counters counters;
  private final ViewerCounter viewers;
  private final BooleanSupplier draining;
  private final Supplier<String> memberId;
  private final Clock clock;
  private final Executor registryThread;
  private final Counter reportsOk;
  private final Counter reportsFailed;
  private final Counter reportsSkipped;

  private final AtomicBoolean inFlight = new AtomicBoolean();
  private volatile EdgeRecord identity;
  private volatile boolean listening;
  private volatile boolean upstreamReachable;
  private volatile boolean closed;
  private volatile Optional<EdgeRecord> lastReport = Optional.empty();
  private volatile EdgeLoad lastLoad = EdgeLoad.IDLE;

  // Previous tick's counter values; guarded by this (ticks never overlap in practice).
  private Instant previousAt;
  private double previousBytes;
  private long previousHits;
  private long previousLookups;

  /**
   * @param identity the edge's fixed fields ({@link EdgeIdentity}); state, load, report time and
   *     member id are filled in at each report
   * @param memberId the registry member this edge's JVM is (empty in process), asked at each report
   *     so a reconnect with a new id is reported
   * @param registryThread runs every registry call, one at a time, in order
   */
  public EdgeReporter(
      EdgeRecord identity,
      EdgeDirectory directory,
      Counters counters,
      ViewerCounter viewers,
      BooleanSupplier draining,
      Supplier<String> memberId,
      Clock clock,
      Executor registryThread,
      MeterRegistry meters) {
    this.identity = identity;
    this.directory = directory;
    this.counters = counters;
    this.viewers = viewers;
    this.draining = draining;
    this.memberId = memberId;
    this.clock = clock;
    this.registryThread = registryThread;
    this.reportsOk = reports(meters, "ok");
    this.reportsFailed = reports(meters, "failed");
    this.reportsSkipped = reports(meters, "skipped");
    this.previousAt = clock.instant();
    this.previousBytes = counters.bytesOut();
    this.previousHits = counters.cacheHits();
    this.previousLookups = counters.cacheLookups();
    viewers.advance(previousAt.toEpochMilli());
  }

  private static Counter reports(MeterRegistry meters, String result) {
    return Counter.builder("relay_edge_registry_reports")
        .description("load reports to the registry: ok, failed, or skipped (previous still busy)")
        .tag("result", result)
        .register(meters);
  }

  /** The viewer port listens. */
  public void listening() {
    listening = true;
  }

  /** An upstream accepted a connection: the edge can fill its cache. */
  public void upstreamReachable() {
    upstreamReachable = true;
  }

  public boolean isUpstreamReachable() {
    return upstreamReachable;
  }

  /** Replaces the addresses of the public URL's host (resolved once, off the event loop). */
  public void addresses(List<String> addresses) {
    EdgeRecord r = identity;
    identity = copy(r, addresses, r.state(), r.load(), r.reportedAt(), r.memberId());
  }

  /** The fixed fields of this edge's entry. */
  public EdgeRecord identity() {
    return identity;
  }

  /** The state the next report will carry. */
  public EdgeState state() {
    if (draining.getAsBoolean()) {
      return EdgeState.DRAINING;
    }
    return listening && upstreamReachable ? EdgeState.SERVING : EdgeState.STARTING;
  }

  /** The last record the registry accepted, if any. */
  public Optional<EdgeRecord> lastReport() {
    return lastReport;
  }

  /** The load measured at the last tick. */
  public EdgeLoad lastLoad() {
    return lastLoad;
  }

  /**
   * Measures the load since the previous tick and hands a report to the registry thread, unless the
   * previous report is still in flight. Cheap: safe on an event loop.
   */
  public void tick() {
    if (closed) {
      return;
    }
    EdgeRecord record = measure();
    if (!inFlight.compareAndSet(false, true)) {
      reportsSkipped.increment();
      log.debug("previous registry report still in flight: skipping this one");
      return;
    }
    try {
      registryThread.execute(() -> send(record));
    } catch (RejectedExecutionException e) {
      inFlight.set(false);
    }
  }

  /** The record for now: load over the interval since the previous tick. */
  synchronized EdgeRecord measure() {
    Instant now = clock.instant();
    double bytes = counters.bytesOut();
    long hits = counters.cacheHits();
    long lookups = counters.cacheLookups();
    double seconds = Duration.between(previousAt, now).toNanos() / 1e9;
    double egressMbps = seconds > 0 ? Math.max(0, bytes - previousBytes) * 8 / seconds / 1e6 : 0;
    long dLookups = lookups - previousLookups;
    long dHits = hits - previousHits;
    double hitRatio = dLookups > 0 ? Math.min(1, Math.max(0, (double) dHits / dLookups)) : 0;
    if (seconds > 0) {
      previousAt = now;
      previousBytes = bytes;
      previousHits = hits;
      previousLookups = lookups;
    }
    viewers.advance(now.toEpochMilli());
    EdgeLoad load = new EdgeLoad(egressMbps, viewers.estimate(), hitRatio);
    lastLoad = load;
    EdgeRecord r = identity;
    return copy(r, r.addresses(), state(), load, now, memberId.get());
  }

  private static EdgeRecord copy(
      EdgeRecord r,
      List<String> addresses,
      EdgeState state,
      EdgeLoad load,
      Instant at,
      String memberId) {
    return new EdgeRecord(
        r.id(),
        r.publicUrl(),
        addresses,
        r.site(),
        r.latitude(),
        r.longitude(),
        r.country(),
        r.capacityMbps(),
        r.capacityViewers(),
        state,
        load,
        at,
        memberId,
        r.adminUrl());
  }

  private void send(EdgeRecord record) {
    try {
      if (!closed) {
        directory.report(record, TTL);
        lastReport = Optional.of(record);
        reportsOk.increment();
      }
    } catch (RuntimeException e) {
      reportsFailed.increment();
      log.warn("report of edge {} to the registry failed: {}", record.id(), e.toString());
    } finally {
      inFlight.set(false);
    }
  }

  /**
   * Stops reporting and removes the entry, so routers stop sending viewers at once instead of when
   * the entry expires. Completes once the removal ran (after any report still in flight).
   */
  public CompletableFuture<Void> close() {
    closed = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    String id = identity.id();
    try {
      registryThread.execute(
          () -> {
            try {
              directory.remove(id);
              log.info("edge {} removed from the registry", id);
            } catch (RuntimeException e) {
              log.warn(
                  "could not remove edge {} from the registry ({}); it expires within {} s",
                  id,
                  e.toString(),
                  TTL.toSeconds());
            } finally {
              done.complete(null);
            }
          });
    } catch (RejectedExecutionException e) {
      done.complete(null);
    }
    return done;
  }
}
