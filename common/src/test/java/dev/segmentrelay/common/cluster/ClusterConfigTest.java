package dev.segmentrelay.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterConfigTest {
  private static ClusterConfig withMembers(String... members) {
    return ClusterConfig.of("127.0.0.1", 5701, List.of(members));
  }

  @Test
  void defaultsBindLoopbackAndDetectAFrozenMemberWithinThreeSeconds() {
    ClusterConfig config = ClusterConfig.of(ClusterConfig.DEFAULT_BIND_HOST, 5701, List.of());
    assertThat(config.bindHost()).isEqualTo("127.0.0.1");
    assertThat(config.clusterName()).isEqualTo("segment-relay");
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.maxNoHeartbeat()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.address()).isEqualTo("127.0.0.1:5701");
  }

  @Test
  void acceptsHostNamesIpv4AndBracketedIpv6Members() {
    ClusterConfig config = withMembers("10.8.0.2:5701", "origin.wg:5702", "[fd00::2]:5701");
    assertThat(config.members())
        .containsExactly("10.8.0.2:5701", "origin.wg:5702", "[fd00::2]:5701");
    assertThat(ClusterConfig.of("::1", 5701, List.of()).address()).isEqualTo("[::1]:5701");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.8.0.2",
        "10.8.0.2:",
        "10.8.0.2:0",
        "10.8.0.2:70000",
        "10.8.0.2:5701-5703",
        "fd00::2:5701",
        "[fd00::2]",
        "[nope]:5701",
        "bad host:5701",
        " 10.8.0.2:5701",
        ""
      })
  void aBadMemberEntryIsNamedWithTheFix(String entry) {
    assertThatThrownBy(() -> withMembers("127.0.0.1:5701", entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("members entry '" + entry + "'")
        .hasMessageContaining("write HOST:PORT");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "::"})
  void refusesToExposeTheRegistryOnEveryInterface(String wildcard) {
    assertThatThrownBy(() -> ClusterConfig.of(wildcard, 5701, List.of()))
        .hasMessageContaining("cluster-bind '" + wildcard + "'")
        .hasMessageContaining("every interface")
        .hasMessageContaining("private interface");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "example.org", "300.1.1.1", ""})
  void bindHostMustBeAnIpAddress(String host) {
    assertThatThrownBy(() -> ClusterConfig.of(host, 5701, List.of()))
        .hasMessageContaining("cluster-bind '" + host + "' is not an IP address");
  }

  @Test
  void portClusterNameAndTimingsAreChecked() {
    assertThatThrownBy(() -> ClusterConfig.of("127.0.0.1", 0, List.of()))
        .hasMessageContaining("cluster-port 0");
    assertThatThrownBy(() -> withMembers().withClusterName("no spaces"))
        .hasMessageContaining("cluster-name 'no spaces'");
    assertThatThrownBy(
            () ->
                new ClusterConfig(
                    "127.0.0.1",
                    5701,
                    List.of(),
                    "x",
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5)))
        .hasMessageContaining("max-no-heartbeat 3s is shorter than two heartbeat intervals");
    assertThatThrownBy(
            () ->
                new ClusterConfig(
                    "127.0.0.1",
                    5701,
                    List.of(),
                    "x",
                    Duration.ofMillis(500),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5)))
        .hasMessageContaining("heartbeat interval 0.5s is not a whole number of seconds");
  }

  @Test
  void hazelcastConfigJoinsOnlyTheListedMembersOnTheBoundInterface() {
    Config config =
        HazelcastRegistry.hazelcastConfig(
            withMembers("127.0.0.1:5702", "127.0.0.1:5703"), "edge", "fra1-a");
    var join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers())
        .containsExactly("127.0.0.1:5702", "127.0.0.1:5703");
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces())
        .containsExactly("127.0.0.1");
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("3");
    assertThat(config.getMemberAttributeConfig().getAttributes())
        .containsEntry("role", "edge")
        .containsEntry("name", "fra1-a");
  }
}
