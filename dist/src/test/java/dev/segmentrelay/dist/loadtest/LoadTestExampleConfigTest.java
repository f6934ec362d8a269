package dev.segmentrelay.dist.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.config.ConfigLoader;
import dev.segmentrelay.common.config.ConfigSource;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keeps {@code docs/config/loadtest.example.yaml} in step with the code. */
class LoadTestExampleConfigTest {
  static Path exampleFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs/config/loadtest.example.yaml");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/config/loadtest.example.yaml not found above the module");
  }

  private static final String URL = "http://127.0.0.1:8088/live/room1/master.m3u8";

  private static ResolvedConfig load(Optional<Path> file) {
    return new ConfigLoader(LoadTestSettings.SCHEMA)
        .load(file, Map.of(), Map.of("url", List.of(URL)));
  }

  @Test
  void exampleFileYieldsExactlyTheDefaults() {
    assertThat(LoadTestSettings.toLoadTestConfig(load(Optional.of(exampleFile()))))
        .usingRecursiveComparison()
        .isEqualTo(LoadTestSettings.toLoadTestConfig(load(Optional.empty())));
  }

  @Test
  void exampleFileNamesEveryKey() throws Exception {
    List<String> lines = Files.readAllLines(exampleFile());
    for (Setting<?> setting : LoadTestSettings.SCHEMA.settings()) {
      assertThat(lines).as(setting.key()).anyMatch(line -> line.startsWith(setting.key() + ":"));
    }
  }

  @Test
  void everyValueSetInTheExampleComesFromTheFile() {
    ResolvedConfig resolved = load(Optional.of(exampleFile()));
    for (Setting<?> setting : LoadTestSettings.SCHEMA.settings()) {
      if (setting.defaultValue().isPresent()) {
        assertThat(resolved.source(setting)).as(setting.key()).isEqualTo(ConfigSource.FILE);
      }
    }
  }
}
