package dev.segmentrelay.dist.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.config.ConfigLoader;
import dev.segmentrelay.common.config.ConfigSource;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.georouter.RouterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keeps {@code docs/config/router.example.yaml} in step with the code. */
class RouterExampleConfigTest {
  static Path exampleFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs/config/router.example.yaml");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/config/router.example.yaml not found above the module");
  }

  private static ResolvedConfig loadExample() {
    return new ConfigLoader(RouterSettings.SCHEMA)
        .load(Optional.of(exampleFile()), Map.of(), Map.of());
  }

  @Test
  void exampleFileYieldsExactlyTheDefaults() {
    ResolvedConfig resolved = loadExample();
    assertThat(RouterSettings.toRouterConfig(resolved))
        .isEqualTo(
            RouterConfig.defaults(RouterConfig.DEFAULT_PORT, RouterConfig.DEFAULT_ADMIN_PORT));
    assertThat(ClusterSettings.requested(resolved)).isFalse();
  }

  @Test
  void exampleFileNamesEveryKey() throws Exception {
    List<String> lines = Files.readAllLines(exampleFile());
    for (Setting<?> setting : RouterSettings.SCHEMA.settings()) {
      assertThat(lines).as(setting.key()).anyMatch(line -> line.startsWith(setting.key() + ":"));
    }
  }

  @Test
  void everyValueSetInTheExampleComesFromTheFile() {
    ResolvedConfig resolved = loadExample();
    for (Setting<?> setting : RouterSettings.SCHEMA.settings()) {
      if (setting.defaultValue().isPresent()) {
        assertThat(resolved.source(setting)).as(setting.key()).isEqualTo(ConfigSource.FILE);
      }
    }
  }
}
