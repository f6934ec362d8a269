package dev.segmentrelay.dist.router;

import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ConfigSchema;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.common.config.SettingType;
import dev.segmentrelay.common.config.Units;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.georouter.GeoRouterMain;
import dev.segmentrelay.georouter.RouterConfig;
import dev.segmentrelay.georouter.health.HealthPolicy;
import dev.segmentrelay.georouter.location.CoverageZones;
import dev.segmentrelay.georouter.location.TrustedProxies;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every setting of {@code relay router} and the translation of the layered values into the
 * validated {@link RouterConfig}. Defaults are {@link RouterConfig}'s constants.
 */
public final class RouterSettings {
  private static final Pattern DNS_NAME =
      Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public static final Setting<Integer> PORT =
      Setting.of(
          "port",
          SettingType.port(),
          RouterConfig.DEFAULT_PORT,
          "HTTP port for viewers: /live/{stream}/{path} answers 302 to the chosen edge (0 picks a"
              + " free port).");
  public static final Setting<Integer> ADMIN_PORT =
      Setting.of(
          "admin-port",
          SettingType.port(),
          RouterConfig.DEFAULT_ADMIN_PORT,
          "Management port: /health/live, /health/ready, /metrics (0 picks a free port).");
  public static final Setting<String> BIND =
      Setting.of(
          "bind",
          SettingType.string("ADDR"),
          RouterConfig.DEFAULT_BIND,
          "Address the HTTP, DNS and management servers listen on.");
  public static final Setting<String> ADMIN_TOKEN =
      Setting.optional(
          "admin-token",
          SettingType.string("TOKEN"),
          "Bearer token of the /admin/ actions; at least 16 characters, never printed.");
  public static final Setting<Integer> DNS_PORT =
      Setting.optional(
          "dns-port",
          SettingType.port(),
          "UDP and TCP port of the authoritative DNS server (0 picks a free port). Unset: no DNS.");
  public static final Setting<List<String>> DNS_NAMES =
      Setting.of(
              "dns-names",
              SettingType.list("NAME[,NAME...]"),
              List.<String>of(),
              "Names the DNS server answers with the chosen edge's A/AAAA records, e.g."
                  + " live.example.org. Repeatable.")
          .withFlag("--dns-name", "NAME[,NAME...]");
  public static final Setting<Duration> DNS_TTL =
      Setting.of(
          "dns-ttl",
          SettingType.duration(),
          RouterConfig.DEFAULT_DNS_TTL,
          "TTL of DNS answers: how long resolvers keep a viewer on one edge.");
  public static final Setting<String> DNS_NS =
      Setting.optional(
          "dns-ns",
          SettingType.string("NAME"),
          "This DNS server's own name (SOA primary and NS answers), as delegated in the parent"
              + " zone. Unset: ns1. followed by the parent of the first --dns-name.");
  public static final Setting<String> DNS_HOSTMASTER =
      Setting.optional(
          "dns-hostmaster",
          SettingType.string("MAILBOX"),
          "SOA contact mailbox, e.g. hostmaster.example.org. Unset: hostmaster. followed by the"
              + " parent of the first --dns-name.");
  public static final Setting<String> GEOIP =
      Setting.optional(
          "geoip",
          SettingType.string("FILE"),
          "MaxMind GeoIP2/GeoLite2 City or Country database (.mmdb). Reloaded when the file"
              + " changes (a bad new file is refused, the old one stays). Unset: coverage zones and"
              + " the default location only.");
  public static final Setting<Duration> GEOIP_RELOAD =
      Setting.of(
          "geoip-reload",
          SettingType.duration(),
          RouterConfig.DEFAULT_GEOIP_RELOAD,
          "How often the GeoIP file is checked for a new version.");
  public static final Setting<List<String>> TRUSTED_PROXIES =
      Setting.of(
              "trusted-proxies",
              SettingType.list("CIDR[,CIDR...]"),
              List.<String>of(),
              "Peers whose X-Forwarded-For header is believed (e.g. 127.0.0.1/32, 10.0.0.0/8);"
                  + " from anyone else it is ignored. Repeatable.")
          .withFlag("--trusted-proxy", "CIDR[,CIDR...]");
  public static final Setting<List<String>> COVERAGE_ZONES =
      Setting.of(
              "coverage-zones",
              SettingType.list("CIDR=SITE[,...]"),
              List.<String>of(),
              "Networks pinned to a site before any database lookup, e.g. 10.20.0.0/16=tyo1;"
                  + " the site needs a --site-location. Repeatable.")
          .withFlag("--coverage-zone", "CIDR=SITE[,...]");
  public static final Setting<List<String>> SITE_LOCATIONS =
      Setting.of(
              "site-locations",
              SettingType.list("SITE=LAT:LON[,...]"),
              List.<String>of(),
              "Coordinates of sites named by coverage zones or --default-location, e.g."
                  + " tyo1=35.68:139.69. Repeatable.")
          .withFlag("--site-location", "SITE=LAT:LON[,...]");
  public static final Setting<String> DEFAULT_LOCATION =
      Setting.of(
          "default-location",
          SettingType.string("LAT:LON|SITE"),
          RouterConfig.DEFAULT_LOCATION,
          "Where a viewer found in no zone and no database is assumed to be: coordinates or a"
              + " site from --site-location. Put it where most viewers are.");
  public static final Setting<URI> FALLBACK_ORIGIN =
      Setting.optional(
          "fallback-origin",
          SettingType.httpUrl(),
          "Last resort when no edge is fit: viewers are sent here instead of getting a 503.");
  public static final Setting<Duration> PROBE_INTERVAL =
      Setting.of(
          "probe-interval",
          SettingType.duration(),
          HealthPolicy.DEFAULT.probeInterval(),
          "How often the router probes each edge's /health/ready.");
  public static final Setting<Duration> PROBE_TIMEOUT =
      Setting.of(
          "probe-timeout",
          SettingType.duration(),
          HealthPolicy.DEFAULT.probeTimeout(),
          "A probe not answered within this is a failure: the edge gets no new viewers.");
  public static final Setting<Duration> REPORT_TIMEOUT =
      Setting.of(
          "report-timeout",
          SettingType.duration(),
          HealthPolicy.DEFAULT.reportTimeout(),
          "An edge whose registry report is older than this gets no new viewers.");
  public static final Setting<Duration> STEERING_TTL =
      Setting.of(
          "steering-ttl",
          SettingType.duration(),
          RouterConfig.DEFAULT_STEERING_TTL,
          "How long a player keeps a content-steering answer before asking again.");
  public static final Setting<Integer> STEERING_PATHWAYS =
      Setting.of(
          "steering-pathways",
          SettingType.integer("N", 1, 16),
          RouterConfig.DEFAULT_STEERING_PATHWAYS,
          "Edges listed in a steered playlist, best first.");
  public static final Setting<Duration> RETRY_AFTER =
      Setting.of(
          "retry-after",
          SettingType.duration(),
          RouterConfig.DEFAULT_RETRY_AFTER,
          "Retry-After of the 503 sent when no edge is fit and no fallback origin is set.");

