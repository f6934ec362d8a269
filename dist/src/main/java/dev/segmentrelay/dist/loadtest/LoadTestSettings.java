package dev.segmentrelay.dist.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ConfigSchema;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.common.config.SettingType;
import dev.segmentrelay.common.config.Units;
import dev.segmentrelay.loadtest.engine.Drill;
import dev.segmentrelay.loadtest.engine.FetchOptions;
import dev.segmentrelay.loadtest.engine.ForwardedFor;
import dev.segmentrelay.loadtest.engine.Http1Fetcher;
import dev.segmentrelay.loadtest.engine.LoadTestConfig;
import dev.segmentrelay.loadtest.engine.LoadTestMain;
import dev.segmentrelay.loadtest.engine.RegionMix;
import dev.segmentrelay.loadtest.engine.Spike;
import dev.segmentrelay.loadtest.report.Slo;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of {@code relay loadtest} and the translation of the layered values into the
 * validated {@link LoadTestConfig}. Every problem is a {@link ConfigException} naming the option.
 */
public final class LoadTestSettings {
  public static final Setting<URI> URL =
      Setting.optional(
          "url",
          SettingType.httpUrl(),
          "Router or edge URL of a master playlist or MPD (required); viewers start here and"
              + " come back here when their edge fails.");
  public static final Setting<Integer> VIEWERS =
      Setting.of(
          "viewers",
          SettingType.integer("N", 1, LoadTestConfig.MAX_VIEWERS),
          100,
          "Virtual viewers, each a player model; spikes come on top.");
  public static final Setting<Duration> DURATION =
      Setting.of(
          "duration",
          SettingType.duration(),
          Duration.ofSeconds(60),
          "Hold: how long all viewers play after the ramp up.");
  public static final Setting<Duration> RAMP =
      Setting.of(
          "ramp", SettingType.duration(), Duration.ZERO, "Time over which the viewers join.");
  public static final Setting<Duration> RAMP_DOWN =
      Setting.of(
          "ramp-down",
          SettingType.duration(),
          Duration.ZERO,
          "Time over which the viewers leave after the hold.");
  public static final Setting<List<String>> SPIKES =
      Setting.of(
              "spikes",
              SettingType.list("N@T/W[,...]"),
              List.<String>of(),
              "Extra viewers joining in a burst: N viewers within W from T after the start, e.g."
                  + " 5000@60s/30s. Repeatable.")
          .withFlag("--spike", "N@T/W[,...]");
  public static final Setting<List<String>> DRILLS =
      new Setting<>(
          "drills",
          "--drill",
          "at=T,drain=EDGE|at=T,kill=EDGE",
          new DrillsType(),
          Optional.of(List.of()),
          "Drains (admin API) or kills (--drill-command) an edge during the run, e.g."
              + " at=30s,drain=edge-tyo. Repeatable; several in one value are separated by ';'.");
  public static final Setting<String> DRILL_COMMAND =
      Setting.optional(
          "drill-command",
          SettingType.string("COMMAND"),
          "Shell command for kill drills, {edge} replaced by the edge id, e.g."
              + " 'kill -9 $(cat /run/relay/{edge}.pid)'.");
  public static final Setting<String> EDGE_ADMIN_TOKEN =
      Setting.optional(
          "edge-admin-token",
          SettingType.string("TOKEN"),
          "Bearer token of the edges' /admin/ actions, for drain drills; never printed.");
  public static final Setting<URI> ROUTER_API =
      Setting.optional(
          "router-api",
          SettingType.httpUrl(),
          "Router base URL whose /api/v1/edges gives each edge's admin URL for drain drills."
              + " Unset: the scheme, host and port of --url.");
  public static final Setting<Map<String, String>> REGIONS =
      Setting.of(
              "regions",
              commaPairs("CODE=PERCENT[,...]"),
              Map.<String, String>of(),
              "Where the viewers are, e.g. jp=20,th=10,de=70 (percents add up to 100); each"
                  + " viewer gets a client address of its region. Built in: the demo GeoIP"
                  + " networks of de, jp, th, us, br, au, gb, sg, in, za. Repeatable.")
          .withFlag("--region", "CODE=PERCENT[,...]");
  public static final Setting<List<String>> REGION_CIDRS =
      Setting.of(
              "region-cidrs",
              SettingType.list("CODE=CIDR[,...]"),
              List.<String>of(),
              "A region's client addresses for a real GeoIP database, e.g. jp=1.0.16.0/20;"
                  + " replaces the built-in network. Repeatable.")
          .withFlag("--region-cidr", "CODE=CIDR[,...]");
  public static final Setting<String> FORWARDED_FOR =
      Setting.of(
          "forwarded-for",
          SettingType.string("router|all|none"),
          "router",
          "Which requests carry the viewer's X-Forwarded-For: those to the router (host and"
              + " port of --url; the router must trust this machine as a proxy), all, or none.");
  public static final Setting<String> RENDITION =
      Setting.of(
          "rendition",
          SettingType.string("auto|lowest|highest|N"),
          "auto",
          "Rendition the viewers pick: throughput-based ABR (auto), the lowest, the highest,"
              + " or the N-th of the master playlist or MPD (0 = first).");
  public static final Setting<Duration> REQUEST_TIMEOUT =
      Setting.of(
          "request-timeout",
          SettingType.duration(),
          FetchOptions.DEFAULT_TIMEOUT,
          "A request (redirects included) not answered whole within this is a timeout.");
  public static final Setting<Integer> MAX_REDIRECTS =
      Setting.of(
          "max-redirects",
          SettingType.integer("N", 0, 20),
          FetchOptions.DEFAULT_MAX_REDIRECTS,
          "Redirects followed before a request counts as a redirect loop.");
  public static final Setting<Integer> EVENT_LOOPS =
      Setting.of(
          "event-loops",
          SettingType.integer("N", 0, 256),
          0,
          "Event loops the viewers are spread over; 0 = one per 5,000 viewers (spikes included), at most one per core.");
  public static final Setting<Integer> CONNECTIONS =
      Setting.of(
          "connections",
          SettingType.integer("N", 0, 1_000_000),
          0,
          "Most HTTP/1.1 keep-alive connections per host and event loop; 0 = one per viewer.");
  public static final Setting<Duration> GRACE =
      Setting.of(
          "grace",
          SettingType.duration(),
          Duration.ofSeconds(10),
          "Hard deadline after the planned end for stopping viewers and closing connections.");
  public static final Setting<Duration> PROGRESS_INTERVAL =
      Setting.of(
          "progress-interval",
          SettingType.duration(),
          Duration.ofSeconds(1),
          "How often a progress line is printed.");
  public static final Setting<Boolean> MEASURE_HEAP =
      Setting.of(
          "measure-heap",
          SettingType.bool(),
          true,
          "Measure heap per viewer (used heap after a full GC at the peak, over the viewers).");
  public static final Setting<String> OUT =
      Setting.optional(
          "out",
          SettingType.string("FILE"),
          "JSON results (viewers, startup_ms, segment_ms, stalls, rebuffer_ratio, requests,"
              + " errors, bytes, ...).");
  public static final Setting<String> REPORT =
      Setting.optional("report", SettingType.string("FILE"), "Self-contained HTML report.");
  public static final Setting<String> SLO =
      Setting.optional(
          "slo",
          SettingType.string("EXPR"),
          "Thresholds that set the exit code, e.g. 'stall_ratio<0.01,startup_p95<3s'.");

