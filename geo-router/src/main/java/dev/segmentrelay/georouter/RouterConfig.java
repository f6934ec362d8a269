package dev.segmentrelay.georouter;

import dev.segmentrelay.georouter.health.HealthPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code relay router} can be told, validated once. Built by the config loader from
 * defaults, the YAML file, {@code RELAY_ROUTER_*} variables and flags.
 *
 * @param bind address the HTTP (and DNS) servers listen on
 * @param port HTTP port for viewers (0 = any free port)
 * @param adminPort management port (health, metrics, admin)
 * @param adminToken bearer token for {@code /admin/}, if set
 * @param dns the DNS server, if enabled
 * @param geoip MaxMind GeoIP2/GeoLite2 City or Country database, if any
 * @param geoipReloadInterval how often the database file is checked for a new version
 * @param trustedProxies CIDRs whose {@code X-Forwarded-For} is believed
 * @param coverageZones {@code CIDR=SITE} entries, tried before the database
 * @param siteLocations {@code SITE=LAT:LON} entries, for coverage zones and the default site
 * @param defaultLocation {@code LAT:LON} or a site name: where viewers in no zone or database are
 * @param fallbackOrigin where viewers go when no edge is healthy (else 503)
 * @param health probe and report timing
 * @param steeringTtl how long a player keeps a content-steering answer
 * @param steeringPathways how many edges a steered playlist lists
 * @param retryAfter the {@code Retry-After} sent with a 503 when no edge is available
 */
public record RouterConfig(
    String bind,
    int port,
    int adminPort,
    Optional<String> adminToken,
    Optional<DnsOptions> dns,
    Optional<Path> geoip,
    Duration geoipReloadInterval,
    List<String> trustedProxies,
    List<String> coverageZones,
    List<String> siteLocations,
    String defaultLocation,
    Optional<URI> fallbackOrigin,
    HealthPolicy health,
    Duration steeringTtl,
    int steeringPathways,
    Duration retryAfter) {
  public static final String DEFAULT_BIND = "0.0.0.0";
  public static final int DEFAULT_PORT = 8088;
  public static final int DEFAULT_ADMIN_PORT = 9088;
  public static final Duration DEFAULT_GEOIP_RELOAD = Duration.ofSeconds(60);
  public static final String DEFAULT_LOCATION = "50.11:8.68";
  public static final Duration DEFAULT_STEERING_TTL = Duration.ofSeconds(10);
  public static final int DEFAULT_STEERING_PATHWAYS = 3;
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
  public static final Duration DEFAULT_DNS_TTL = Duration.ofSeconds(20);

  /**
   * The DNS server's settings.
   *
   * @param port UDP and TCP port (0 = any free port)
   * @param names names answered authoritatively (lower case, no trailing dot)
   * @param ttl TTL of A/AAAA answers
   * @param primaryNs the SOA MNAME and NS target: this router's own name in the parent zone
   * @param hostmaster the SOA RNAME ({@code hostmaster.example.org})
   */
  public record DnsOptions(
      int port, List<String> names, Duration ttl, String primaryNs, String hostmaster) {
    public DnsOptions {
      names = List.copyOf(names);
      if (names.isEmpty()) {
        throw new IllegalArgumentException(
            "dns-port is set but no dns-name: add --dns-name NAME for each name to answer");
      }
    }

    /**
     * Settings with the SOA names derived from the first name: {@code live.example.org} gives
     * {@code ns1.example.org} and {@code hostmaster.example.org}.
     */
    public static DnsOptions withDerivedSoa(int port, List<String> names, Duration ttl) {
      String first = names.isEmpty() ? "" : names.get(0);
      int dot = first.indexOf('.');
      String parent = dot < 0 ? first : first.substring(dot + 1);
      return new DnsOptions(port, names, ttl, "ns1." + parent, "hostmaster." + parent);
    }
  }

  public RouterConfig {
    Objects.requireNonNull(bind, "bind");
    trustedProxies = List.copyOf(trustedProxies);
    coverageZones = List.copyOf(coverageZones);
    siteLocations = List.copyOf(siteLocations);
    fallbackOrigin = fallbackOrigin.map(RouterConfig::withoutTrailingSlash);
    if (steeringPathways < 1 || steeringPathways > 16) {
      throw new IllegalArgumentException(
          "steering-pathways " + steeringPathways + " is outside 1..16");
    }
  }

  /** Defaults for everything, listening on {@code port}. */
  public static RouterConfig defaults(int port, int adminPort) {
    return new RouterConfig(
        DEFAULT_BIND,
        port,
        adminPort,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        DEFAULT_GEOIP_RELOAD,
        List.of(),
        List.of(),
        List.of(),
        DEFAULT_LOCATION,
        Optional.empty(),
        HealthPolicy.DEFAULT,
        DEFAULT_STEERING_TTL,
        DEFAULT_STEERING_PATHWAYS,
        DEFAULT_RETRY_AFTER);
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }
}
