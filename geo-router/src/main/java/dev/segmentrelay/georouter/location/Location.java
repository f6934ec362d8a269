package dev.segmentrelay.georouter.location;

import java.util.Optional;

/**
 * Where the router believes a viewer is.
 *
 * @param point coordinates used for distance ranking
 * @param source which rule found it
 * @param site the coverage zone's site, when a zone matched: edges of this site rank first
 * @param country ISO 3166-1 alpha-2 code, when known
 * @param city city name, when the database has one
 * @param network the matched network in CIDR notation (zone or database record), when known
 */
public record Location(
    GeoPoint point,
    Source source,
    Optional<String> site,
    Optional<String> country,
    Optional<String> city,
    Optional<String> network) {

  /**
   * The default location, for viewers no zone or database knows.
   *
   * @param point where such viewers are assumed to be
   * @param site the site they are sent to first, if any
   */
  public static Location fallback(GeoPoint point, Optional<String> site) {
    return new Location(
        point, Source.DEFAULT, site, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Which rule located the viewer, in the order they are tried. */
  public enum Source {
    COVERAGE_ZONE,
    GEOIP,
    DEFAULT
  }
}
