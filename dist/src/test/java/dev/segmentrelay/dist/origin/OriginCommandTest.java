package dev.segmentrelay.dist.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.cluster.ClusterConfig;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.dist.Relay;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.origin.OriginConfig;
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

class OriginCommandTest {
  private static final String TOKEN = "0123456789abcdef0123";

  @TempDir Path dir;

  /** Parses {@code relay origin ARGS} and resolves the config without starting anything. */
  private static ResolvedConfig resolve(Map<String, String> env, String... args) {
    CommandLine relay = Relay.commandLine(env);
    CommandLine.ParseResult parsed = relay.parseArgs(prepend("origin", args));
    CommandLine origin = parsed.subcommand().commandSpec().commandLine();
    return ((OriginCommand) origin.getCommand()).resolve();
  }

  private static OriginConfig config(Map<String, String> env, String... args) {
    return OriginSettings.toOriginConfig(resolve(env, args), env);
  }

  /** Runs {@code relay origin ARGS} for arguments that must fail before anything starts. */
  private static Result run(Map<String, String> env, String... args) {
    CommandLine relay = Relay.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    relay.setOut(new PrintWriter(out));
    relay.setErr(new PrintWriter(err));
    int code = relay.execute(prepend("origin", args));
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int code, String out, String err) {}

