package dev.segmentrelay.origin;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;

/**
 * Working folders and shared assertions of the origin ITs. Each IT class works under {@code
 * target/it-work/{class}} (wiped when the test starts, kept afterwards), so the transcoders' files
 * and every peer's stderr are there to read when a test fails.
 */
final class ItFiles {
  private ItFiles() {}

  static Path freshDirectory(Class<?> test) {
    Path dir = Path.of("target", "it-work", test.getSimpleName()).toAbsolutePath();
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits (bounded) for a transcoder's first output file, failing early if it died. */
  static void awaitFile(Path file, FfmpegLive transcoder) {
    Waits.until(
        file + " from " + transcoder.output(),
        Duration.ofSeconds(30),
        () -> {
          if (!transcoder.isAlive()) {
            throw new IllegalStateException(
                "ffmpeg exited; see " + transcoder.stderrFile() + ": " + transcoder.command());
          }
          return Files.exists(file);
        });
  }

  /**
   * Asserts that at least {@code min} distinct published objects whose source lies in {@code
   * sourceDir} were compared, and that every one was identical.
   */
  static void assertIdentical(
      SoftAssertions soft, List<OriginHarness.Comparison> compared, Path sourceDir, int min) {
    List<OriginHarness.Comparison> mine =
        compared.stream()
            .filter(c -> c.source().getParent().equals(sourceDir.normalize()))
            .toList();
    soft.assertThat(mine.stream().map(OriginHarness.Comparison::published).distinct().count())
        .as("distinct published objects compared with %s", sourceDir)
        .isGreaterThanOrEqualTo(min);
    soft.assertThat(mine.stream().filter(c -> !c.identical()).toList())
        .as("published objects whose bytes differ from the transcoder's in %s", sourceDir)
        .isEmpty();
  }
}
