package dev.segmentrelay.georouter.selection;

import static dev.segmentrelay.georouter.selection.Edges.AMSTERDAM;
import static dev.segmentrelay.georouter.selection.Edges.BANGKOK;
import static dev.segmentrelay.georouter.selection.Edges.FRANKFURT;
import static dev.segmentrelay.georouter.selection.Edges.OSAKA;
import static dev.segmentrelay.georouter.selection.Edges.SINGAPORE;
import static dev.segmentrelay.georouter.selection.Edges.TOKYO;
import static dev.segmentrelay.georouter.selection.Edges.at;
import static dev.segmentrelay.georouter.selection.Edges.client;
import static dev.segmentrelay.georouter.selection.Edges.edge;
import static dev.segmentrelay.georouter.selection.Edges.inState;
import static dev.segmentrelay.georouter.selection.Edges.inZone;
import static dev.segmentrelay.georouter.selection.Edges.ip;
import static dev.segmentrelay.georouter.selection.Edges.loaded;
import static dev.segmentrelay.georouter.selection.Edges.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EdgeSelectorTest {
  private static final EdgeSelector SELECTOR = new EdgeSelector();
  private static final InetAddress VIEWER = ip("198.51.100.7");

  private static final EdgeRecord FRA = edge("fra-1", "fra1", FRANKFURT);
  private static final EdgeRecord TYO = edge("tyo-1", "tyo1", TOKYO);
  private static final EdgeRecord BKK = edge("bkk-1", "bkk1", BANGKOK);
  private static final RoutingSnapshot THREE_SITES = snapshot(FRA, TYO, BKK);

  private static String bestId(EdgeSelector selector, Location where, byte[] c, RoutingSnapshot s) {
    return selector.best(where, c, s).map(EdgeRecord::id).orElse("none");
  }

  private static List<String> ids(List<EdgeRecord> records) {
    return records.stream().map(EdgeRecord::id).toList();
  }

  // --- distance ---------------------------------------------------------------------------

  @Test
  void tokyoViewerGetsTheTokyoEdgeNotFrankfurt() {
    assertThat(SELECTOR.best(at(TOKYO), VIEWER, THREE_SITES)).contains(TYO);
    assertThat(ids(SELECTOR.rank(at(TOKYO), VIEWER, THREE_SITES, 3)))
        .containsExactly("tyo-1", "bkk-1", "fra-1");
  }

  @Test
  void bangkokViewerGetsBangkokAndFrankfurtViewerGetsFrankfurt() {
    assertThat(SELECTOR.best(at(BANGKOK), VIEWER, THREE_SITES)).contains(BKK);
    assertThat(SELECTOR.best(at(SINGAPORE), VIEWER, THREE_SITES)).contains(BKK);
    assertThat(SELECTOR.best(at(FRANKFURT), VIEWER, THREE_SITES)).contains(FRA);
    assertThat(SELECTOR.best(at(Edges.LONDON), VIEWER, THREE_SITES)).contains(FRA);
  }

  @Test
  void ipv6ClientsAreRoutedByLocationLikeIpv4Ones() {
    InetAddress v6 = ip("2001:db8:85a3::8a2e:370:7334");
    assertThat(SELECTOR.best(at(TOKYO), v6, THREE_SITES)).contains(TYO);
    assertThat(ids(SELECTOR.rank(at(BANGKOK), v6, THREE_SITES, 2)))
        .containsExactly("bkk-1", "tyo-1");
  }

  @Test
  void explanationGivesDistancesPenaltiesAndScoresInRankOrder() {
    EdgeRecord busyTokyo = loaded(TYO, 500, 100);
    Explanation e = SELECTOR.explain(at(OSAKA), VIEWER, snapshot(FRA, busyTokyo, BKK));
    assertThat(e.candidates())
        .extracting(Explanation.Candidate::id)
        .containsExactly("tyo-1", "bkk-1", "fra-1");
    Explanation.Candidate tokyo = e.candidates().get(0);
    assertThat(tokyo.rank()).isEqualTo(1);
    assertThat(tokyo.distanceKm()).isCloseTo(400, withPercentage(2));
    assertThat(tokyo.loadFraction()).isEqualTo(0.5);
    assertThat(tokyo.loadPenaltyKm()).isEqualTo(500);
    assertThat(tokyo.scoreKm()).isEqualTo(tokyo.distanceKm() + 500);
    assertThat(tokyo.sticky()).isTrue();
    assertThat(e.candidates().get(2).distanceKm()).isCloseTo(9_170, withPercentage(1));
    assertThat(e.candidates().get(2).sticky()).isFalse();
    assertThat(e.excluded()).isEmpty();
    assertThat(e.preferredSite()).isEmpty();
    assertThat(e.policy()).isEqualTo(SelectionPolicy.DEFAULTS);
  }

  @Test
  void explanationMapsToJsonAsItIs() {
    RoutingSnapshot s =
        RoutingSnapshot.of(
            List.of(RoutableEdge.healthy(TYO), RoutableEdge.unhealthy(BKK, "probe refused")));
    io.vertx.core.json.JsonObject json =
        io.vertx.core.json.JsonObject.mapFrom(SELECTOR.explain(at(TOKYO), VIEWER, s));
    assertThat(json.getString("preferredSite")).isEmpty();
    assertThat(json.getJsonObject("policy").getDouble("loadPenaltyKm")).isEqualTo(2000.0);
    io.vertx.core.json.JsonObject first = json.getJsonArray("candidates").getJsonObject(0);
    assertThat(first.fieldNames())
        .containsExactlyInAnyOrder(
            "rank",
            "id",
            "site",
            "publicUrl",
            "distanceKm",
            "loadFraction",
            "loadPenaltyKm",
            "scoreKm",
            "preferredSite",
            "sticky");
    assertThat(first.getString("id")).isEqualTo("tyo-1");
    assertThat(json.getJsonArray("excluded").getJsonObject(0).getString("reason"))
        .isEqualTo("unhealthy: probe refused");
  }

  // --- exclusion ---------------------------------------------------------------------------

  @Test
  void unhealthyStartingDrainingAndFullEdgesAreExcludedWithTheirReasons() {
    RoutingSnapshot s =
        RoutingSnapshot.of(
            List.of(
                RoutableEdge.unhealthy(edge("a-sick", "tyo1", TOKYO), "readiness probe timed out"),
                RoutableEdge.healthy(
                    inState(edge("b-draining", "tyo1", TOKYO), EdgeState.DRAINING)),
                RoutableEdge.healthy(
                    inState(edge("c-starting", "tyo1", TOKYO), EdgeState.STARTING)),
                RoutableEdge.healthy(loaded(edge("d-egress", "tyo1", TOKYO), 950, 10)),
                RoutableEdge.healthy(loaded(edge("e-viewers", "tyo1", TOKYO), 10, 5000)),
                RoutableEdge.healthy(BKK)));
    assertThat(SELECTOR.best(at(TOKYO), VIEWER, s)).contains(BKK);
    assertThat(ids(SELECTOR.rank(at(TOKYO), VIEWER, s, 10))).containsExactly("bkk-1");
    Explanation e = SELECTOR.explain(at(TOKYO), VIEWER, s);
    assertThat(e.candidates()).extracting(Explanation.Candidate::id).containsExactly("bkk-1");
    assertThat(e.excluded())
        .extracting(Explanation.Excluded::id, Explanation.Excluded::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a-sick", "unhealthy: readiness probe timed out"),
            org.assertj.core.groups.Tuple.tuple("b-draining", "draining"),
            org.assertj.core.groups.Tuple.tuple("c-starting", "starting"),
            org.assertj.core.groups.Tuple.tuple(
                "d-egress", "over egress capacity 950/1000 Mbit/s (limit 900)"),
            org.assertj.core.groups.Tuple.tuple(
                "e-viewers", "over viewer capacity 5000/5000 viewers"));
  }

  @Test
  void egressCapacityExcludesAtTheHeadroomAndNotBelowIt() {
    EdgeRecord near = edge("near", "tyo1", TOKYO);
    EdgeRecord far = edge("far", "bkk1", BANGKOK);
    EdgeSelector strict = new EdgeSelector(SelectionPolicy.DEFAULTS.withEgressHeadroom(1.0));
    assertThat(bestId(SELECTOR, at(TOKYO), client(1), snapshot(loaded(near, 899.9, 1), far)))
        .isEqualTo("near");
    assertThat(bestId(SELECTOR, at(TOKYO), client(1), snapshot(loaded(near, 900, 1), far)))
        .isEqualTo("far");
    assertThat(bestId(strict, at(TOKYO), client(1), snapshot(loaded(near, 950, 1), far)))
        .isEqualTo("near");
    assertThat(
            strict.explain(at(TOKYO), client(1), snapshot(loaded(near, 1000, 1), far)).excluded())
        .extracting(Explanation.Excluded::reason)
        .containsExactly("over egress capacity 1000/1000 Mbit/s");
  }

  @Test
  void viewerCapacityExcludesAtTheLimit() {
    EdgeRecord near = edge("near", "tyo1", TOKYO);
    EdgeRecord far = edge("far", "bkk1", BANGKOK);
    assertThat(bestId(SELECTOR, at(TOKYO), client(1), snapshot(loaded(near, 1, 4999), far)))
        .isEqualTo("near");
    assertThat(bestId(SELECTOR, at(TOKYO), client(1), snapshot(loaded(near, 1, 5000), far)))
        .isEqualTo("far");
  }

  @Test
  void unknownCapacityNeverExcludesNorPenalises() {
    EdgeRecord unknown =
        new EdgeRecord(
            "unknown",
            "http://u:1",
            List.of(),
            "tyo1",
            TOKYO.latitude(),
            TOKYO.longitude(),
            "",
            0,
            0,
            EdgeState.SERVING,
            new dev.segmentrelay.common.registry.EdgeLoad(90_000, 1_000_000, 1),
            FRA.reportedAt(),
            "",
            "http://u:2");
    RoutingSnapshot s = snapshot(unknown, BKK);
    assertThat(SELECTOR.best(at(TOKYO), VIEWER, s)).contains(unknown);
    assertThat(SELECTOR.explain(at(TOKYO), VIEWER, s).candidates().get(0).loadPenaltyKm()).isZero();
  }

  @Test
  void nothingEligibleGivesEmptyAnswers() {
    RoutingSnapshot s =
        RoutingSnapshot.of(
            List.of(
                RoutableEdge.unhealthy(TYO, "member left"),
                RoutableEdge.healthy(inState(BKK, EdgeState.DRAINING))));
    assertThat(SELECTOR.best(at(TOKYO), VIEWER, s)).isEmpty();
    assertThat(SELECTOR.rank(at(TOKYO), VIEWER, s, 5)).isEmpty();
    assertThat(SELECTOR.explain(at(TOKYO), VIEWER, s).candidates()).isEmpty();
    assertThat(SELECTOR.explain(at(TOKYO), VIEWER, s).excluded()).hasSize(2);
  }

  @Test
  void emptySnapshotGivesEmptyAnswers() {
    assertThat(SELECTOR.best(at(TOKYO), VIEWER, RoutingSnapshot.EMPTY)).isEmpty();
    assertThat(SELECTOR.rank(at(TOKYO), VIEWER, RoutingSnapshot.EMPTY, 1)).isEmpty();
    assertThat(SELECTOR.rank(at(TOKYO), VIEWER, RoutingSnapshot.EMPTY, 5)).isEmpty();
    Explanation e = SELECTOR.explain(at(TOKYO), VIEWER, RoutingSnapshot.EMPTY);
    assertThat(e.candidates()).isEmpty();
    assertThat(e.excluded()).isEmpty();
  }

  @Test
  void oneEdgeIsTheAnswerWhereverTheViewerIs() {
    RoutingSnapshot s = snapshot(FRA);
    assertThat(SELECTOR.best(at(Edges.SYDNEY), VIEWER, s)).contains(FRA);
    assertThat(SELECTOR.rank(at(TOKYO), ip("::1"), s, 5)).containsExactly(FRA);
  }

  // --- load penalty ------------------------------------------------------------------------

  @Test
  void loadMovesAViewerToAFartherIdleEdgeOnlyWhenTheNearOneIsLoadedEnough() {
    // Frankfurt to Amsterdam is about 360 km; with the defaults Frankfurt's penalty at 30 % load
    // is 180 km (it keeps its viewers) and at 50 % is 500 km (Amsterdam takes new ones).
    EdgeRecord fra = edge("fra-1", "fra1", FRANKFURT);
    EdgeRecord ams = edge("ams-1", "ams1", AMSTERDAM);
    for (int c = 0; c < 200; c++) {
      assertThat(bestId(SELECTOR, at(FRANKFURT), client(c), snapshot(loaded(fra, 300, 10), ams)))
          .isEqualTo("fra-1");
      assertThat(bestId(SELECTOR, at(FRANKFURT), client(c), snapshot(loaded(fra, 10, 2500), ams)))
          .isEqualTo("ams-1");
    }
    EdgeSelector noPenalty = new EdgeSelector(SelectionPolicy.DEFAULTS.withLoadPenaltyKm(0));
    assertThat(bestId(noPenalty, at(FRANKFURT), client(1), snapshot(loaded(fra, 800, 10), ams)))
        .isEqualTo("fra-1");
  }

  // --- stickiness --------------------------------------------------------------------------

  /** Four edges in one Tokyo data centre: equal for every viewer. */
  private static List<EdgeRecord> fourEqual() {
    List<EdgeRecord> edges = new ArrayList<>();
    for (String id : List.of("tyo-a", "tyo-b", "tyo-c", "tyo-d")) {
      edges.add(edge(id, "tyo1", TOKYO));
    }
    return edges;
  }

  private static Map<Integer, String> assign(RoutingSnapshot s, int clients) {
    Map<Integer, String> out = new HashMap<>();
    for (int c = 0; c < clients; c++) {
      out.put(c, bestId(SELECTOR, at(OSAKA), client(c), s));
    }
    return out;
  }

  @Test
  void tenThousandClientsSpreadEvenlyOverFourEqualEdges() {
    Map<String, Long> counts =
        assign(snapshot(fourEqual().toArray(EdgeRecord[]::new)), 10_000).values().stream()
            .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    assertThat(counts).containsOnlyKeys("tyo-a", "tyo-b", "tyo-c", "tyo-d");
    // 2,500 each within 5 % (about 2.9 standard deviations of a fair split of 10,000 into 4).
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(2_375L, 2_625L));
  }

  @Test
  void aClientKeepsItsEdgeAcrossCallsAndSnapshotRebuilds() {
    List<EdgeRecord> edges = fourEqual();
    Map<Integer, String> first = assign(snapshot(edges.toArray(EdgeRecord[]::new)), 2_000);
    assertThat(assign(snapshot(edges.toArray(EdgeRecord[]::new)), 2_000)).isEqualTo(first);
    // A rebuild from another registry order, with fresh (within-band) load reports.
    List<EdgeRecord> reported = new ArrayList<>();
    for (EdgeRecord r : edges) {
      reported.add(loaded(r, 50, 200));
    }
    Collections.shuffle(reported, new Random(7));
    assertThat(assign(snapshot(reported.toArray(EdgeRecord[]::new)), 2_000)).isEqualTo(first);
  }

  @Test
  void removingAnEdgeMovesOnlyThatEdgesViewers() {
    List<EdgeRecord> edges = fourEqual();
    Map<Integer, String> before = assign(snapshot(edges.toArray(EdgeRecord[]::new)), 4_000);
    EdgeRecord[] withoutC =
        edges.stream().filter(e -> !e.id().equals("tyo-c")).toArray(EdgeRecord[]::new);
    Map<Integer, String> after = assign(snapshot(withoutC), 4_000);
    int moved = 0;
    for (int c = 0; c < 4_000; c++) {
      if (before.get(c).equals("tyo-c")) {
        moved++;
        assertThat(after.get(c)).isNotEqualTo("tyo-c");
      } else {
        assertThat(after.get(c)).as("client %d", c).isEqualTo(before.get(c));
      }
    }
    assertThat(moved).isBetween(800, 1_200);
    // Marking it unhealthy instead of removing it is the same to everyone else.
    List<RoutableEdge> sick = new ArrayList<>();
    for (EdgeRecord r : edges) {
      sick.add(
          r.id().equals("tyo-c") ? RoutableEdge.unhealthy(r, "probe") : RoutableEdge.healthy(r));
    }
    assertThat(assign(RoutingSnapshot.of(sick), 4_000)).isEqualTo(after);
  }

  @Test
  void addingAnEdgeTakesViewersOnlyForItself() {
    List<EdgeRecord> edges = fourEqual();
    Map<Integer, String> before = assign(snapshot(edges.toArray(EdgeRecord[]::new)), 4_000);
    edges.add(edge("tyo-e", "tyo1", TOKYO));
    Map<Integer, String> after = assign(snapshot(edges.toArray(EdgeRecord[]::new)), 4_000);
    for (int c = 0; c < 4_000; c++) {
      assertThat(after.get(c)).isIn(before.get(c), "tyo-e");
    }
  }

  @Test
  void edgesOutsideTheNearEqualBandAreNotSticky() {
    // Tokyo to Osaka is about 400 km: well outside the default band, so every viewer in Tokyo
    // goes to Tokyo whatever its address.
    RoutingSnapshot s = snapshot(edge("tyo-1", "tyo1", TOKYO), edge("osa-1", "osa1", OSAKA));
    assertThat(assign(s, 1).values()).containsOnly("osa-1");
    for (int c = 0; c < 500; c++) {
      assertThat(bestId(SELECTOR, at(TOKYO), client(c), s)).isEqualTo("tyo-1");
    }
    // With a band wider than 400 km they are near-equal and the address decides.
    EdgeSelector wide = new EdgeSelector(SelectionPolicy.DEFAULTS.withNearEqual(500, 0));
    long toOsaka = 0;
    for (int c = 0; c < 1_000; c++) {
      toOsaka += bestId(wide, at(TOKYO), client(c), s).equals("osa-1") ? 1 : 0;
    }
    assertThat(toOsaka).isBetween(400L, 600L);
  }

  @Test
  void ipv6ClientsOfOneSlash64StayTogetherAndMappedIpv4KeysAsIpv4() {
    RoutingSnapshot s = snapshot(fourEqual().toArray(EdgeRecord[]::new));
    Map<String, Long> perPrefix = new HashMap<>();
    for (int host = 1; host < 50; host++) {
      String a =
          bestId(
              SELECTOR,
              at(TOKYO),
              ip("2001:db8:1:2::" + Integer.toHexString(host)).getAddress(),
              s);
      perPrefix.merge(a, 1L, Long::sum);
    }
    assertThat(perPrefix).hasSize(1);
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(client(42), 0, mapped, 12, 4);
    assertThat(Rendezvous.clientKey(mapped)).isEqualTo(Rendezvous.clientKey(client(42)));
    assertThat(Rendezvous.clientKey(ip("2001:db8:1:3::1").getAddress()))
        .isNotEqualTo(Rendezvous.clientKey(ip("2001:db8:1:2::1").getAddress()));
  }

  @Test
  void clientAddressOfAnotherLengthIsRejected() {
    assertThatThrownBy(() -> SELECTOR.best(at(TOKYO), new byte[5], THREE_SITES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 5");
  }

  // --- ties --------------------------------------------------------------------------------

  @Test
  void exactTiesOutsideTheBandAreOrderedByIdWhateverTheInputOrderOrClient() {
    EdgeRecord near = edge("m-near", "tyo1", TOKYO);
    EdgeRecord z = edge("z-bkk", "bkk1", BANGKOK);
    EdgeRecord a = edge("a-bkk", "bkk1", BANGKOK);
    for (int c = 0; c < 100; c++) {
      assertThat(ids(SELECTOR.rank(at(TOKYO), client(c), snapshot(z, near, a), 3)))
          .containsExactly("m-near", "a-bkk", "z-bkk");
      assertThat(ids(SELECTOR.rank(at(TOKYO), client(c), snapshot(a, z, near), 3)))
          .containsExactly("m-near", "a-bkk", "z-bkk");
    }
  }

  @Test
  void exactTiesInsideTheBandFollowTheClientNotTheInputOrder() {
    EdgeRecord a = edge("a", "tyo1", TOKYO);
    EdgeRecord b = edge("b", "tyo1", TOKYO);
    int toA = 0;
    for (int c = 0; c < 400; c++) {
      List<String> ab = ids(SELECTOR.rank(at(TOKYO), client(c), snapshot(a, b), 2));
      assertThat(ids(SELECTOR.rank(at(TOKYO), client(c), snapshot(b, a), 2))).isEqualTo(ab);
      toA += ab.get(0).equals("a") ? 1 : 0;
    }
    assertThat(toA).isBetween(140, 260);
  }

  // --- coverage zones ----------------------------------------------------------------------

  @Test
  void aCoverageZoneSiteRanksItsEdgesFirst() {
    // Clients in a zone the operator assigned to Bangkok, even though they sit in Tokyo.
    Location zone = inZone(TOKYO, "bkk1");
    assertThat(SELECTOR.best(zone, VIEWER, THREE_SITES)).contains(BKK);
    assertThat(ids(SELECTOR.rank(zone, VIEWER, THREE_SITES, 3)))
        .containsExactly("bkk-1", "tyo-1", "fra-1");
    Explanation e = SELECTOR.explain(zone, VIEWER, THREE_SITES);
    assertThat(e.preferredSite()).isEqualTo("bkk1");
    assertThat(e.candidates())
        .extracting(Explanation.Candidate::preferredSite)
        .containsExactly(true, false, false);
    EdgeSelector ignoring =
        new EdgeSelector(SelectionPolicy.DEFAULTS.withPreferCoverageSite(false));
    assertThat(ignoring.best(zone, VIEWER, THREE_SITES)).contains(TYO);
  }

  @Test
  void aCoverageZoneSiteWithoutEligibleEdgesFallsBackToDistance() {
    RoutingSnapshot bangkokDraining = snapshot(FRA, TYO, inState(BKK, EdgeState.DRAINING));
    assertThat(SELECTOR.best(inZone(TOKYO, "bkk1"), VIEWER, bangkokDraining)).contains(TYO);
    assertThat(SELECTOR.explain(inZone(TOKYO, "bkk1"), VIEWER, bangkokDraining).preferredSite())
        .isEmpty();
    assertThat(SELECTOR.best(inZone(TOKYO, "nowhere"), VIEWER, THREE_SITES)).contains(TYO);
  }

  // --- scale and consistency ----------------------------------------------------------------

  private static RoutableEdge randomEdge(Random rnd, int i) {
    // Clusters of sites so that near-equal bands and ties actually happen.
    GeoPoint p =
        new GeoPoint(
            Math.round((rnd.nextDouble() * 140 - 70) / 5) * 5.0,
            Math.round((rnd.nextDouble() * 340 - 170) / 5) * 5.0);
    EdgeRecord r = edge(String.format("edge-%03d", i), "site-" + (i % 37), p);
    int cap = rnd.nextInt(4) == 0 ? 0 : 1000;
    r =
        new EdgeRecord(
            r.id(),
            r.publicUrl(),
            r.addresses(),
            r.site(),
            r.latitude(),
            r.longitude(),
            "",
            cap,
            cap * 5,
            r.state(),
            r.load(),
            r.reportedAt(),
            "",
            r.adminUrl());
    r = loaded(r, rnd.nextDouble() * 1000, rnd.nextInt(5000));
    if (rnd.nextInt(20) == 0) {
      r = inState(r, rnd.nextBoolean() ? EdgeState.DRAINING : EdgeState.STARTING);
    }
    return rnd.nextInt(20) == 0
        ? RoutableEdge.unhealthy(r, "probe failed")
        : RoutableEdge.healthy(r);
  }

  /** The rules written out the slow way: what best() must return. */
  private static Optional<String> referenceBest(
      SelectionPolicy policy, Location where, byte[] c, RoutingSnapshot s) {
    List<RoutableEdge> eligible = new ArrayList<>();
    for (RoutableEdge e : s.edges()) {
      EdgeRecord r = e.record();
      boolean full =
          r.capacityMbps() > 0
                  && r.load().egressMbps() / r.capacityMbps() >= policy.egressHeadroom()
              || r.capacityViewers() > 0 && r.load().activeViewers() >= r.capacityViewers();
      if (e.healthy() && r.state() == EdgeState.SERVING && !full) {
        eligible.add(e);
      }
    }
    Optional<String> site = policy.preferCoverageSite() ? where.site() : Optional.empty();
    if (site.isPresent() && eligible.stream().anyMatch(e -> e.record().site().equals(site.get()))) {
      eligible.removeIf(e -> !e.record().site().equals(site.get()));
    }
    Map<String, Double> score = new HashMap<>();
    for (RoutableEdge e : eligible) {
      EdgeRecord r = e.record();
      double f = 0;
      if (r.capacityMbps() > 0) {
        f = r.load().egressMbps() / r.capacityMbps();
      }
      if (r.capacityViewers() > 0) {
        f = Math.max(f, (double) r.load().activeViewers() / r.capacityViewers());
      }
      double km =
          GreatCircle.distanceKm(
              where.point().latitude(), where.point().longitude(), r.latitude(), r.longitude());
      score.put(
          r.id(),
          km + policy.loadPenaltyKm() * Math.pow(Math.min(f, 1), policy.loadPenaltyExponent()));
    }
    double best = score.values().stream().mapToDouble(d -> d).min().orElse(Double.NaN);
    double band = Math.max(policy.nearEqualKm(), policy.nearEqualFraction() * best);
    long key = Rendezvous.clientKey(c);
    return eligible.stream()
        .map(e -> e.record().id())
        .filter(id -> score.get(id) <= best + band)
        .sorted()
        .max(
            (x, y) ->
                Long.compare(
                    Rendezvous.weight(key, Rendezvous.idHash(x)),
                    Rendezvous.weight(key, Rendezvous.idHash(y))));
  }

  @Test
  void fiveHundredEdgesBestAgreesWithTheRulesAndWithRankAndExplain() {
    Random rnd = new Random(20261121);
    List<SelectionPolicy> policies =
        List.of(
            SelectionPolicy.DEFAULTS,
            SelectionPolicy.DEFAULTS.withNearEqual(0, 0),
            SelectionPolicy.DEFAULTS.withNearEqual(2_000, 0.2).withLoadPenaltyKm(5_000),
            new SelectionPolicy(800, 1, 0.95, 50, 0.01, false),
            new SelectionPolicy(3000, 3.5, 1, 300, 0, true));
    for (int round = 0; round < 20; round++) {
      int n = round == 0 ? 500 : 1 + rnd.nextInt(round < 10 ? 20 : 500);
      List<RoutableEdge> edges = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        edges.add(randomEdge(rnd, i));
      }
      RoutingSnapshot s = RoutingSnapshot.of(edges);
      for (int q = 0; q < 25; q++) {
        SelectionPolicy policy = policies.get(rnd.nextInt(policies.size()));
        EdgeSelector selector = new EdgeSelector(policy);
        GeoPoint p = new GeoPoint(rnd.nextDouble() * 180 - 90, rnd.nextDouble() * 360 - 180);
        Location where = rnd.nextBoolean() ? at(p) : inZone(p, "site-" + rnd.nextInt(40));
        byte[] c = client(rnd.nextInt());
        Optional<String> best = selector.best(where, c, s).map(EdgeRecord::id);
        assertThat(best)
            .as("round %d query %d", round, q)
            .isEqualTo(referenceBest(policy, where, c, s));
        List<String> all = ids(selector.rank(where, c, s, n));
        assertThat(all.stream().findFirst()).isEqualTo(best);
        assertThat(ids(selector.rank(where, c, s, 5)))
            .isEqualTo(all.subList(0, Math.min(5, all.size())));
        Explanation e = selector.explain(where, c, s);
        assertThat(e.candidates()).extracting(Explanation.Candidate::id).isEqualTo(all);
        assertThat(e.candidates().size() + e.excluded().size()).isEqualTo(n);
      }
    }
  }

  @Test
  void rankRejectsALimitBelowOne() {
    assertThatThrownBy(() -> SELECTOR.rank(at(TOKYO), VIEWER, THREE_SITES, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be at least 1, got 0");
  }
}
