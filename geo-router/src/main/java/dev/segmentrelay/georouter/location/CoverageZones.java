package dev.segmentrelay.georouter.location;

import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The operator's own map of the network: CIDR → site, tried before any GeoIP database (a campus, an
 * ISP peering with one site, a venue's Wi-Fi). The most specific zone wins. Each site has
 * coordinates, so a zone yields a complete {@link Location} with {@link
 * Location.Source#COVERAGE_ZONE}, the site and its point; those locations are built once here, so a
 * lookup allocates nothing.
 *
 * <p>Configuration entries: zones {@code 10.1.0.0/16=tyo1}, sites {@code tyo1=35.68,139.69}.
 */
public final class CoverageZones {
  private static final CoverageZones EMPTY = new CoverageZones(CidrTable.empty(), Map.of());

  private final CidrTable<Location> zones;
  private final Map<String, GeoPoint> sites;

  private CoverageZones(CidrTable<Location> zones, Map<String, GeoPoint> sites) {
    this.zones = zones;
    this.sites = sites;
  }

  /** A site and its coordinates. */
  public record Site(String name, GeoPoint point) {
    public Site {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(point, "point");
    }
  }

  /** A zone: a network served by a site. */
  public record Zone(Cidr network, String site) {
    public Zone {
      Objects.requireNonNull(network, "network");
      Objects.requireNonNull(site, "site");
    }
  }

  public static CoverageZones empty() {
    return EMPTY;
  }

  /**
   * Builds the table.
   *
   * @throws IllegalArgumentException when a zone names a site without coordinates, a site is given
   *     twice with different points, or a network is given twice for different sites
   */
  public static CoverageZones of(Collection<Zone> zones, Collection<Site> sites) {
    Map<String, GeoPoint> points = new LinkedHashMap<>();
    for (Site s : sites) {
      GeoPoint old = points.putIfAbsent(s.name(), s.point());
      if (old != null && !old.equals(s.point())) {
        throw new IllegalArgumentException(
            "site '" + s.name() + "' is given twice, at " + old + " and at " + s.point());
      }
    }
    CidrTable.Builder<Location> table = CidrTable.builder();
    for (Zone z : zones) {
      GeoPoint point = points.get(z.site());
      if (point == null) {
        throw new IllegalArgumentException(
            "coverage zone "
                + z.network()
                + "="
                + z.site()
                + " names site '"
                + z.site()
                + "', which has no coordinates: add a site entry like "
                + z.site()
                + "=LAT,LON (known sites: "
                + points.keySet()
                + ")");
      }
      table.put(
          z.network(),
          new Location(
              point,
              Location.Source.COVERAGE_ZONE,
              Optional.of(z.site()),
              Optional.empty(),
              Optional.empty(),
              Optional.of(z.network().toString())));
    }
    return new CoverageZones(table.build(), Map.copyOf(points));
  }

  /**
   * Parses configuration entries: zones like {@code 10.1.0.0/16=tyo1}, sites like {@code
   * tyo1=35.68,139.69}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static CoverageZones parse(
      Collection<String> zoneEntries, Collection<String> siteEntries) {
    return of(
        zoneEntries.stream().map(CoverageZones::parseZone).toList(),
        siteEntries.stream().map(CoverageZones::parseSite).toList());
  }

  /**
   * Parses {@code CIDR=SITE}.
   *
   * @throws IllegalArgumentException naming the entry and the expected form
   */
  public static Zone parseZone(String entry) {
    int eq = entry == null ? -1 : entry.indexOf('=');
    if (eq < 0 || entry.substring(eq + 1).isBlank()) {
      throw new IllegalArgumentException(
          "coverage zone '" + entry + "': expected CIDR=SITE, e.g. 10.1.0.0/16=tyo1");
    }
    String site = entry.substring(eq + 1).strip();
    checkSiteName(entry, site);
    try {
      return new Zone(Cidr.parse(entry.substring(0, eq)), site);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("coverage zone '" + entry + "': " + e.getMessage(), e);
    }
  }

  /**
   * Parses {@code SITE=LAT,LON}.
   *
   * @throws IllegalArgumentException naming the entry and the expected form
   */
  public static Site parseSite(String entry) {
    String expected = "expected SITE=LAT,LON in degrees, e.g. tyo1=35.68,139.69";
    int eq = entry == null ? -1 : entry.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("site '" + entry + "': " + expected);
    }
    String name = entry.substring(0, eq).strip();
    checkSiteName(entry, name);
    String[] parts = entry.substring(eq + 1).split(",", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("site '" + entry + "': " + expected);
    }
    try {
      return new Site(
          name,
          new GeoPoint(Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip())));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("site '" + entry + "': " + expected, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("site '" + entry + "': " + e.getMessage(), e);
    }
  }

  private static void checkSiteName(String entry, String name) {
    if (name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c != '=' && c != ',')) {
      throw new IllegalArgumentException(
          "'" + entry + "': site name '" + name + "' must be non-empty without spaces, '=' or ','");
    }
  }

  /** The zone location for the address, if a zone holds it. */
  public Optional<Location> locate(InetAddress address) {
    return zones.lookup(address);
  }

  Location locateOrNull(byte[] address) {
    CidrTable.Match<Location> m = zones.matchOrNull(address);
    return m == null ? null : m.value();
  }

  /** Coordinates of the configured sites. */
  public Map<String, GeoPoint> sites() {
    return sites;
  }

  public int size() {
    return zones.size();
  }

  public boolean isEmpty() {
    return zones.isEmpty();
  }

  @Override
  public String toString() {
    return "CoverageZones(" + zones.size() + " zones, " + sites.size() + " sites)";
  }
}
