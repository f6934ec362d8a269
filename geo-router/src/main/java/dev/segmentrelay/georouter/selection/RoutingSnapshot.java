package dev.segmentrelay.georouter.selection;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The edges a router may route to, frozen: built once whenever the registry or a health verdict
 * changes, then published whole (an {@code AtomicReference<RoutingSnapshot>} swap) and read by any
 * number of threads without locks.
 *
 * <p>Building it does the per-edge work once so that a routing decision does only arithmetic: each
 * edge's position as a unit vector, its load as a fraction of capacity, its site as a small integer
 * and a stable hash of its id for rendezvous hashing, all in flat arrays in id order (the order
 * that also breaks exact ties). These arrays are package-private and never exposed.
 */
public final class RoutingSnapshot {
  /** A snapshot without edges: every decision over it is empty. */
  public static final RoutingSnapshot EMPTY = of(List.of());

  private final List<RoutableEdge> edges;
  private final Map<String, RoutableEdge> byId;
  private final Map<String, Integer> siteIds;

  final int size;
  final EdgeRecord[] records;
  final double[] x;
  final double[] y;
  final double[] z;
  final long[] idHash;
  final int[] siteId;

  /**
   * Healthy, serving and below its viewer capacity: eligible unless over the egress headroom, which
   * is the policy's and so checked per decision.
   */
  final boolean[] open;

  /** Egress / capacityMbps (0 when the capacity is unknown). */
  final double[] egressFraction;

  /** The larger of the egress and viewer fractions of capacity (unknown capacity: 0). */
  final double[] loadFraction;

  private RoutingSnapshot(List<RoutableEdge> sorted) {
    this.edges = List.copyOf(sorted);
    this.size = sorted.size();
    this.records = new EdgeRecord[size];
    this.x = new double[size];
    this.y = new double[size];
    this.z = new double[size];
    this.idHash = new long[size];
    this.siteId = new int[size];
    this.open = new boolean[size];
    this.egressFraction = new double[size];
    this.loadFraction = new double[size];
    Map<String, RoutableEdge> ids = new HashMap<>();
    Map<String, Integer> sites = new HashMap<>();
    double[] v = new double[3];
    for (int i = 0; i < size; i++) {
      RoutableEdge edge = sorted.get(i);
      EdgeRecord r = edge.record();
      if (ids.putIfAbsent(r.id(), edge) != null) {
        throw new IllegalArgumentException(
            "edge id " + r.id() + " appears twice in the routing snapshot: ids must be unique");
      }
      records[i] = r;
      GreatCircle.unitVector(r.latitude(), r.longitude(), v);
      x[i] = v[0];
      y[i] = v[1];
      z[i] = v[2];
      idHash[i] = Rendezvous.idHash(r.id());
      siteId[i] = sites.computeIfAbsent(r.site(), s -> sites.size());
      double viewers = r.load().activeViewers();
      boolean full = r.capacityViewers() > 0 && viewers >= r.capacityViewers();
      open[i] = edge.healthy() && r.state() == EdgeState.SERVING && !full;
      egressFraction[i] = r.capacityMbps() > 0 ? r.load().egressMbps() / r.capacityMbps() : 0;
      double f = egressFraction[i];
      if (r.capacityViewers() > 0) {
        f = Math.max(f, viewers / r.capacityViewers());
      }
      loadFraction[i] = f;
    }
    this.byId = Map.copyOf(ids);
    this.siteIds = Map.copyOf(sites);
  }

  /**
   * A snapshot of these edges (any order; they are kept sorted by id).
   *
   * @throws IllegalArgumentException if two edges share an id
   */
  public static RoutingSnapshot of(List<RoutableEdge> edges) {
    List<RoutableEdge> sorted = new ArrayList<>(edges);
    sorted.sort(Comparator.comparing(RoutableEdge::id));
    return new RoutingSnapshot(sorted);
  }

  /** Every edge, healthy or not, sorted by id (the table behind {@code /api/v1/edges}). */
  public List<RoutableEdge> edges() {
    return edges;
  }

  /** The edge with this id, if the snapshot has it. */
  public Optional<RoutableEdge> edge(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Number of edges, eligible or not. */
  public int size() {
    return size;
  }

  /** The small integer of a site name in this snapshot, or -1 when no edge has that site. */
  int siteId(String site) {
    Integer id = siteIds.get(site);
    return id == null ? -1 : id;
  }
}
