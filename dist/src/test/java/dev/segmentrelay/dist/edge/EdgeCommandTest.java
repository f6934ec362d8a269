package dev.segmentrelay.dist.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.cluster.ClusterConfig;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.dist.Relay;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.edge.EdgeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EdgeCommandTest {
  private static final String TOKEN = "0123456789abcdef0123";
  private static final String UPSTREAM = "http://127.0.0.1:8080";

  @TempDir Path dir;

  /** Parses {@code relay edge ARGS} and resolves the config without starting anything. */
  private static ResolvedConfig resolve(Map<String, String> env, String... args) {
    CommandLine relay = Relay.commandLine(env);
    CommandLine.ParseResult parsed = relay.parseArgs(prepend("edge", args));
    CommandLine edge = parsed.subcommand().commandSpec().commandLine();
    return ((EdgeCommand) edge.getCommand()).resolve();
  }

  private static EdgeConfig config(Map<String, String> env, String... args) {
    return EdgeSettings.toEdgeConfig(resolve(env, args), env, () -> "test-host");
  }

  /** Runs {@code relay edge ARGS} for arguments that must fail before anything starts. */
  private static Result run(Map<String, String> env, String... args) {
    CommandLine relay = Relay.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    relay.setOut(new PrintWriter(out));
    relay.setErr(new PrintWriter(err));
    int code = relay.execute(prepend("edge", args));
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int code, String out, String err) {}

  @Test
  void s3FlagsTurnOnTheOverflowTierWithCredentialsFromTheEnvironment() {
    Map<String, String> env =
        Map.of("AWS_ACCESS_KEY_ID", "relay-key", "AWS_SECRET_ACCESS_KEY", "relay-secret-value");
    EdgeConfig config =
        config(
            env,
            "--upstream",
            "http://origin:8080",
            "--s3-endpoint",
            "http://127.0.0.1:9000",
            "--s3-bucket",
            "fra1",
            "--s3-prefix",
            "site-a/",
            "--s3-max-age",
            "2h",
            "--s3-max-bytes",
            "50g",
            "--s3-write-queue",
            "64");
    assertThat(config.overflow()).isPresent();
    var tier = config.overflow().get();
    assertThat(tier.s3().bucket()).isEqualTo("fra1");
    assertThat(tier.s3().keyPrefix()).isEqualTo("site-a/");
    assertThat(tier.s3().credentials().accessKeyId()).isEqualTo("relay-key");
    assertThat(tier.maxAge()).isEqualTo(Duration.ofHours(2));
    assertThat(tier.maxBytes()).isEqualTo(50L << 30);
    assertThat(tier.writeQueueCapacity()).isEqualTo(64);
    assertThat(tier.required()).isFalse();
    assertThat(config(Map.of(), "--upstream", "http://origin:8080").overflow()).isEmpty();
  }

  @Test
  void s3WithoutCredentialsNamesTheVariablesToSet() {
    assertThatThrownBy(
            () ->
                config(
                    Map.of(),
                    "--upstream",
                    "http://origin:8080",
                    "--s3-endpoint",
                    "http://127.0.0.1:9000",
                    "--s3-bucket",
                    "fra1"))
        .hasMessageContaining("AWS_ACCESS_KEY_ID")
        .hasMessageContaining("--s3-credentials-file");
  }

  @Test
  void stableCommandLineBuildsTheConfig() {
    EdgeConfig config =
        config(
            Map.of(),
            "--port",
            "8082",
            "--admin-port",
            "9092",
            "--upstream",
            "http://origin-a:8080,https://origin-b/",
            "--upstream",
            "http://parent-edge:8081",
            "--cache-size",
            "2g",
            "--id",
            "fra1-a",
            "--site",
            "fra1",
            "--lat",
            "50.1109",
            "--lon",
            "-8.6821",
            "--capacity-mbps",
            "2500",
            "--public-url",
            "https://fra1-a.cdn.example.org",
            "--bind",
            "127.0.0.1",
            "--admin-token",
            TOKEN,
            "--connect-timeout",
            "500ms",
            "--first-byte-timeout",
            "3s",
            "--idle-timeout",
            "4s",
            "--stale-for",
            "1m",
            "--negative-ttl",
            "2s",
            "--max-connections",
            "500",
            "--client-idle-timeout",
            "45s");
    assertThat(config)
        .isEqualTo(
            new EdgeConfig(
                "127.0.0.1",
                8082,
                9092,
                List.of(
                    URI.create("http://origin-a:8080"),
                    URI.create("https://origin-b/"),
                    URI.create("http://parent-edge:8081")),
                2L << 30,
                "fra1-a",
                "fra1",
                50.1109,
                -8.6821,
                "",
                2500,
                Optional.of(URI.create("https://fra1-a.cdn.example.org")),
                Optional.of(TOKEN),
                Duration.ofMillis(500),
                Duration.ofSeconds(3),
                Duration.ofSeconds(4),
                Duration.ofMinutes(1),
                Duration.ofSeconds(2),
                500,
                Duration.ofSeconds(45),
                Optional.empty()));
  }

  @Test
  void onlyTheUpstreamIsRequired() {
    assertThat(config(Map.of(), "--upstream", UPSTREAM))
        .isEqualTo(EdgeConfig.defaults(List.of(URI.create(UPSTREAM)), "test-host"));
  }

  @Test
  void flagsOverrideEnvironmentOverridesFile() throws Exception {
    Path file = dir.resolve("edge.yaml");
    Files.writeString(
        file,
        "port: 1001\nadmin-port: 1002\nsite: file-site\nlat: 35.6762\n"
            + "upstreams:\n  - http://from-file-a:8080\n  - http://from-file-b:8080\n");
    EdgeConfig config =
        config(
            Map.of(
                "RELAY_EDGE_ADMIN_PORT", "2002",
                "RELAY_EDGE_PORT", "2001",
                "RELAY_EDGE_SITE", "env-site",
                "RELAY_EDGE_ADMIN_TOKEN", TOKEN),
            "--config",
            file.toString(),
            "--port",
            "3001");
    assertThat(config.port()).isEqualTo(3001);
    assertThat(config.adminPort()).isEqualTo(2002);
    assertThat(config.site()).isEqualTo("env-site");
    assertThat(config.latitude()).isEqualTo(35.6762);
    assertThat(config.adminToken()).contains(TOKEN);
    assertThat(config.upstreams())
        .containsExactly(
            URI.create("http://from-file-a:8080"), URI.create("http://from-file-b:8080"));
  }

  @Test
  void upstreamsFromTheEnvironmentAreCommaSeparated() {
    EdgeConfig config =
        config(Map.of("RELAY_EDGE_UPSTREAMS", "http://a:8080, http://b:8080"), "--id", "e1");
    assertThat(config.upstreams())
        .containsExactly(URI.create("http://a:8080"), URI.create("http://b:8080"));
  }

  @Test
  void missingUpstreamExitsWithUsageCodeNamingTheOption() {
    Result result = run(Map.of());
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .contains("upstreams: none given: set --upstream URL")
        .contains("RELAY_EDGE_UPSTREAMS")
        .contains("See 'relay edge --help'");
  }

  @Test
  void badUpstreamIsReportedWithItsSource() {
    Result scheme = run(Map.of(), "--upstream", "ftp://origin:21");
    assertThat(scheme.code()).isEqualTo(2);
    assertThat(scheme.err())
        .contains("upstreams: 'ftp://origin:21' from --upstream is not an http:// or https:// URL");

    Result syntax = run(Map.of("RELAY_EDGE_UPSTREAMS", "http://origin:8080/a b"));
    assertThat(syntax.code()).isEqualTo(2);
    assertThat(syntax.err())
        .contains("upstreams: 'http://origin:8080/a b' from RELAY_EDGE_UPSTREAMS is not a URL");

    Result query = run(Map.of(), "--upstream", "http://origin:8080/?x=1");
    assertThat(query.code()).isEqualTo(2);
    assertThat(query.err())
        .contains("upstreams: 'http://origin:8080/?x=1' from --upstream has a query or fragment");
  }

  @Test
  void countryIsAnUpperCaseIsoCodeOrUnknown() {
    assertThat(config(Map.of(), "--upstream", UPSTREAM, "--country", "jp").country())
        .isEqualTo("JP");
    assertThat(config(Map.of(), "--upstream", UPSTREAM).country()).isEmpty();
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--country", "Japan").err())
        .contains("country: 'JAPAN' from --country is not an ISO 3166-1 alpha-2 country code");
  }

  @Test
  void badValuesExitWithUsageCodeNamingTheOption() {
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--port", "abc").err())
        .contains("port: 'abc' from --port is not a number");
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--lat", "91").err())
        .contains("lat: '91' from --lat is not in -90..90");
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--lon", "east").err())
        .contains("lon: 'east' from --lon is not a number of degrees");
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--cache-size", "lots").err())
        .contains("cache-size: 'lots' from --cache-size is not a size");
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--capacity-mbps", "0").err())
        .contains("capacity-mbps: '0' from --capacity-mbps is not in 1-");
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--id", "fra 1").err())
        .contains("id: 'fra 1' from --id is not a valid edge id");
    assertThat(run(Map.of(), "--upstream", UPSTREAM, "--public-url", "edge.example.org").err())
        .contains("public-url: 'edge.example.org' from --public-url is not an http://");
    assertThat(run(Map.of("RELAY_EDGE_STALE_FOR", "0s"), "--upstream", UPSTREAM).err())
        .contains("stale-for: '0s' from RELAY_EDGE_STALE_FOR must be longer than zero");
    assertThat(run(Map.of("RELAY_EDGE_NEGATIVE_TTL", "1"), "--upstream", UPSTREAM).err())
        .contains("negative-ttl: '1' from RELAY_EDGE_NEGATIVE_TTL is not a duration");

    Result unknownFlag = run(Map.of(), "--upstreams", UPSTREAM);
    assertThat(unknownFlag.code()).isEqualTo(2);
    assertThat(unknownFlag.err()).contains("--upstreams");

    Result unknownVariable = run(Map.of("RELAY_EDGE_UPSTREAM", UPSTREAM));
    assertThat(unknownVariable.code()).isEqualTo(2);
    assertThat(unknownVariable.err())
        .contains("unknown environment variable RELAY_EDGE_UPSTREAM")
        .contains("did you mean 'RELAY_EDGE_UPSTREAMS'");
  }

  @Test
  void recordChecksNameTheSourceOfTheKey() {
    Result result = run(Map.of("RELAY_EDGE_CACHE_SIZE", "64k"), "--upstream", UPSTREAM);
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .contains("cache-size 65536 is below 1m (cache-size from RELAY_EDGE_CACHE_SIZE)");
  }

  @Test
  void shortAdminTokenIsRefusedAndNeverEchoed() {
    Result result = run(Map.of("RELAY_EDGE_ADMIN_TOKEN", "hunter2"), "--upstream", UPSTREAM);
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .contains("admin-token: '***' from RELAY_EDGE_ADMIN_TOKEN is shorter than 16 characters")
        .doesNotContain("hunter2");
  }

  @Test
  void listeningMessageNeverPrintsTheAdminToken() {
    EdgeConfig withToken =
        config(Map.of("RELAY_EDGE_ADMIN_TOKEN", TOKEN), "--upstream", UPSTREAM, "--id", "fra1-a");
    StringWriter out = new StringWriter();
    EdgeCommand.printListening(withToken, 8081, 9091, new PrintWriter(out));
    assertThat(out.toString())
        .doesNotContain(TOKEN)
        .contains("relay edge fra1-a (site default)")
        .contains("upstreams  " + UPSTREAM)
        .contains("http://localhost:8081/live/{stream}/{playlist}")
        .contains("http://localhost:9091/admin/purge");

    StringWriter withoutToken = new StringWriter();
    EdgeCommand.printListening(
        config(Map.of(), "--upstream", UPSTREAM, "--public-url", "https://cdn.example.org/"),
        8081,
        9091,
        new PrintWriter(withoutToken));
    assertThat(withoutToken.toString())
        .contains("https://cdn.example.org/live/{stream}/{playlist}")
        .contains("admin      disabled: set --admin-token or RELAY_EDGE_ADMIN_TOKEN");
  }

  @Test
  void idDefaultsToTheSanitisedHostName() {
    ResolvedConfig resolved = resolve(Map.of(), "--upstream", UPSTREAM);
    assertThat(EdgeSettings.toEdgeConfig(resolved, () -> "fra1-a.cdn.example.org").id())
        .isEqualTo("fra1-a.cdn.example.org");
    assertThat(EdgeSettings.toEdgeConfig(resolved, () -> "Edge Host #1").id())
        .isEqualTo("Edge-Host--1");
    assertThat(EdgeSettings.idFromHostName("-_.édge")).isEqualTo("dge");
    assertThat(EdgeSettings.idFromHostName("...")).isEqualTo(EdgeSettings.FALLBACK_ID);
    assertThat(EdgeSettings.idFromHostName("a".repeat(80))).isEqualTo("a".repeat(64));
    assertThat(EdgeSettings.toEdgeConfig(resolved, Map.of()).id())
        .matches("[A-Za-z0-9][A-Za-z0-9_.-]*");
  }

  @Test
  void clusterFlagsBuildTheClusterConfig() {
    ResolvedConfig resolved =
        resolve(Map.of(), "--upstream", UPSTREAM, "--members", "10.0.0.1:5701,10.0.0.2:5701");
    assertThat(ClusterSettings.toClusterConfig(resolved))
        .contains(
            ClusterConfig.of(
                ClusterConfig.DEFAULT_BIND_HOST,
                ClusterConfig.DEFAULT_PORT,
                List.of("10.0.0.1:5701", "10.0.0.2:5701")));
  }

  @Test
  void aWildcardClusterBindIsRefused() {
    ResolvedConfig resolved =
        resolve(
            Map.of(),
            "--upstream",
            UPSTREAM,
            "--cluster-port",
            "5701",
            "--cluster-bind",
            "0.0.0.0");
    assertThatThrownBy(() -> ClusterSettings.toClusterConfig(resolved))
        .hasMessageContaining("cluster-bind '0.0.0.0' would expose the registry")
        .hasMessageContaining("cluster-bind from --cluster-bind");
  }

  @Test
  void helpDocumentsEveryOptionWithDefaultAndVariable() {
    CommandLine edge = Relay.commandLine(Map.of()).getSubcommands().get("edge");
    String help =
        edge.getUsageMessage(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
            .replaceAll("\\s+", " ");
    for (var setting : EdgeSettings.SCHEMA.settings()) {
      assertThat(help)
          .contains(setting.flag())
          .contains(EdgeSettings.SCHEMA.environmentVariable(setting));
    }
    assertThat(help)
        .contains("--config=FILE")
        .contains("RELAY_EDGE_CONFIG")
        .contains("--upstream=URL[,URL...]")
        .contains("YAML: upstreams")
        .contains("Default: 8081")
        .contains("Default: 9091")
        .contains("Default: 512m")
        .contains("Default: 30s")
        .contains("Default: 0.")
        .contains("--cluster-bind=ADDR")
        .contains("Default: 127.0.0.1");
  }

  private static String[] prepend(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
