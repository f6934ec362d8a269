package dev.segmentrelay.edge;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Working folders and test bodies of the edge ITs. Each IT class works under {@code
 * target/it-work/{class}} (wiped when the test starts, kept afterwards), so the transcoders' files
 * and every peer's stderr are there to read when a test fails.
 */
final class ItWork {
  private ItWork() {}

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

  /** {@code n} reproducible pseudo-random bytes (a stand-in segment body). */
  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