  @Test
  void s3FlagsTurnOnTheArchiveWithCredentialsFromTheEnvironmentOnly() {
    Map<String, String> env =
        Map.of("AWS_ACCESS_KEY_ID", "relay-key", "AWS_SECRET_ACCESS_KEY", "relay-secret-value");
    OriginConfig config =
        config(
            env,
            "--s3-endpoint",
            "http://127.0.0.1:9000",
            "--s3-bucket",
            "archive",
            "--dvr-window",
            "2h",
            "--s3-required",
            "true");
    assertThat(config.archive()).isPresent();
    assertThat(config.archive().get().s3().endpoint())
        .isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(config.archive().get().s3().bucket()).isEqualTo("archive");
    assertThat(config.archive().get().s3().credentials().accessKeyId()).isEqualTo("relay-key");
    assertThat(config.archive().get().dvrWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(config.archive().get().required()).isTrue();
    assertThat(config(Map.of()).archive()).isEmpty();
  }

  @Test
  void s3SettingsThatCannotWorkNameWhatIsMissing() {
    assertThat(run(Map.of(), "--s3-endpoint", "http://127.0.0.1:9000").err)
        .contains("--s3-endpoint http://127.0.0.1:9000 needs --s3-bucket NAME");
    assertThat(run(Map.of(), "--s3-bucket", "archive").err)
        .contains("--s3-bucket archive needs --s3-endpoint URL");
    assertThat(
            run(Map.of(), "--s3-endpoint", "http://127.0.0.1:9000", "--s3-bucket", "archive").err)
        .contains("AWS_ACCESS_KEY_ID");
  }

  @Test
  void stableCommandLineBuildsTheConfig() {
    OriginConfig config =
        config(
            Map.of(),
            "--port",
            "8081",
            "--admin-port",
            "9091",
            "--stream",
            "room1=http://127.0.0.1:8000/hls/room1/index.m3u8",
            "--stream",
            "room3=http://127.0.0.1:8000/dash/room3/index.mpd",
            "--ingest-token",
            TOKEN,
            "--push",
            "room2",
            "--push",
            "room4=another-token-of-16+",
            "--store-max-bytes",
            "1g",
            "--max-object-bytes",
            "32m",
            "--fetch-timeout",
            "500ms",
            "--stalled-after",
            "2m",
            "--poll-interval",
            "1s",
            "--playlist-window",
            "4",
            "--store-max-segments",
            "10",
            "--bind",
            "127.0.0.1");
    assertThat(config)
        .isEqualTo(
            new OriginConfig(
                "127.0.0.1",
                8081,
                9091,
                List.of(
                    new OriginConfig.PullStream(
                        "room1", URI.create("http://127.0.0.1:8000/hls/room1/index.m3u8")),
                    new OriginConfig.PullStream(
                        "room3", URI.create("http://127.0.0.1:8000/dash/room3/index.mpd"))),
                List.of(
                    new OriginConfig.PushStream("room2", TOKEN),
                    new OriginConfig.PushStream("room4", "another-token-of-16+")),
                4,
                10,
                1L << 30,
                32L << 20,
                Duration.ofMillis(500),
                Duration.ofMinutes(2),
                Optional.of(Duration.ofSeconds(1)),
                Optional.empty()));
  }

  @Test
  void flagsOverrideEnvironmentOverridesFile() throws Exception {
    Path file = dir.resolve("origin.yaml");
    Files.writeString(
        file,
        "port: 1001\nadmin-port: 1002\nplaylist-window: 3\n"
            + "streams:\n  room1: http://a/x.m3u8\npush-streams:\n  room2:\n");
    OriginConfig config =
        config(
            Map.of(
                "RELAY_ORIGIN_ADMIN_PORT", "2002",
                "RELAY_ORIGIN_PORT", "2001",
                "RELAY_ORIGIN_INGEST_TOKEN", TOKEN),
            "--config",
            file.toString(),
            "--port",
            "3001");
    assertThat(config.port()).isEqualTo(3001);
    assertThat(config.adminPort()).isEqualTo(2002);
    assertThat(config.playlistWindow()).isEqualTo(3);
    assertThat(config.pullStreams())
        .containsExactly(new OriginConfig.PullStream("room1", URI.create("http://a/x.m3u8")));
    assertThat(config.pushStreams()).containsExactly(new OriginConfig.PushStream("room2", TOKEN));
  }

  @Test
  void badValueExitsWithUsageCodeNamingTheOption() {
    Result flag = run(Map.of(), "--port", "abc");
    assertThat(flag.code()).isEqualTo(2);
    assertThat(flag.err()).contains("port: 'abc' from --port is not a number");

    Result env = run(Map.of("RELAY_ORIGIN_FETCH_TIMEOUT", "10"), "--stream", "a=http://h/a.m3u8");
    assertThat(env.code()).isEqualTo(2);
    assertThat(env.err())
        .contains("fetch-timeout: '10' from RELAY_ORIGIN_FETCH_TIMEOUT is not a duration");

    Result unknown = run(Map.of(), "--prot", "8080");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("--prot");
  }

  @Test
  void crossChecksNameTheSourcesOfTheKeysInvolved() {
    Result result = run(Map.of("RELAY_ORIGIN_PLAYLIST_WINDOW", "40"));
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .contains("store-max-segments 30 must be at least playlist-window + 2 (42)")
        .contains(
            "(playlist-window from RELAY_ORIGIN_PLAYLIST_WINDOW, store-max-segments from default)");
  }

  @Test
  void badStreamsAreReportedWithTheirSource() {
    assertThat(run(Map.of(), "--stream", "Room1=http://a/x.m3u8").err())
        .contains("streams: 'Room1' from --stream is not a valid stream name");
    assertThat(run(Map.of(), "--stream", "room1=ftp://a/x.m3u8").err())
        .contains(
            "streams: 'room1=ftp://a/x.m3u8' from --stream is not an http:// or https:// URL");
    assertThat(run(Map.of(), "--stream", "room1").err())
        .contains("streams: 'room1' from --stream has no value for 'room1', expected NAME=URL");
  }

  @Test
  void pushStreamsNeedALongEnoughTokenWhichIsNeverEchoed() {
    assertThat(run(Map.of(), "--push", "room2").err())
        .contains("push-streams: 'room2' from --push has no token");
    Result shortToken = run(Map.of(), "--push", "room2", "--ingest-token", "secret");
    assertThat(shortToken.err())
        .contains("ingest-token: '***' from --ingest-token is shorter than 16 characters")
        .doesNotContain("secret");
    assertThat(run(Map.of(), "--push", "room2=secret").err())
        .contains("push-streams: 'room2=***' from --push has a token shorter than 16");
  }

  @Test
  void clusterFlagsBuildTheClusterConfig() {
    ResolvedConfig resolved =
        resolve(
            Map.of("RELAY_ORIGIN_CLUSTER_NAME", "conf-2026"),
            "--stream",
            "a=http://h/a.m3u8",
            "--cluster-port",
            "5801",
            "--cluster-bind",
            "10.8.0.1",
            "--members",
            "10.8.0.1:5801,10.8.0.2:5801");
    assertThat(ClusterSettings.toClusterConfig(resolved))
        .contains(
            ClusterConfig.of("10.8.0.1", 5801, List.of("10.8.0.1:5801", "10.8.0.2:5801"))
                .withClusterName("conf-2026"));
    assertThat(ClusterSettings.toClusterConfig(resolve(Map.of(), "--stream", "a=http://h/a.m3u8")))
        .isEmpty();
  }

  @Test
  void aBadClusterMemberIsRefusedBeforeAnythingStarts() {
    Result result =
        run(Map.of(), "--stream", "a=http://h/a.m3u8", "--members", "10.8.0.2:5801,10.8.0.3");
    assertThat(result.code()).isEqualTo(Relay.EXIT_USAGE);
    assertThat(result.err())
        .contains("members entry '10.8.0.3' has no port")
        .contains("members from --members");
  }

  @Test
  void helpDocumentsEveryOptionWithDefaultAndVariable() {
    CommandLine origin = Relay.commandLine(Map.of()).getSubcommands().get("origin");
    String help =
        origin
            .getUsageMessage(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
            .replaceAll("\\s+", " ");
    for (var setting : OriginSettings.SCHEMA.settings()) {
      assertThat(help)
          .contains(setting.flag())
          .contains(OriginSettings.SCHEMA.environmentVariable(setting));
    }
    assertThat(help)
        .contains("--config=FILE")
        .contains("RELAY_ORIGIN_CONFIG")
        .contains("--stream=NAME=URL")
        .contains("Default: 8080")
        .contains("Default: 256m")
        .contains("Default: 10s")
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
