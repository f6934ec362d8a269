package dev.segmentrelay.georouter.selection;

import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Fixtures for selection tests: places, edges, locations and client addresses. */
final class Edges {
  static final GeoPoint FRANKFURT = new GeoPoint(50.1109, 8.6821);
  static final GeoPoint AMSTERDAM = new GeoPoint(52.3676, 4.9041);
  static final GeoPoint TOKYO = new GeoPoint(35.6762, 139.6503);
  static final GeoPoint OSAKA = new GeoPoint(34.6937, 135.5023);
  static final GeoPoint BANGKOK = new GeoPoint(13.7563, 100.5018);
  static final GeoPoint SINGAPORE = new GeoPoint(1.3521, 103.8198);
  static final GeoPoint LONDON = new GeoPoint(51.5074, -0.1278);
  static final GeoPoint NEW_YORK = new GeoPoint(40.7128, -74.0060);
  static final GeoPoint SYDNEY = new GeoPoint(-33.8688, 151.2093);

  private static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

  private Edges() {}

  /** An idle serving edge with 1000 Mbit/s and 5000 viewers of capacity. */
  static EdgeRecord edge(String id, String site, GeoPoint at) {
    return new EdgeRecord(
        id,
        "http://" + id + ".example:8081",
        List.of("192.0.2.1"),
        site,
        at.latitude(),
        at.longitude(),
        "",
        1000,
        5000,
        EdgeState.SERVING,
        EdgeLoad.IDLE,
        AT,
        "",
        "http://" + id + ".example:9081");
  }

  static EdgeRecord loaded(EdgeRecord r, double egressMbps, int viewers) {
    return r.withReport(r.state(), new EdgeLoad(egressMbps, viewers, 0.9), AT);
  }

  static EdgeRecord inState(EdgeRecord r, EdgeState state) {
    return r.withReport(state, r.load(), AT);
  }

  static RoutingSnapshot snapshot(EdgeRecord... records) {
    return RoutingSnapshot.of(java.util.Arrays.stream(records).map(RoutableEdge::healthy).toList());
  }

  /** A viewer located by GeoIP. */
  static Location at(GeoPoint p) {
    return new Location(
        p,
        Location.Source.GEOIP,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** A viewer located by a coverage zone of {@code site}. */
  static Location inZone(GeoPoint p, String site) {
    return new Location(
        p,
        Location.Source.COVERAGE_ZONE,
        Optional.of(site),
        Optional.empty(),
        Optional.empty(),
        Optional.of("198.51.100.0/24"));
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /** The {@code n}-th of a run of distinct IPv4 clients in 10.0.0.0/8. */
  static byte[] client(int n) {
    return new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }
}