  /** The load tester: {@code RELAY_LOADTEST_*} variables. */
  public static final ConfigSchema SCHEMA =
      new ConfigSchema(
          "loadtest",
          List.of(
              URL,
              VIEWERS,
              DURATION,
              RAMP,
              RAMP_DOWN,
              SPIKES,
              DRILLS,
              DRILL_COMMAND,
              EDGE_ADMIN_TOKEN,
              ROUTER_API,
              REGIONS,
              REGION_CIDRS,
              FORWARDED_FOR,
              RENDITION,
              REQUEST_TIMEOUT,
              MAX_REDIRECTS,
              EVENT_LOOPS,
              CONNECTIONS,
              GRACE,
              PROGRESS_INTERVAL,
              MEASURE_HEAP,
              OUT,
              REPORT,
              SLO));

  private LoadTestSettings() {}

  /**
   * Builds the load test from resolved values.
   *
   * @throws ConfigException naming the option and where its value came from
   */
  public static LoadTestConfig toLoadTestConfig(ResolvedConfig config) {
    URI url =
        config
            .find(URL)
            .orElseThrow(
                () ->
                    new ConfigException(
                        "url: missing; give --url with the router or edge URL of a master"
                            + " playlist or MPD, e.g. --url"
                            + " http://127.0.0.1:8088/live/room1/master.m3u8"));
    Duration duration = positive(config, DURATION);
    List<Spike> spikes = new ArrayList<>();
    for (String text : config.get(SPIKES)) {
      try {
        spikes.add(Spike.parse(text));
      } catch (IllegalArgumentException e) {
        throw config.invalid(SPIKES, text, problem(e));
      }
    }
    List<Drill> drills = new ArrayList<>();
    for (String text : config.get(DRILLS)) {
      try {
        drills.add(Drill.parse(text));
      } catch (IllegalArgumentException e) {
        throw config.invalid(DRILLS, text, problem(e));
      }
    }
    long total = config.get(RAMP).plus(duration).plus(config.get(RAMP_DOWN)).toMillis();
    if (total > LoadTestConfig.MAX_RUN.toMillis()) {
      throw config.invalid(
          DURATION,
          Units.formatDuration(duration),
          "makes the run (ramp + duration + ramp-down) longer than 24h");
    }
    long holdEnd = config.get(RAMP).plus(duration).toMillis();
    for (Spike spike : spikes) {
      if (spike.at().toMillis() >= holdEnd) {
        throw config.invalid(
            SPIKES,
            spike.toString(),
            "starts at or after the hold ends ("
                + Units.formatDuration(Duration.ofMillis(holdEnd))
                + " = ramp + duration)");
      }
    }
    long viewers = config.get(VIEWERS);
    for (Spike spike : spikes) {
      viewers += spike.viewers();
    }
    if (viewers > LoadTestConfig.MAX_VIEWERS) {
      throw config.invalid(
          SPIKES,
          String.join(",", config.get(SPIKES)),
          "brings the viewers to " + viewers + ", over " + LoadTestConfig.MAX_VIEWERS);
    }
    for (Drill drill : drills) {
      if (drill.at().toMillis() >= total) {
        throw config.invalid(DRILLS, drill.toString(), "is at or after the run ends");
      }
      if (drill.action() == Drill.Action.KILL && config.find(DRILL_COMMAND).isEmpty()) {
        throw config.invalid(
            DRILLS,
            drill.toString(),
            "kills an edge but no --drill-command says how, e.g. --drill-command"
                + " 'kill -9 $(cat /run/relay/{edge}.pid)'");
      }
    }
    RegionMix regions;
    try {
      regions = RegionMix.parse(config.get(REGIONS), config.get(REGION_CIDRS));
    } catch (IllegalArgumentException e) {
      boolean cidr = e.getMessage().startsWith("--region-cidr");
      Setting<?> at = cidr ? REGION_CIDRS : REGIONS;
      String value =
          cidr
              ? String.join(",", config.get(REGION_CIDRS))
              : SettingType.pairs("", true).format(config.get(REGIONS));
      throw config.invalid(at, value, e.getMessage().substring(e.getMessage().indexOf(':') + 2));
    }
    ForwardedFor forwardedFor;
    try {
      forwardedFor = ForwardedFor.parse(config.get(FORWARDED_FOR));
    } catch (IllegalArgumentException e) {
      throw config.invalid(FORWARDED_FOR, config.get(FORWARDED_FOR), e.getMessage());
    }
    String rendition = config.get(RENDITION).trim().toLowerCase(Locale.ROOT);
    if (!rendition.matches("auto|lowest|highest|\\d{1,3}")) {
      throw config.invalid(
          RENDITION, config.get(RENDITION), "is not auto, lowest, highest or a rendition index");
    }
    Optional<String> token = config.find(EDGE_ADMIN_TOKEN);
    if (drills.stream().anyMatch(d -> d.action() == Drill.Action.DRAIN) && token.isEmpty()) {
      throw config.invalid(
          DRILLS,
          String.join(";", config.get(DRILLS)),
          "drains an edge but no --edge-admin-token is set for its /admin/drain");
    }
    int loops = config.get(EVENT_LOOPS);
    FetchOptions fetch =
        new FetchOptions(
            positive(config, REQUEST_TIMEOUT),
            config.get(MAX_REDIRECTS),
            forwardedFor,
            Http1Fetcher.authority(url),
            FetchOptions.DEFAULT_MAX_BODY);
    return new LoadTestConfig(
        url,
        config.get(VIEWERS),
        config.get(RAMP),
        duration,
        config.get(RAMP_DOWN),
        spikes,
        drills,
        regions,
        fetch,
        rendition,
        loops == 0
            ? LoadTestMain.defaultEventLoops(
                config.get(VIEWERS) + spikes.stream().mapToInt(Spike::viewers).sum())
            : loops,
        config.get(CONNECTIONS),
        positive(config, GRACE),
        positive(config, PROGRESS_INTERVAL),
        config.get(MEASURE_HEAP),
        config.find(ROUTER_API),
        token,
        config.find(DRILL_COMMAND),
        config.find(OUT).map(Path::of),
        config.find(REPORT).map(Path::of),
        slo(config));
  }

