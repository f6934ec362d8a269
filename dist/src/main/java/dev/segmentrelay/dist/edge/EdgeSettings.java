package dev.segmentrelay.dist.edge;

import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ConfigSchema;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.common.config.SettingType;
import dev.segmentrelay.common.config.Units;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.dist.cli.S3TierSettings;
import dev.segmentrelay.edge.EdgeConfig;
import dev.segmentrelay.edge.overflow.OverflowConfig;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Every setting of {@code relay edge} (the cluster ones are {@link ClusterSettings}) (flag, YAML
 * key, {@code RELAY_EDGE_*} variable, default, help) and the translation of the layered values into
 * the validated {@link EdgeConfig}. Defaults are {@link EdgeConfig}'s own constants, so help, docs
 * and the record cannot disagree.
 */
public final class EdgeSettings {
  /** What an edge id may look like; {@link EdgeConfig} enforces the same rule. */
  private static final Pattern EDGE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  /** The id when the host name leaves nothing usable. */
  static final String FALLBACK_ID = "edge";

  public static final Setting<Integer> PORT =
      Setting.of(
          "port",
          SettingType.port(),
          EdgeConfig.DEFAULT_PORT,
          "Viewer-facing HTTP port: /live/{stream}/{path} (0 picks a free port).");
  public static final Setting<Integer> ADMIN_PORT =
      Setting.of(
          "admin-port",
          SettingType.port(),
          EdgeConfig.DEFAULT_ADMIN_PORT,
          "Management port: /health/live, /health/ready, /metrics and the token-protected"
              + " /admin/ actions (0 picks a free port).");
  public static final Setting<String> BIND =
      Setting.of(
          "bind",
          SettingType.string("ADDR"),
          EdgeConfig.DEFAULT_BIND,
          "Address both ports listen on.");
  public static final Setting<List<String>> UPSTREAMS =
      Setting.of(
              "upstreams",
              SettingType.list("URL[,URL...]"),
              List.<String>of(),
              "Base URLs the edge fetches /live/... from, in order of preference: an origin, a"
                  + " parent edge or any HTTP server with that layout. Required; repeatable.")
          .withFlag("--upstream", "URL[,URL...]");
  public static final Setting<Long> CACHE_SIZE =
      Setting.of(
          "cache-size",
          SettingType.size(),
          EdgeConfig.DEFAULT_CACHE_SIZE,
          "Memory cache size: bytes of cached bodies, e.g. 512m, 4g (at least 1m).");
  public static final Setting<String> ID =
      Setting.optional(
          "id",
          SettingType.string("ID"),
          "Edge id, sent as X-Relay-Edge and reported to the router: 1-64 letters, digits, '_',"
              + " '.', '-'. Unset: this machine's host name.");
  public static final Setting<String> SITE =
      Setting.of(
          "site",
          SettingType.string("NAME"),
          EdgeConfig.DEFAULT_SITE,
          "Site name reported to the router, e.g. fra1.");
  public static final Setting<Double> LAT =
      Setting.of(
          "lat",
          degrees(90),
          0.0,
          "Latitude of the edge in degrees (-90..90), for the router's distance ranking.");
  public static final Setting<Double> LON =
      Setting.of(
          "lon",
          degrees(180),
          0.0,
          "Longitude of the edge in degrees (-180..180), for the router's distance ranking.");
  public static final Setting<String> COUNTRY =
      Setting.optional(
          "country",
          SettingType.string("CC"),
          "ISO 3166-1 alpha-2 code of the edge's country (e.g. DE, JP), reported to the router."
              + " Unset: unknown.");
  public static final Setting<Integer> CAPACITY_MBPS =
      Setting.of(
          "capacity-mbps",
          SettingType.integer("N", 1, Integer.MAX_VALUE),
          EdgeConfig.DEFAULT_CAPACITY_MBPS,
          "Egress capacity in Mbit/s; the router sends no more viewers once it is reached.");
  public static final Setting<URI> PUBLIC_URL =
      Setting.optional(
          "public-url",
          SettingType.httpUrl(),
          "URL viewers reach this edge at (behind a proxy or NAT). Unset: http://BIND:PORT.");
  public static final Setting<String> ADMIN_TOKEN =
      Setting.optional(
          "admin-token",
          SettingType.string("TOKEN"),
          "Bearer token of the /admin/ actions (purge, drain); at least 16 characters, never"
              + " printed. Unset: admin actions are refused.");
  public static final Setting<Duration> CONNECT_TIMEOUT =
      Setting.of(
          "connect-timeout",
          SettingType.duration(),
          EdgeConfig.DEFAULT_CONNECT_TIMEOUT,
          "Time to connect to an upstream before trying the next, e.g. 500ms, 2s.");
  public static final Setting<Duration> FIRST_BYTE_TIMEOUT =
      Setting.of(
          "first-byte-timeout",
          SettingType.duration(),
          EdgeConfig.DEFAULT_FIRST_BYTE_TIMEOUT,
          "Time from request to an upstream's response headers before trying the next.");
  public static final Setting<Duration> IDLE_TIMEOUT =
      Setting.of(
          "idle-timeout",
          SettingType.duration(),
          EdgeConfig.DEFAULT_IDLE_TIMEOUT,
          "Longest pause between two chunks of an upstream body before the fetch fails.");
  public static final Setting<Duration> STALE_FOR =
      Setting.of(
          "stale-for",
          SettingType.duration(),
          EdgeConfig.DEFAULT_STALE_FOR,
          "How long a playlist may be served stale (X-Relay-Cache: STALE) while every upstream"
              + " fails.");
  public static final Setting<Duration> NEGATIVE_TTL =
      Setting.of(
          "negative-ttl",
          SettingType.duration(),
          EdgeConfig.DEFAULT_NEGATIVE_TTL,
          "How long an upstream 404 (a segment that does not exist yet) is cached.");
  public static final Setting<Integer> MAX_CONNECTIONS =
      Setting.of(
          "max-connections",
          SettingType.integer("N", 1, Integer.MAX_VALUE),
          EdgeConfig.DEFAULT_MAX_CONNECTIONS,
          "Viewer connections accepted at once; more are closed at accept.");
  public static final Setting<Duration> CLIENT_IDLE_TIMEOUT =
      Setting.of(
          "client-idle-timeout",
          SettingType.duration(),
          EdgeConfig.DEFAULT_CLIENT_IDLE_TIMEOUT,
          "A viewer connection idle this long (or a slow client not reading) is closed.");