  private static final List<Setting<?>> OWN =
      List.of(
          PORT,
          ADMIN_PORT,
          BIND,
          ADMIN_TOKEN,
          DNS_PORT,
          DNS_NAMES,
          DNS_TTL,
          DNS_NS,
          DNS_HOSTMASTER,
          GEOIP,
          GEOIP_RELOAD,
          TRUSTED_PROXIES,
          COVERAGE_ZONES,
          SITE_LOCATIONS,
          DEFAULT_LOCATION,
          FALLBACK_ORIGIN,
          PROBE_INTERVAL,
          PROBE_TIMEOUT,
          REPORT_TIMEOUT,
          STEERING_TTL,
          STEERING_PATHWAYS,
          RETRY_AFTER);

  /** The router role: {@code RELAY_ROUTER_*} variables. */
  public static final ConfigSchema SCHEMA =
      new ConfigSchema("router", ClusterSettings.appendTo(OWN));

  private RouterSettings() {}

  /**
   * Builds the router's config from resolved values.
   *
   * @throws ConfigException naming the key and where its value came from
   */
  public static RouterConfig toRouterConfig(ResolvedConfig config) {
    Optional<String> adminToken = config.find(ADMIN_TOKEN);
    if (adminToken.isPresent() && adminToken.get().length() < 16) {
      throw config.invalid(
          ADMIN_TOKEN,
          "***",
          "is shorter than 16 characters; use a long random token, e.g. from"
              + " 'openssl rand -hex 16'");
    }
    Optional<RouterConfig.DnsOptions> dns = Optional.empty();
    List<String> names = new ArrayList<>();
    for (String name : config.get(DNS_NAMES)) {
      String n = name.toLowerCase(Locale.ROOT);
      n = n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
      if (n.length() > 253 || !DNS_NAME.matcher(n).matches()) {
        throw config.invalid(DNS_NAMES, name, "is not a DNS name (letters, digits, '-' and dots)");
      }
      names.add(n);
    }
    if (config.find(DNS_PORT).isPresent()) {
      if (names.isEmpty()) {
        throw config.invalid(
            DNS_PORT,
            config.find(DNS_PORT).get().toString(),
            "is set but no --dns-name is: add the names to answer, e.g. --dns-name"
                + " live.example.org");
      }
      RouterConfig.DnsOptions derived =
          RouterConfig.DnsOptions.withDerivedSoa(
              config.find(DNS_PORT).get(), names, positive(config, DNS_TTL));
      dns =
          Optional.of(
              new RouterConfig.DnsOptions(
                  derived.port(),
                  names,
                  derived.ttl(),
                  config.find(DNS_NS).orElse(derived.primaryNs()),
                  config.find(DNS_HOSTMASTER).orElse(derived.hostmaster())));
    } else if (!names.isEmpty()) {
      throw config.invalid(
          DNS_NAMES, String.join(",", names), "needs --dns-port to be served (53 in production)");
    }
    checkLocationSettings(config);
    Optional<Path> geoip = config.find(GEOIP).map(Path::of);
    if (geoip.isPresent() && !Files.isReadable(geoip.get())) {
      throw config.invalid(
          GEOIP,
          geoip.get().toString(),
          "is not a readable file: give the path of a GeoIP2/GeoLite2 City or Country .mmdb");
    }
    try {
      HealthPolicy health =
          new HealthPolicy(
              positive(config, PROBE_INTERVAL),
              positive(config, PROBE_TIMEOUT),
              positive(config, REPORT_TIMEOUT),
              positive(config, PROBE_INTERVAL).multipliedBy(5).dividedBy(2),
              HealthPolicy.DEFAULT.successesToRecover());
      return new RouterConfig(
          config.get(BIND),
          config.get(PORT),
          config.get(ADMIN_PORT),
          adminToken,
          dns,
          geoip,
          positive(config, GEOIP_RELOAD),
          config.get(TRUSTED_PROXIES),
          config.get(COVERAGE_ZONES),
          config.get(SITE_LOCATIONS),
          config.get(DEFAULT_LOCATION),
          config.find(FALLBACK_ORIGIN),
          health,
          positive(config, STEERING_TTL),
          config.get(STEERING_PATHWAYS),
          positive(config, RETRY_AFTER));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + config.sourcesOfKeysIn(e.getMessage()), e);
    }
  }

  /** Parses the location settings the way the router will, so mistakes are usage errors. */
  private static void checkLocationSettings(ResolvedConfig config) {
    List<String> proxies = config.get(TRUSTED_PROXIES);
    try {
      TrustedProxies.parse(proxies);
    } catch (IllegalArgumentException e) {
      throw config.invalid(TRUSTED_PROXIES, String.join(",", proxies), e.getMessage());
    }
    List<String> sites = config.get(SITE_LOCATIONS);
    for (String site : sites) {
      try {
        CoverageZones.parseSite(site.replace(':', ','));
      } catch (IllegalArgumentException e) {
        throw config.invalid(
            SITE_LOCATIONS, site, "is not SITE=LAT:LON in degrees, e.g. tyo1=35.68:139.69");
      }
    }
    CoverageZones zones;
    try {
      zones = GeoRouterMain.coverageZones(config.get(COVERAGE_ZONES), sites);
    } catch (IllegalArgumentException e) {
      throw config.invalid(
          COVERAGE_ZONES,
          String.join(",", config.get(COVERAGE_ZONES)),
          e.getMessage() + "; give each zone's site a --site-location");
    }
    try {
      GeoRouterMain.defaultLocation(config.get(DEFAULT_LOCATION), zones);
    } catch (IllegalArgumentException e) {
      throw config.invalid(
          DEFAULT_LOCATION,
          config.get(DEFAULT_LOCATION),
          "is neither LAT:LON in degrees (e.g. 50.11:8.68) nor a site named by --site-location");
    }
  }

  private static Duration positive(ResolvedConfig config, Setting<Duration> setting) {
    Duration value = config.get(setting);
    if (value.isZero()) {
      throw config.invalid(setting, Units.formatDuration(value), "must be longer than zero");
    }
    return value;
  }
}