  /** The SLO expression, parsed now so that a mistake is a usage error naming --slo. */
  private static Optional<String> slo(ResolvedConfig config) {
    Optional<String> slo = config.find(SLO);
    if (slo.isPresent()) {
      try {
        Slo.parse(slo.get());
      } catch (IllegalArgumentException e) {
        throw config.invalid(SLO, slo.get(), e.getMessage());
      }
    }
    return slo;
  }

  private static String problem(IllegalArgumentException e) {
    String m = e.getMessage();
    // Spike and Drill messages start with the quoted value, which the caller names already.
    int quote = m.startsWith("'") ? m.indexOf("' ", 1) : -1;
    return quote > 0 ? m.substring(quote + 2) : m;
  }

  private static Duration positive(ResolvedConfig config, Setting<Duration> setting) {
    Duration value = config.get(setting);
    if (value.isZero()) {
      throw config.invalid(setting, Units.formatDuration(value), "must be longer than zero");
    }
    return value;
  }

  /** {@code NAME=VALUE} pairs whose flag values may hold several, comma-separated. */
  private static SettingType<Map<String, String>> commaPairs(String label) {
    SettingType<Map<String, String>> pairs = SettingType.pairs(label, true);
    return new SettingType<>() {
      @Override
      public String label() {
        return label;
      }

      @Override
      public boolean repeatable() {
        return true;
      }

      @Override
      public Map<String, String> fromText(String text) {
        return pairs.fromText(text);
      }

      @Override
      public Map<String, String> fromFlags(List<String> values) {
        return pairs.fromFlags(split(values, ","));
      }

      @Override
      public Map<String, String> fromYaml(JsonNode node) {
        return pairs.fromYaml(node);
      }

      @Override
      public String format(Map<String, String> value) {
        return pairs.format(value);
      }
    };
  }

  /**
   * Drills: each flag is one drill (its own commas belong to it); in text (environment, a YAML
   * scalar) drills are separated by {@code ;}; in YAML also a sequence.
   */
  static final class DrillsType implements SettingType<List<String>> {
    private final SettingType<List<String>> sequence = SettingType.list(label());

    @Override
    public String label() {
      return "at=T,drain=EDGE";
    }

    @Override
    public boolean repeatable() {
      return true;
    }

    @Override
    public List<String> fromText(String text) {
      return split(List.of(text), ";");
    }

    @Override
    public List<String> fromFlags(List<String> values) {
      return split(values, ";");
    }

    @Override
    public List<String> fromYaml(JsonNode node) {
      return node.isArray() ? sequence.fromYaml(node) : SettingType.super.fromYaml(node);
    }

    @Override
    public String format(List<String> value) {
      return String.join(";", value);
    }
  }

  /** The non-blank, trimmed pieces of {@code values} split at {@code separator}. */
  private static List<String> split(List<String> values, String separator) {
    List<String> items = new ArrayList<>();
    for (String value : values) {
      for (String item : value.split(separator)) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
    }
    return List.copyOf(items);
  }
}
