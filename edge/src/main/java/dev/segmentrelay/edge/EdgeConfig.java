package dev.segmentrelay.edge;

import dev.segmentrelay.edge.overflow.OverflowConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code relay edge} can be told, validated once. Built by the config loader from
 * defaults, the YAML file, environment variables and flags; {@code docs/config/edge.example.yaml}
 * lists every key.
 *
 * @param bind address both ports listen on
 * @param port viewer-facing port (0 picks a free port)
 * @param adminPort management port: health, metrics, {@code /admin/} (0 picks a free port)
 * @param upstreams base URLs the edge fetches {@code /live/…} from, in order of preference (our
 *     origin, a parent edge, or any HTTP server with that layout)
 * @param cacheSizeBytes memory tier size: bytes of cached bodies
 * @param id edge id, sent as {@code X-Relay-Edge}
 * @param site site name (e.g. {@code fra1})
 * @param latitude degrees, for the router
 * @param longitude degrees, for the router
 * @param country ISO 3166-1 alpha-2 code of the edge's country (upper case), or empty when unknown;
 *     reported to the router
 * @param capacityMbps egress capacity, for the router
 * @param publicUrl the URL viewers reach this edge at, if not {@code http://bind:port}
 * @param adminToken bearer token of {@code /admin/} actions; admin actions are refused without it
 * @param connectTimeout upstream connect timeout
 * @param firstByteTimeout upstream time to response headers
 * @param idleTimeout upstream time between body chunks
 * @param staleFor how long a playlist may be served stale while every upstream fails
 * @param negativeTtl how long a 404 is cached
 * @param maxConnections viewer connections accepted at once; more are closed at accept
 * @param clientIdleTimeout a viewer connection idle (or a slow client not reading) this long is
 *     closed
 * @param overflow the S3 overflow tier behind memory, if any
 */
public record EdgeConfig(
    String bind,
    int port,
    int adminPort,
    List<URI> upstreams,
    long cacheSizeBytes,
    String id,
    String site,
    double latitude,
    double longitude,
    String country,
    int capacityMbps,
    Optional<URI> publicUrl,
    Optional<String> adminToken,
    Duration connectTimeout,
    Duration firstByteTimeout,
    Duration idleTimeout,
    Duration staleFor,
    Duration negativeTtl,
    int maxConnections,
    Duration clientIdleTimeout,
    Optional<OverflowConfig> overflow) {

  public static final String DEFAULT_BIND = "0.0.0.0";
  public static final int DEFAULT_PORT = 8081;
  public static final int DEFAULT_ADMIN_PORT = 9091;
  public static final long DEFAULT_CACHE_SIZE = 512L * 1024 * 1024;
  public static final String DEFAULT_SITE = "default";
  public static final int DEFAULT_CAPACITY_MBPS = 1000;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STALE_FOR = Duration.ofSeconds(30);
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final Duration DEFAULT_CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  public EdgeConfig {
    upstreams = List.copyOf(upstreams);
    require(port >= 0 && port <= 65535, "port " + port + " is not in 0-65535");
    require(adminPort >= 0 && adminPort <= 65535, "admin-port " + adminPort + " is not in 0-65535");
    require(
        !upstreams.isEmpty(),
        "at least one --upstream URL is needed (our origin, a parent edge or any HTTP server with /live/ paths)");
    for (URI u : upstreams) {
      require(
          ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
          "upstream '" + u + "' must be an http:// or https:// URL with a host");
      require(
          u.getRawQuery() == null && u.getRawFragment() == null,
          "upstream '" + u + "' must not have a query or fragment");
    }
    require(cacheSizeBytes >= 1024 * 1024, "cache-size " + cacheSizeBytes + " is below 1m");
    require(
        id != null && id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"),
        "id '" + id + "' must be 1-64 characters of letters, digits, '_', '.', '-'");
    require(site != null && !site.isBlank(), "site must not be empty");
    require(latitude >= -90 && latitude <= 90, "lat " + latitude + " is not in -90..90");
    require(longitude >= -180 && longitude <= 180, "lon " + longitude + " is not in -180..180");
    require(
        country != null && (country.isEmpty() || country.matches("[A-Z]{2}")),
        "country '" + country + "' must be an ISO 3166-1 alpha-2 code such as DE, JP or TH");
    require(capacityMbps > 0, "capacity-mbps must be positive");
    publicUrl.ifPresent(
        u ->
            require(
                "http".equals(u.getScheme()) || "https".equals(u.getScheme()),
                "public-url '" + u + "' must be http:// or https://"));
    adminToken.ifPresent(
        t -> require(t.length() >= 16, "admin-token must be at least 16 characters"));
    for (Duration d :
        List.of(
            connectTimeout,
            firstByteTimeout,
            idleTimeout,
            staleFor,
            negativeTtl,
            clientIdleTimeout)) {
      require(!d.isNegative() && !d.isZero(), "timeouts and TTLs must be positive, got " + d);
    }
    require(maxConnections > 0, "max-connections must be positive");
    require(overflow != null, "overflow must be Optional.empty() when there is no S3 tier");
  }

  /** This config with the S3 overflow tier {@code tier} (or none). */
  public EdgeConfig withOverflow(Optional<OverflowConfig> tier) {
    return new EdgeConfig(
        bind,
        port,
        adminPort,
        upstreams,
        cacheSizeBytes,
        id,
        site,
        latitude,
        longitude,
        country,
        capacityMbps,
        publicUrl,
        adminToken,
        connectTimeout,
        firstByteTimeout,
        idleTimeout,
        staleFor,
        negativeTtl,
        maxConnections,
        clientIdleTimeout,
        tier);
  }

  /** Defaults for everything, with the given upstreams and id. */
  public static EdgeConfig defaults(List<URI> upstreams, String id) {
    return new EdgeConfig(
        DEFAULT_BIND,
        DEFAULT_PORT,
        DEFAULT_ADMIN_PORT,
        upstreams,
        DEFAULT_CACHE_SIZE,
        id,
        DEFAULT_SITE,
        0,
        0,
        "",
        DEFAULT_CAPACITY_MBPS,
        Optional.empty(),
        Optional.empty(),
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_FIRST_BYTE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_STALE_FOR,
        DEFAULT_NEGATIVE_TTL,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_CLIENT_IDLE_TIMEOUT,
        Optional.empty());
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