  public static final Setting<Duration> S3_MAX_AGE =
      Setting.of(
          "s3-max-age",
          SettingType.duration(),
          OverflowConfig.DEFAULT_MAX_AGE,
          "With S3 (--s3-endpoint): segments older than this are swept from the overflow tier.");
  public static final Setting<Long> S3_MAX_BYTES =
      Setting.of(
          "s3-max-bytes",
          SettingType.size(),
          OverflowConfig.DEFAULT_MAX_BYTES,
          "With S3: the overflow tier's size under its prefix (shared by the site's edges);"
              + " the oldest segments are swept beyond it.");
  public static final Setting<Integer> S3_WRITE_QUEUE =
      Setting.of(
          "s3-write-queue",
          SettingType.integer("N", 1, 100_000),
          OverflowConfig.DEFAULT_WRITE_QUEUE_CAPACITY,
          "With S3: evicted segments waiting to be written; beyond it they are dropped (counted),"
              + " so viewers never wait for S3.");

  /** The edge role: {@code RELAY_EDGE_*} variables. */
  public static final ConfigSchema SCHEMA =
      new ConfigSchema(
          "edge",
          ClusterSettings.appendTo(
              S3TierSettings.appendTo(
                  List.of(
                      PORT,
                      ADMIN_PORT,
                      BIND,
                      UPSTREAMS,
                      CACHE_SIZE,
                      ID,
                      SITE,
                      LAT,
                      LON,
                      COUNTRY,
                      CAPACITY_MBPS,
                      PUBLIC_URL,
                      ADMIN_TOKEN,
                      CONNECT_TIMEOUT,
                      FIRST_BYTE_TIMEOUT,
                      IDLE_TIMEOUT,
                      STALE_FOR,
                      NEGATIVE_TTL,
                      MAX_CONNECTIONS,
                      CLIENT_IDLE_TIMEOUT,
                      S3_MAX_AGE,
                      S3_MAX_BYTES,
                      S3_WRITE_QUEUE))));

  private static final List<Setting<Duration>> DURATIONS =
      List.of(
          CONNECT_TIMEOUT,
          FIRST_BYTE_TIMEOUT,
          IDLE_TIMEOUT,
          STALE_FOR,
          NEGATIVE_TTL,
          CLIENT_IDLE_TIMEOUT,
          S3_MAX_AGE);

  private EdgeSettings() {}

  /**
   * Builds the edge's config from resolved values; an unset id becomes this machine's host name.
   *
   * @throws ConfigException naming the key and where its value came from
   */
  public static EdgeConfig toEdgeConfig(ResolvedConfig config, Map<String, String> environment) {
    return toEdgeConfig(config, environment, EdgeSettings::localHostName);
  }

  /** As {@link #toEdgeConfig(ResolvedConfig, Map)} with no environment (no S3 credentials). */
  static EdgeConfig toEdgeConfig(ResolvedConfig config, Supplier<String> hostName) {
    return toEdgeConfig(config, Map.of(), hostName);
  }

