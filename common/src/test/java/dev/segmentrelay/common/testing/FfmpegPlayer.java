package dev.segmentrelay.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ffmpeg as a viewer: {@code ffmpeg -v error -re -i URL -t SECONDS -f null -} demuxes and decodes
 * every frame of a live HLS or DASH stream at real-time pace, as a player would, and prints only
 * errors. A clean run exits 0 with no stderr lines.
 *
 * <p>{@code -re} makes {@code seconds} of media take about as long on the wall clock, so a player
 * started before a transcoder restart is still playing across it.
 */
public final class FfmpegPlayer {
  private static final AtomicInteger RUNS = new AtomicInteger();

  private FfmpegPlayer() {}

  /**
   * What the player reported.
   *
   * @param exitCode ffmpeg's exit code (-1 if it had to be killed)
   * @param errorLines every stderr line (at {@code -v error} these are demux and decode errors)
   * @param timedOut true if it was still running at the wall-clock bound and was killed
   * @param stderr the file holding stderr
   */
  public record Result(int exitCode, List<String> errorLines, boolean timedOut, Path stderr) {
    /** Exit code 0, not timed out, no error line. */
    public boolean clean() {
      return exitCode == 0 && !timedOut && errorLines.isEmpty();
    }

    @Override
    public String toString() {
      return "exit "
          + exitCode
          + (timedOut ? " (timed out)" : "")
          + ", "
          + errorLines.size()
          + " error lines"
          + (errorLines.isEmpty()
              ? ""
              : ": " + String.join(" | ", errorLines.subList(0, Math.min(10, errorLines.size()))));
    }
  }

  /** A player running in the background. */
  public static final class Playing implements AutoCloseable {
    private final ManagedProcess process;
    private final long wallBoundMillis;
    private final long startedNanos = System.nanoTime();

    private Playing(ManagedProcess process, long wallBoundMillis) {
      this.process = process;
      this.wallBoundMillis = wallBoundMillis;
    }

    /** Waits for the player to finish (bounded), then reports. */
    public Result await() {
      long elapsed = (System.nanoTime() - startedNanos) / 1_000_000;
      var exit = process.waitFor(Math.max(1, wallBoundMillis - elapsed));
      if (exit.isEmpty()) {
        process.kill();
      }
      List<String> lines;
      try {
        lines =
            Files.readAllLines(process.stderrFile(), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("=== "))
                .toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Result(exit.orElse(-1), lines, exit.isEmpty(), process.stderrFile());
    }

    @Override
    public void close() {
      process.close();
    }
  }

  /** Plays {@code seconds} of {@code url} and waits for the result. */
  public static Result play(String url, int seconds, Path logDir) {
    try (Playing playing = start(url, seconds, logDir)) {
      return playing.await();
    }
  }

  /**
   * Decodes a whole file ({@code ffmpeg -v error -i FILE -f null -}), e.g. an init segment with its
   * media segments appended, and waits for the result (at most two minutes).
   */
  public static Result decodeFile(Path file, Path logDir) {
    List<String> command =
        List.of(
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-nostdin",
            "-v",
            "error",
            "-i",
            file.toString(),
            "-f",
            "null",
            "-");
    try (Playing playing =
        new Playing(
            ManagedProcess.start("ffmpeg-decode-" + RUNS.incrementAndGet(), command, logDir),
            120_000L)) {
      return playing.await();
    }
  }

  /**
   * Starts playing {@code seconds} of {@code url} in the background. The wall-clock bound is twice
   * the media time plus a minute; past it the player is killed and reported as timed out.
   */
  public static Playing start(String url, int seconds, Path logDir) {
    List<String> command =
        List.of(
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-nostdin",
            "-v",
            "error",
            "-re",
            "-i",
            url,
            "-t",
            Integer.toString(seconds),
            "-f",
            "null",
            "-");
    ManagedProcess process =
        ManagedProcess.start("ffmpeg-player-" + RUNS.incrementAndGet(), command, logDir);
    return new Playing(process, seconds * 2_000L + 60_000L);
  }
}
