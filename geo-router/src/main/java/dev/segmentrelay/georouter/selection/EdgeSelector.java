package dev.segmentrelay.georouter.selection;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the edges a viewer is sent to: a pure function of the viewer's location, the viewer's
 * address, a {@link RoutingSnapshot} and the {@link SelectionPolicy}. It reads no clock, keeps no
 * state apart from the policy, and any number of threads may share one instance.
 *
 * <h2>Design</h2>
 *
 * <p><b>Exclusion.</b> An edge is eligible only if the health tracker calls it healthy (its own
 * readiness probes plus fresh reports), its state is {@code serving} ({@code starting} edges are
 * not ready, {@code draining} ones are finishing their viewers), and it has room: egress below
 * {@code capacityMbps * egressHeadroom} and active viewers below {@code capacityViewers}. A
 * capacity of 0 is unknown and never excludes. {@link #explain} gives every excluded edge its
 * reason. No eligible edge gives an empty answer; what to do then (503, the origin) is the caller's
 * choice.
 *
 * <p><b>Score.</b> An eligible edge scores its great-circle distance to the viewer plus a load
 * penalty, both in km: {@code loadPenaltyKm * f^exponent}, where {@code f} is the larger of the
 * egress and viewer fractions of capacity. With the defaults (2,000 km, quadratic) a lightly loaded
 * edge keeps its viewers, an idle edge 500 km farther starts sharing new viewers with a near one at
 * 45 % load and takes all of them past 55 %, and an edge about to fill up competes as if it stood
 * on another continent. Lower scores rank first. Distances come from unit vectors precomputed per
 * snapshot: the squared chord between viewer and edge (three multiplications) is monotone in
 * distance, and {@code asin} turns it into km only for the edges whose score matters.
 *
 * <p><b>Preferred site.</b> When the location came from a coverage zone naming a site (an
 * operator's statement that those clients belong to that site), that site's eligible edges rank
 * before all others, each group ranked as below. A site without eligible edges is ignored.
 *
 * <p><b>Stickiness: rendezvous hashing.</b> Edges whose score lies within the near-equal band of
 * the best (the larger of {@code nearEqualKm} and {@code nearEqualFraction} of the best score) are
 * treated as equal, and the viewer's address orders them: each gets the weight {@code
 * mix(hash(client) ^ hash(edge id))} and the highest weight wins. This is highest-random-weight
 * (rendezvous) hashing: a viewer gets the same edge on every request and from every router in the
 * cluster, since it depends on nothing but the two hashes; viewers spread evenly over equal edges;
 * and when an edge leaves, only its own viewers move (to their second-highest weight), while an
 * edge joining takes its fair share from each of the others. A modulo hash would reshuffle nearly
 * everyone, a ring needs virtual nodes to spread evenly; rendezvous needs neither, and at tens of
 * edges the loop over them is cheaper than a ring lookup. Keeping a viewer on one edge keeps that
 * edge's cache warm for the viewer's stream and its TCP and TLS sessions alive. Outside the band,
 * edges follow by score, and exact ties (and the astronomically rare equal weights) by edge id, so
 * the order is total and the same on every router.
 *
 * <p><b>Cost.</b> {@link #best} is the redirect and DNS path: one pass over the snapshot's flat
 * arrays for the nearest eligible edge by chord, which bounds the best score and hence the band; a
 * second pass scores only edges whose distance alone is within that bound; a third takes the
 * highest weight among those within the band. That is O(n) multiplications and a few {@code asin}
 * for n edges, and one scratch array of n doubles besides the answer. {@link #rank} scores every
 * eligible edge and keeps the first {@code limit} by insertion (O(n * limit) comparisons at worst,
 * O(n) arrays), which suits content-steering lists of a few edges. Measured ({@code
 * SelectorBenchmark}, {@code docs/benchmarks.md}, "Router: selection"): {@code best} about 0.6 µs
 * over 100 edges and 3 µs over 500, {@code rank} of 5 about 1.9 µs over 100.
 */
public final class EdgeSelector {
  private final SelectionPolicy policy;

  /** A selector with {@link SelectionPolicy#DEFAULTS}. */
  public EdgeSelector() {
    this(SelectionPolicy.DEFAULTS);
  }

  public EdgeSelector(SelectionPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  public SelectionPolicy policy() {
    return policy;
  }

  /** The edge to send this viewer to, if any edge is eligible: the redirect and DNS answer. */
  public Optional<EdgeRecord> best(Location where, InetAddress client, RoutingSnapshot snapshot) {
    return best(where, Objects.requireNonNull(client, "client").getAddress(), snapshot);
  }

  /**
   * As {@link #best(Location, InetAddress, RoutingSnapshot)} with the client address as 4 or 16
   * bytes (e.g. an EDNS Client Subnet prefix, zero-padded).
   */
  public Optional<EdgeRecord> best(Location where, byte[] client, RoutingSnapshot snapshot) {
    long key = Rendezvous.clientKey(client);
    Objects.requireNonNull(snapshot, "snapshot");
    if (snapshot.size == 0) {
      return Optional.empty();
    }
    GeoPoint p = Objects.requireNonNull(where, "where").point();
    double phi = Math.toRadians(p.latitude());
    double lambda = Math.toRadians(p.longitude());
    double cosPhi = Math.cos(phi);
    double vx = cosPhi * Math.cos(lambda);
    double vy = cosPhi * Math.sin(lambda);
    double vz = Math.sin(phi);
    int preferred = preferredSite(where, snapshot);
    int i = -1;
    if (preferred >= 0) {
      i = bestIn(snapshot, vx, vy, vz, key, preferred);
    }
    if (i < 0) {
      i = bestIn(snapshot, vx, vy, vz, key, -1);
    }
    return i < 0 ? Optional.empty() : Optional.of(snapshot.records[i]);
  }

  /**
   * The first {@code limit} eligible edges for this viewer, best first: the first is {@link
   * #best}'s answer, the list is the content-steering order. Empty when no edge is eligible.
   */
  public List<EdgeRecord> rank(
      Location where, InetAddress client, RoutingSnapshot snapshot, int limit) {
    return rank(where, Objects.requireNonNull(client, "client").getAddress(), snapshot, limit);
  }

  /** As {@link #rank(Location, InetAddress, RoutingSnapshot, int)} with the address as bytes. */
  public List<EdgeRecord> rank(Location where, byte[] client, RoutingSnapshot snapshot, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    if (limit == 1) {
      return best(where, client, snapshot).map(List::of).orElse(List.of());
    }
    Ranking ranking = ranking(where, client, snapshot);
    int[] order = ranking.top(limit);
    EdgeRecord[] out = new EdgeRecord[order.length];
    for (int k = 0; k < order.length; k++) {
      out[k] = snapshot.records[order[k]];
    }
    return List.of(out);
  }

  /** Every candidate with its distance, penalty and score, and every excluded edge with why. */
  public Explanation explain(Location where, InetAddress client, RoutingSnapshot snapshot) {
    return explain(where, Objects.requireNonNull(client, "client").getAddress(), snapshot);
  }

  /** As {@link #explain(Location, InetAddress, RoutingSnapshot)} with the address as bytes. */
  public Explanation explain(Location where, byte[] client, RoutingSnapshot snapshot) {
    Ranking ranking = ranking(where, client, snapshot);
    int[] order = ranking.top(snapshot.size);
    List<Explanation.Candidate> candidates = new ArrayList<>(order.length);
    String preferred = "";
    for (int k = 0; k < order.length; k++) {
      int i = order[k];
      EdgeRecord r = snapshot.records[i];
      boolean inPreferred = ranking.group[i] == Ranking.PREFERRED;
      if (inPreferred) {
        preferred = r.site();
      }
      candidates.add(
          new Explanation.Candidate(
              k + 1,
              r.id(),
              r.site(),
              r.publicUrl(),
              ranking.km[i],
              snapshot.loadFraction[i],
              ranking.penalty[i],
              ranking.score[i],
              inPreferred,
              ranking.sticky[i]));
    }
    List<Explanation.Excluded> excluded = new ArrayList<>();
    for (int i = 0; i < snapshot.size; i++) {
      if (ranking.group[i] == Ranking.EXCLUDED) {
        EdgeRecord r = snapshot.records[i];
        excluded.add(new Explanation.Excluded(r.id(), r.site(), exclusionReason(snapshot, i)));
      }
    }
    return new Explanation(preferred, policy, candidates, excluded);
  }

  private Ranking ranking(Location where, byte[] client, RoutingSnapshot snapshot) {
    long key = Rendezvous.clientKey(client);
    Objects.requireNonNull(snapshot, "snapshot");
    GeoPoint p = Objects.requireNonNull(where, "where").point();
    double[] v = new double[3];
    GreatCircle.unitVector(p.latitude(), p.longitude(), v);
    return new Ranking(this, snapshot, v[0], v[1], v[2], key, preferredSite(where, snapshot));
  }

  /**
   * The index of the best edge among the eligible ones of {@code site} (all sites when -1), or -1.
   * Passes: nearest by chord, which bounds the best score; best score among edges whose distance is
   * within that bound plus its band; highest rendezvous weight among edges within the band.
   */
  private int bestIn(RoutingSnapshot s, double vx, double vy, double vz, long client, int site) {
    int n = s.size;
    // Squared chords of the members, then their scores; NaN (never <= anything) for the others.
    double[] key = new double[n];
    int nearest = -1;
    double nearestChord = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if ((site < 0 || s.siteId[i] == site) && eligible(s, i)) {
        double c = GreatCircle.chord2(vx, vy, vz, s.x[i], s.y[i], s.z[i]);
        key[i] = c;
        if (c < nearestChord) {
          nearestChord = c;
          nearest = i;
        }
      } else {
        key[i] = Double.NaN;
      }
    }
    if (nearest < 0) {
      return -1;
    }
    // Every score is at least its distance, and the best score is at most the nearest edge's:
    // an edge farther than that score plus its band can be neither best nor near-equal to it.
    double nearestScore = GreatCircle.km(nearestChord) + policy.penaltyKm(s.loadFraction[nearest]);
    double reach = GreatCircle.chord2AtMost(nearestScore + policy.bandKm(nearestScore));
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (key[i] <= reach) {
        double score = GreatCircle.km(key[i]) + policy.penaltyKm(s.loadFraction[i]);
        key[i] = score;
        best = Math.min(best, score);
      } else {
        key[i] = Double.NaN;
      }
    }
    double cut = best + policy.bandKm(best);
    int chosen = -1;
    long chosenWeight = 0;
    for (int i = 0; i < n; i++) {
      if (key[i] <= cut) {
        long w = Rendezvous.weight(client, s.idHash[i]);
        if (chosen < 0 || w > chosenWeight) {
          chosen = i;
          chosenWeight = w;
        }
      }
    }
    return chosen;
  }

  /** The snapshot's id of the location's coverage-zone site when the policy honours it, or -1. */
  int preferredSite(Location where, RoutingSnapshot s) {
    if (!policy.preferCoverageSite() || where.site().isEmpty()) {
      return -1;
    }
    return s.siteId(where.site().get());
  }

  boolean eligible(RoutingSnapshot s, int i) {
    return s.open[i] && s.egressFraction[i] < policy.egressHeadroom();
  }

  private String exclusionReason(RoutingSnapshot s, int i) {
    RoutableEdge edge = s.edges().get(i);
    EdgeRecord r = edge.record();
    if (!edge.healthy()) {
      return "unhealthy: " + edge.healthReason();
    }
    if (r.state() != EdgeState.SERVING) {
      return r.state().wireName();
    }
    if (s.egressFraction[i] >= policy.egressHeadroom()) {
      String reason =
          "over egress capacity "
              + megabits(r.load().egressMbps())
              + "/"
              + r.capacityMbps()
              + " Mbit/s";
      if (policy.egressHeadroom() < 1) {
        reason += " (limit " + megabits(r.capacityMbps() * policy.egressHeadroom()) + ")";
      }
      return reason;
    }
    return "over viewer capacity "
        + r.load().activeViewers()
        + "/"
        + r.capacityViewers()
        + " viewers";
  }

  private static String megabits(double mbps) {
    String s = String.format(Locale.ROOT, "%.1f", mbps);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
