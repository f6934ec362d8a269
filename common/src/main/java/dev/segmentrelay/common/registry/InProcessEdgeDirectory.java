package dev.segmentrelay.common.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code edges} map inside one JVM. Entries expire by the injected clock, checked by {@link
 * #sweep()} (run every 100 ms on a daemon thread started by the first report, and before every
 * {@link #entries()}).
 */
final class InProcessEdgeDirectory implements EdgeDirectory {
  private static final Logger log = LoggerFactory.getLogger(InProcessEdgeDirectory.class);
  private static final long SWEEP_MILLIS = 100;

  private final Clock clock;
  private final Map<String, Expiring> edges = new ConcurrentHashMap<>();
  private final List<EdgeDirectory.Listener> edgeListeners = new CopyOnWriteArrayList<>();
  private volatile ScheduledExecutorService sweeper;

  private record Expiring(EdgeRecord record, Instant expiresAt) {}

  /** A directory whose entries expire by {@code clock}. */
  InProcessEdgeDirectory(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void report(EdgeRecord record, Duration ttl) {
    edges.put(record.id(), new Expiring(record, clock.instant().plus(ttl)));
    startSweeper();
    for (EdgeDirectory.Listener listener : edgeListeners) {
      notify(() -> listener.updated(record));
    }
  }

  @Override
  public void remove(String edgeId) {
    if (edges.remove(edgeId) != null) {
      edgeRemoved(edgeId);
    }
  }

  @Override
  public Collection<EdgeRecord> entries() {
    sweep();
    List<EdgeRecord> records = new ArrayList<>();
    edges.values().forEach(e -> records.add(e.record()));
    return records;
  }

  @Override
  public SegmentEvents.Subscription watch(EdgeDirectory.Listener listener) {
    edgeListeners.add(listener);
    edges.values().forEach(e -> notify(() -> listener.updated(e.record())));
    return () -> edgeListeners.remove(listener);
  }

  /** Removes expired edge entries now, telling watchers. */
  void sweep() {
    Instant now = clock.instant();
    edges.forEach(
        (id, entry) -> {
          if (!entry.expiresAt().isAfter(now) && edges.remove(id, entry)) {
            edgeRemoved(id);
          }
        });
  }

  /** Stops the expiry sweeper. */
  void close() {
    ScheduledExecutorService s = sweeper;
    if (s != null) {
      s.shutdownNow();
    }
  }

  private void edgeRemoved(String edgeId) {
    for (EdgeDirectory.Listener listener : edgeListeners) {
      notify(() -> listener.removed(edgeId));
    }
  }

  private synchronized void startSweeper() {
    if (sweeper == null) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "registry-edge-expiry");
                t.setDaemon(true);
                return t;
              });
      sweeper.scheduleWithFixedDelay(
          this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("edge directory listener failed: {}", e.toString());
    }
  }
}
