package dev.segmentrelay.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Working folders of integration tests. Each IT class works under {@code target/it-work/{class}} of
 * its module (wiped when the test starts, kept afterwards), so the transcoders' files and every
 * peer's stderr are there to read when a test fails.
 */
public final class ItWorkDirs {
  private ItWorkDirs() {}

  public static Path freshDirectory(Class<?> test) {
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
  public static void awaitFile(Path file, FfmpegLive transcoder) {
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
}