  /**
   * Builds the edge's config from resolved values.
   *
   * @param environment where S3 credentials ({@code AWS_*}) are read
   * @param hostName asked only when no source sets the id
   * @throws ConfigException naming the key and where its value came from
   */
  static EdgeConfig toEdgeConfig(
      ResolvedConfig config, Map<String, String> environment, Supplier<String> hostName) {
    List<URI> upstreams = upstreams(config);
    String id = config.find(ID).orElseGet(() -> idFromHostName(hostName.get()));
    if (!EDGE_ID.matcher(id).matches()) {
      throw config.invalid(
          ID,
          id,
          "is not a valid edge id: use 1 to 64 letters, digits, '_', '.' and '-', starting with"
              + " a letter or digit");
    }
    Optional<String> adminToken = config.find(ADMIN_TOKEN);
    if (adminToken.isPresent() && adminToken.get().length() < 16) {
      throw config.invalid(
          ADMIN_TOKEN,
          "***",
          "is shorter than 16 characters; use a long random token, e.g. from"
              + " 'openssl rand -hex 16'");
    }
    String country = config.find(COUNTRY).map(c -> c.trim().toUpperCase(Locale.ROOT)).orElse("");
    if (!country.isEmpty() && !country.matches("[A-Z]{2}")) {
      throw config.invalid(
          COUNTRY, country, "is not an ISO 3166-1 alpha-2 country code: use two letters, e.g. DE");
    }
    for (Setting<Duration> setting : DURATIONS) {
      Duration value = config.get(setting);
      if (value.isZero()) {
        throw config.invalid(setting, Units.formatDuration(value), "must be longer than zero");
      }
    }
    Optional<OverflowConfig> overflow =
        S3TierSettings.toS3Settings(config, environment)
            .map(
                s3 ->
                    OverflowConfig.defaults(s3)
                        .withRequired(S3TierSettings.required(config))
                        .withWriteQueueCapacity(config.get(S3_WRITE_QUEUE))
                        .withRetention(
                            config.get(S3_MAX_AGE),
                            config.get(S3_MAX_BYTES),
                            OverflowConfig.DEFAULT_SWEEP_INTERVAL));
    try {
      return new EdgeConfig(
          config.get(BIND),
          config.get(PORT),
          config.get(ADMIN_PORT),
          upstreams,
          config.get(CACHE_SIZE),
          id,
          config.get(SITE),
          config.get(LAT),
          config.get(LON),
          country,
          config.get(CAPACITY_MBPS),
          config.find(PUBLIC_URL),
          adminToken,
          config.get(CONNECT_TIMEOUT),
          config.get(FIRST_BYTE_TIMEOUT),
          config.get(IDLE_TIMEOUT),
          config.get(STALE_FOR),
          config.get(NEGATIVE_TTL),
          config.get(MAX_CONNECTIONS),
          config.get(CLIENT_IDLE_TIMEOUT),
          overflow);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + config.sourcesOfKeysIn(e.getMessage()), e);
    }
  }

  /**
   * The host name as an edge id: characters outside {@code A-Z a-z 0-9 _ . -} become {@code -},
   * leading punctuation is dropped, at most 64 characters; {@value #FALLBACK_ID} if nothing is
   * left.
   */
  static String idFromHostName(String hostName) {
    String id =
        hostName.trim().replaceAll("[^A-Za-z0-9_.-]", "-").replaceFirst("^[^A-Za-z0-9]+", "");
    if (id.length() > 64) {
      id = id.substring(0, 64);
    }
    return id.isEmpty() ? FALLBACK_ID : id;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return Optional.ofNullable(System.getenv("HOSTNAME")).orElse(FALLBACK_ID);
    }
  }

  private static List<URI> upstreams(ResolvedConfig config) {
    List<String> texts = config.get(UPSTREAMS);
    if (texts.isEmpty()) {
      throw new ConfigException(
          "upstreams: none given: set --upstream URL[,URL...] (or "
              + SCHEMA.environmentVariable(UPSTREAMS)
              + ", or 'upstreams:' in the config file) to the origin, a parent edge or any HTTP"
              + " server serving /live/...");
    }
    List<URI> upstreams = new ArrayList<>();
    for (String text : texts) {
      URI url;
      try {
        url = SettingType.httpUrl().fromText(text);
      } catch (IllegalArgumentException e) {
        throw config.invalid(UPSTREAMS, text, e.getMessage());
      }
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        throw config.invalid(
            UPSTREAMS,
            text,
            "has a query or fragment; give the base URL the edge appends /live/... to");
      }
      upstreams.add(url);
    }
    return upstreams;
  }

  /** Degrees in {@code [-limit, limit]}, written without trailing zeros ({@code 50.1109}, 0). */
  private static SettingType<Double> degrees(int limit) {
    return SettingType.scalar(
        "DEG",
        text -> {
          double value;
          try {
            value = Double.parseDouble(text.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a number of degrees", e);
          }
          if (!(value >= -limit && value <= limit)) {
            throw new IllegalArgumentException("is not in -" + limit + ".." + limit);
          }
          return value;
        },
        value -> BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
  }
}
