package dev.segmentrelay.dist.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.config.ConfigLoader;
import dev.segmentrelay.common.config.ConfigSource;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.edge.EdgeConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/config/edge.example.yaml} in step with the code. The file leaves the upstreams
 * empty and the id unset (it has no default to show), so the test supplies them the way an operator
 * would: an {@code --upstream} flag and the machine's host name.
 */
class EdgeExampleConfigTest {
  private static final URI UPSTREAM = URI.create("http://origin:8080");
  private static final String HOST_NAME = "edge-host";

  static Path exampleFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs/config/edge.example.yaml");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/config/edge.example.yaml not found above the module");
  }

  private static ResolvedConfig loadExample(Map<String, List<String>> flags) {
    return new ConfigLoader(EdgeSettings.SCHEMA).load(Optional.of(exampleFile()), Map.of(), flags);
  }

  @Test
  void exampleFileYieldsExactlyTheDefaults() {
    ResolvedConfig resolved =
        loadExample(Map.of(EdgeSettings.UPSTREAMS.key(), List.of(UPSTREAM.toString())));
    assertThat(EdgeSettings.toEdgeConfig(resolved, () -> HOST_NAME))
        .isEqualTo(EdgeConfig.defaults(List.of(UPSTREAM), HOST_NAME));
    assertThat(ClusterSettings.requested(resolved)).isFalse();
  }

  @Test
  void exampleFileNamesEveryKey() throws Exception {
    List<String> lines = Files.readAllLines(exampleFile());
    for (Setting<?> setting : EdgeSettings.SCHEMA.settings()) {
      assertThat(lines).as(setting.key()).anyMatch(line -> line.startsWith(setting.key() + ":"));
    }
  }

  @Test
  void everyValueSetInTheExampleComesFromTheFile() {
    ResolvedConfig resolved = loadExample(Map.of());
    for (Setting<?> setting : EdgeSettings.SCHEMA.settings()) {
      if (setting.defaultValue().isPresent()) {
        assertThat(resolved.source(setting)).as(setting.key()).isEqualTo(ConfigSource.FILE);
      }
    }
  }
}
