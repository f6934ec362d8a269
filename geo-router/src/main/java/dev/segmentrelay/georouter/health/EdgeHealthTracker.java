package dev.segmentrelay.georouter.health;

import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.georouter.selection.RoutableEdge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Health of every registered edge, from two independent sources.
 *
 * <p><b>Reports</b> arrive from the registry (each edge writes its entry every second). Their age
 * is judged by when this router <em>received</em> them, never by the edge's own clock, so clock
 * skew between hosts cannot keep a dead edge alive. An entry removed from the registry (expired,
 * removed on clean shutdown, or its Hazelcast member gone after a {@code kill -9}) leaves at once.
 *
 * <p><b>Probes</b> are this router's own readiness checks ({@link EdgeProber}). A frozen process
 * ({@code SIGSTOP}) keeps its registry entry until its member is declared dead, but never answers a
 * probe, so the probe timeout is what removes it quickly. One failed probe takes an edge out; it
 * comes back after {@link HealthPolicy#successesToRecover()} good ones in a row (a brand-new edge
 * after its first good probe).
 *
 * <p>Callbacks arrive on registry threads and event loops; each edge's state is updated under its
 * own lock. {@link #evaluate()} is called by one timer and returns a new list only when something
 * that changes routing happened (a new record, a removal, or a verdict flip), so the routing
 * snapshot is rebuilt at most once per tick.
 */
public final class EdgeHealthTracker implements EdgeDirectory.Listener {
  private final Clock clock;
  private final HealthPolicy policy;
  private final Map<String, EdgeState> edges = new ConcurrentHashMap<>();
  private final AtomicLong changes = new AtomicLong();
  private long evaluatedChanges = -1;
  private Map<String, Boolean> lastVerdicts = Map.of();

  public EdgeHealthTracker(Clock clock, HealthPolicy policy) {
    this.clock = clock;
    this.policy = policy;
  }

  public HealthPolicy policy() {
    return policy;
  }

  @Override
  public void updated(EdgeRecord record) {
    EdgeState state = edges.computeIfAbsent(record.id(), id -> new EdgeState());
    synchronized (state) {
      boolean routingFieldsChanged =
          state.record == null || !sameRoutingFields(state.record, record);
      state.record = record;
      state.reportReceivedAt = clock.instant();
      if (routingFieldsChanged) {
        changes.incrementAndGet();
      }
    }
  }

  @Override
  public void removed(String edgeId) {
    if (edges.remove(edgeId) != null) {
      changes.incrementAndGet();
    }
  }

  /** Records a readiness probe's outcome; {@code detail} says what failed. */
  public void probed(String edgeId, boolean ok, String detail) {
    EdgeState state = edges.get(edgeId);
    if (state == null) {
      return;
    }
    synchronized (state) {
      state.probeAnsweredAt = ok ? clock.instant() : state.probeAnsweredAt;
      state.lastProbeDetail = detail;
      if (ok) {
        state.consecutiveSuccesses++;
        state.consecutiveFailures = 0;
      } else {
        state.consecutiveFailures++;
        state.consecutiveSuccesses = 0;
        state.everFailed = true;
      }
    }
  }

  /** The records to probe now. */
  public List<EdgeRecord> records() {
    List<EdgeRecord> out = new ArrayList<>(edges.size());
    for (EdgeState state : edges.values()) {
      synchronized (state) {
        if (state.record != null) {
          out.add(state.record);
        }
      }
    }
    return out;
  }

  /**
   * Computes every edge's verdict now.
   *
   * @return the edges with verdicts (sorted by id) if anything that matters for routing changed
   *     since the previous call, else empty
   */
  public synchronized Optional<List<RoutableEdge>> evaluate() {
    long seen = changes.get();
    List<RoutableEdge> all = current();
    Map<String, Boolean> verdicts = new ConcurrentHashMap<>();
    for (RoutableEdge e : all) {
      verdicts.put(e.record().id(), e.healthy());
    }
    boolean changed = seen != evaluatedChanges || !verdicts.equals(lastVerdicts);
    evaluatedChanges = seen;
    lastVerdicts = verdicts;
    return changed ? Optional.of(all) : Optional.empty();
  }

  /** Every edge with its verdict at this instant, sorted by id. */
  public List<RoutableEdge> current() {
    Instant now = clock.instant();
    List<RoutableEdge> out = new ArrayList<>(edges.size());
    for (EdgeState state : edges.values()) {
      synchronized (state) {
        if (state.record != null) {
          String problem = problem(state, now);
          out.add(
              new RoutableEdge(state.record, problem == null, problem == null ? "ok" : problem));
        }
      }
    }
    out.sort(Comparator.comparing(e -> e.record().id()));
    return out;
  }

  /** What the router knows about one edge's health, for {@code /api/v1/edges}. */
  public Optional<HealthView> view(String edgeId) {
    EdgeState state = edges.get(edgeId);
    if (state == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    synchronized (state) {
      return Optional.of(
          new HealthView(
              age(state.reportReceivedAt, now),
              age(state.probeAnsweredAt, now),
              state.lastProbeDetail,
              state.consecutiveFailures));
    }
  }

  /**
   * Health details of one edge.
   *
   * @param reportAgeMillis time since the last registry report arrived, -1 if never
   * @param probeAgeMillis time since the last good probe, -1 if never
   * @param lastProbe what the last probe saw
   * @param consecutiveProbeFailures failed probes in a row
   */
  public record HealthView(
      long reportAgeMillis, long probeAgeMillis, String lastProbe, int consecutiveProbeFailures) {}

  private String problem(EdgeState s, Instant now) {
    Duration reportAge = Duration.between(s.reportReceivedAt, now);
    if (reportAge.compareTo(policy.reportTimeout()) > 0) {
      return "no registry report for " + reportAge.toMillis() + " ms";
    }
    if (s.record.adminUrl().isEmpty()) {
      return null; // an edge without a management URL is judged by its reports alone
    }
    if (s.probeAnsweredAt == null) {
      return s.consecutiveFailures > 0
          ? "readiness probe failed: " + s.lastProbeDetail
          : "not probed yet";
    }
    if (s.consecutiveFailures > 0) {
      return "readiness probe failed: " + s.lastProbeDetail;
    }
    if (s.everFailed && s.consecutiveSuccesses < policy.successesToRecover()) {
      return "recovering: "
          + s.consecutiveSuccesses
          + " of "
          + policy.successesToRecover()
          + " good probes";
    }
    Duration probeAge = Duration.between(s.probeAnsweredAt, now);
    if (probeAge.compareTo(policy.probeStaleAfter()) > 0) {
      return "no readiness answer for " + probeAge.toMillis() + " ms";
    }
    return null;
  }

  private static long age(Instant at, Instant now) {
    return at == null ? -1 : Math.max(0, Duration.between(at, now).toMillis());
  }

  /** Whether two reports of one edge route the same (load changes count: they move viewers). */
  private static boolean sameRoutingFields(EdgeRecord a, EdgeRecord b) {
    return a.publicUrl().equals(b.publicUrl())
        && a.addresses().equals(b.addresses())
        && a.site().equals(b.site())
        && a.latitude() == b.latitude()
        && a.longitude() == b.longitude()
        && a.capacityMbps() == b.capacityMbps()
        && a.capacityViewers() == b.capacityViewers()
        && a.state() == b.state()
        && a.load().equals(b.load())
        && a.adminUrl().equals(b.adminUrl());
  }

  private static final class EdgeState {
    EdgeRecord record;
    Instant reportReceivedAt;
    Instant probeAnsweredAt;
    String lastProbeDetail = "not probed yet";
    int consecutiveSuccesses;
    int consecutiveFailures;
    boolean everFailed;
  }
}
