package dev.segmentrelay.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  static final Setting<Integer> PORT = Setting.of("port", SettingType.port(), 8080, "Port.");
  static final Setting<Integer> ADMIN_PORT =
      Setting.of("admin-port", SettingType.port(), 9090, "Management port.");
  static final Setting<Long> MAX_BYTES =
      Setting.of("max-bytes", SettingType.size(), 256L << 20, "Largest object.");
  static final Setting<Duration> TIMEOUT =
      Setting.of("timeout", SettingType.duration(), Duration.ofSeconds(10), "Timeout.");
  static final Setting<Duration> POLL =
      Setting.optional("poll-interval", SettingType.duration(), "Poll interval.");
  static final Setting<Map<String, String>> STREAMS =
      Setting.of("streams", SettingType.pairs("NAME=URL", true), Map.of(), "Streams.")
          .withFlag("--stream", "NAME=URL");
  static final Setting<Map<String, String>> PUSH =
      Setting.of("push-streams", SettingType.pairs("NAME[=TOKEN]", false), Map.of(), "Push.")
          .withFlag("--push", "NAME[=TOKEN]");
  static final Setting<List<String>> MEMBERS =
      Setting.of("members", SettingType.list("HOST:PORT,..."), List.of(), "Members.");
  static final Setting<URI> UPSTREAM =
      Setting.optional("upstream", SettingType.httpUrl(), "Upstream.");

  static final ConfigSchema SCHEMA =
      new ConfigSchema(
          "origin",
          List.of(PORT, ADMIN_PORT, MAX_BYTES, TIMEOUT, POLL, STREAMS, PUSH, MEMBERS, UPSTREAM));

  @TempDir Path dir;

  private ResolvedConfig load(
      Optional<Path> file, Map<String, String> env, Map<String, List<String>> flags) {
    return new ConfigLoader(SCHEMA).load(file, env, flags);
  }

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("origin.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    ResolvedConfig config = load(Optional.empty(), Map.of(), Map.of());
    assertThat(config.get(PORT)).isEqualTo(8080);
    assertThat(config.get(MAX_BYTES)).isEqualTo(256L << 20);
    assertThat(config.find(POLL)).isEmpty();
    assertThat(config.get(STREAMS)).isEmpty();
    assertThat(config.source(PORT)).isEqualTo(ConfigSource.DEFAULT);
  }

  @Test
  void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
    Path file = yaml("port: 1001\nadmin-port: 1002\ntimeout: 5s\nmax-bytes: 1g\n");
    ResolvedConfig config =
        load(
            Optional.of(file),
            Map.of("RELAY_ORIGIN_PORT", "2001", "RELAY_ORIGIN_ADMIN_PORT", "2002"),
            Map.of("port", List.of("3001")));
    assertThat(config.get(PORT)).isEqualTo(3001);
    assertThat(config.source(PORT)).isEqualTo(ConfigSource.FLAG);
    assertThat(config.get(ADMIN_PORT)).isEqualTo(2002);
    assertThat(config.origin(ADMIN_PORT)).isEqualTo("RELAY_ORIGIN_ADMIN_PORT");
    assertThat(config.get(TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.source(TIMEOUT)).isEqualTo(ConfigSource.FILE);
    assertThat(config.get(MAX_BYTES)).isEqualTo(1L << 30);
    assertThat(config.find(POLL)).as("optional, unset").isEmpty();
  }

  @Test
  void badEnvironmentValueNamesKeySourceAndExpectation() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("RELAY_ORIGIN_PORT", "abc"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("port: 'abc' from RELAY_ORIGIN_PORT is not a number");
  }

  @Test
  void badFlagValueNamesTheFlag() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of(), Map.of("timeout", List.of("10"))))
        .hasMessageStartingWith("timeout: '10' from --timeout is not a duration");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of(), Map.of("port", List.of("70000"))))
        .hasMessage("port: '70000' from --port is not in 0-65535");
  }

  @Test
  void badFileValueNamesTheFile() throws Exception {
    Path file = yaml("max-bytes: plenty\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of(), Map.of()))
        .hasMessageStartingWith("max-bytes: 'plenty' from " + file + " is not a size");
  }

  @Test
  void unknownYamlKeyIsAnErrorWithASuggestion() throws Exception {
    Path file = yaml("prot: 8080\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'prot' in " + file)
        .hasMessageContaining("did you mean 'port'?")
        .hasMessageContaining("known keys: port, admin-port");
  }

  @Test
  void unknownRoleVariableIsAnErrorButOtherRolesAreIgnored() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("RELAY_ORIGIN_PROT", "8080"), Map.of()))
        .hasMessageContaining("unknown environment variable RELAY_ORIGIN_PROT")
        .hasMessageContaining("did you mean 'RELAY_ORIGIN_PORT'?");
    ResolvedConfig config =
        load(Optional.empty(), Map.of("RELAY_EDGE_PORT", "1", "PATH", "/bin"), Map.of());
    assertThat(config.get(PORT)).isEqualTo(8080);
  }

  @Test
  void emptyEnvironmentVariablesAndNullYamlValuesMeanUnset() throws Exception {
    Path file = yaml("poll-interval:\nport: ~\n");
    ResolvedConfig config =
        load(Optional.of(file), Map.of("RELAY_ORIGIN_ADMIN_PORT", ""), Map.of());
    assertThat(config.find(POLL)).isEmpty();
    assertThat(config.get(PORT)).isEqualTo(8080);
    assertThat(config.get(ADMIN_PORT)).isEqualTo(9090);
  }

  @Test
  void configFileCanComeFromTheEnvironment() throws Exception {
    Path file = yaml("port: 1234\n");
    ResolvedConfig config =
        load(Optional.empty(), Map.of("RELAY_ORIGIN_CONFIG", file.toString()), Map.of());
    assertThat(config.get(PORT)).isEqualTo(1234);
  }

  @Test
  void missingOrMalformedFileIsReported() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> load(Optional.of(missing), Map.of(), Map.of()))
        .hasMessage("config file " + missing + " does not exist");
    Path list = yaml("- port\n");
    assertThatThrownBy(() -> load(Optional.of(list), Map.of(), Map.of()))
        .hasMessageContaining("must be a YAML mapping");
    Path broken = yaml("port: [8080\n");
    assertThatThrownBy(() -> load(Optional.of(broken), Map.of(), Map.of()))
        .hasMessageContaining("is not valid YAML");
  }

  @Test
  void pairsFromEachSource() throws Exception {
    Path file = yaml("streams:\n  room1: http://a/x.m3u8\npush-streams:\n  room2:\n  room3: t\n");
    ResolvedConfig fromFile = load(Optional.of(file), Map.of(), Map.of());
    assertThat(fromFile.get(STREAMS)).containsExactly(Map.entry("room1", "http://a/x.m3u8"));
    assertThat(fromFile.get(PUSH)).containsExactly(Map.entry("room2", ""), Map.entry("room3", "t"));

    ResolvedConfig fromEnv =
        load(
            Optional.of(file),
            Map.of("RELAY_ORIGIN_STREAMS", "a=http://h/a.m3u8, b=http://h/b.mpd"),
            Map.of());
    assertThat(fromEnv.get(STREAMS))
        .containsExactly(Map.entry("a", "http://h/a.m3u8"), Map.entry("b", "http://h/b.mpd"));

    ResolvedConfig fromFlags =
        load(
            Optional.of(file),
            Map.of(),
            Map.of("streams", List.of("c=http://h/c.m3u8?x=1,2"), "push-streams", List.of("d")));
    assertThat(fromFlags.get(STREAMS)).containsExactly(Map.entry("c", "http://h/c.m3u8?x=1,2"));
    assertThat(fromFlags.get(PUSH)).containsExactly(Map.entry("d", ""));
  }

  @Test
  void badPairsAreReported() throws Exception {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of(), Map.of("streams", List.of("room1"))))
        .hasMessage("streams: 'room1' from --stream has no value for 'room1', expected NAME=URL");
    assertThatThrownBy(
            () ->
                load(
                    Optional.empty(),
                    Map.of(),
                    Map.of("streams", List.of("a=http://x/1.m3u8", "a=http://x/2.m3u8"))))
        .hasMessageContaining("names 'a' twice");
    Path file = yaml("streams: http://a/x.m3u8\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of(), Map.of()))
        .hasMessageContaining("streams: 'http://a/x.m3u8' from " + file + " is not a YAML mapping");
  }

  @Test
  void listsFromEachSource() throws Exception {
    Path file = yaml("members: [10.0.0.1:5701, 10.0.0.2:5701]\n");
    assertThat(load(Optional.of(file), Map.of(), Map.of()).get(MEMBERS))
        .containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(
            load(Optional.empty(), Map.of("RELAY_ORIGIN_MEMBERS", "a:1,b:2"), Map.of())
                .get(MEMBERS))
        .containsExactly("a:1", "b:2");
    assertThat(
            load(Optional.empty(), Map.of(), Map.of("members", List.of("a:1,b:2", "c:3")))
                .get(MEMBERS))
        .containsExactly("a:1", "b:2", "c:3");
  }

  @Test
  void scalarKeyGivenAMappingIsReported() throws Exception {
    Path file = yaml("port:\n  value: 80\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of(), Map.of()))
        .hasMessageContaining("port: '{\"value\":80}' from " + file)
        .hasMessageContaining("is a YAML mapping, not a single value");
  }

  @Test
  void urlsMustBeHttp() {
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("RELAY_ORIGIN_UPSTREAM", "ftp://x/y"), Map.of()))
        .hasMessageContaining("upstream: 'ftp://x/y' from RELAY_ORIGIN_UPSTREAM is not an http://");
  }

  @Test
  void laterChecksCanStillNameTheSource() {
    ResolvedConfig config = load(Optional.empty(), Map.of("RELAY_ORIGIN_PORT", "1"), Map.of());
    assertThat(config.invalid(PORT, "1", "is reserved").getMessage())
        .isEqualTo("port: '1' from RELAY_ORIGIN_PORT is reserved");
  }

  @Test
  void schemaNamesEnvironmentVariablesByRole() {
    assertThat(SCHEMA.environmentVariable(ADMIN_PORT)).isEqualTo("RELAY_ORIGIN_ADMIN_PORT");
    assertThat(new ConfigSchema("edge", List.of(PORT)).environmentVariable(PORT))
        .isEqualTo("RELAY_EDGE_PORT");
    assertThat(SCHEMA.configFileVariable()).isEqualTo("RELAY_ORIGIN_CONFIG");
    assertThat(MAX_BYTES.defaultText()).isEqualTo("256m");
    assertThat(POLL.defaultText()).isEqualTo("(none)");
  }
}
