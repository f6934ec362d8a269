package dev.segmentrelay.dist.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.config.ConfigLoader;
import dev.segmentrelay.common.config.ConfigSource;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.origin.OriginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keeps {@code docs/config/origin.example.yaml} in step with the code. */
class OriginExampleConfigTest {
  static Path exampleFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs/config/origin.example.yaml");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/config/origin.example.yaml not found above the module");
  }

  @Test
  void exampleFileYieldsExactlyTheDefaults() {
    ResolvedConfig resolved =
        new ConfigLoader(OriginSettings.SCHEMA)
            .load(Optional.of(exampleFile()), Map.of(), Map.of());
    assertThat(OriginSettings.toOriginConfig(resolved, Map.of()))
        .isEqualTo(OriginConfig.defaults(List.of(), List.of()));
    assertThat(ClusterSettings.requested(resolved)).isFalse();
  }

  @Test
  void exampleFileNamesEveryKey() throws Exception {
    List<String> lines = Files.readAllLines(exampleFile());
    for (Setting<?> setting : OriginSettings.SCHEMA.settings()) {
      assertThat(lines).as(setting.key()).anyMatch(line -> line.startsWith(setting.key() + ":"));
    }
  }

  @Test
  void everyValueSetInTheExampleComesFromTheFile() {
    ResolvedConfig resolved =
        new ConfigLoader(OriginSettings.SCHEMA)
            .load(Optional.of(exampleFile()), Map.of(), Map.of());
    for (Setting<?> setting : OriginSettings.SCHEMA.settings()) {
      if (setting.defaultValue().isPresent()) {
        assertThat(resolved.source(setting)).as(setting.key()).isEqualTo(ConfigSource.FILE);
      }
    }
  }
}
