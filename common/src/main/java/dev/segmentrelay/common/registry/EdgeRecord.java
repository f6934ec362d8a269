package dev.segmentrelay.common.registry;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the registry's {@code edges} map: where an edge is, what it can take and how it is
 * doing. Written by the edge every second; an entry whose reports stop expires.
 *
 * @param id edge id (unique in the cluster)
 * @param publicUrl base URL viewers reach the edge at, without a trailing slash (e.g. {@code
 *     http://203.0.113.7:8081}); redirects go to {@code publicUrl + "/live/..."}
 * @param addresses IP addresses of the public URL's host (literal strings), for DNS answers
 * @param site site name (e.g. {@code fra1})
 * @param latitude degrees north
 * @param longitude degrees east
 * @param country ISO 3166-1 alpha-2 country code, or empty when unknown
 * @param capacityMbps egress the edge may carry
 * @param capacityViewers viewers the edge may take (its connection limit)
 * @param state life-cycle state
 * @param load latest load report
 * @param reportedAt the edge's clock at the report (for display; freshness is judged by receipt)
 * @param memberId the Hazelcast member UUID of the edge's JVM, or empty outside a cluster; lets a
 *     router drop an edge the moment its member leaves
 * @param adminUrl base URL of the edge's management server (readiness probes), without a trailing
 *     slash
 */
public record EdgeRecord(
    String id,
    String publicUrl,
    List<String> addresses,
    String site,
    double latitude,
    double longitude,
    String country,
    int capacityMbps,
    int capacityViewers,
    EdgeState state,
    EdgeLoad load,
    Instant reportedAt,
    String memberId,
    String adminUrl)
    implements Serializable {
  public EdgeRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(publicUrl, "publicUrl");
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(site, "site");
    if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
      throw new IllegalArgumentException(
          "edge " + id + ": latitude " + latitude + " / longitude " + longitude + " out of range");
    }
    Objects.requireNonNull(country, "country");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(load, "load");
    Objects.requireNonNull(reportedAt, "reportedAt");
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(adminUrl, "adminUrl");
  }

  /** This record with a new state, load and report time. */
  public EdgeRecord withReport(EdgeState newState, EdgeLoad newLoad, Instant at) {
    return new EdgeRecord(
        id,
        publicUrl,
        addresses,
        site,
        latitude,
        longitude,
        country,
        capacityMbps,
        capacityViewers,
        newState,
        newLoad,
        at,
        memberId,
        adminUrl);
  }
}
