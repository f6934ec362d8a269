package dev.segmentrelay.dist.demo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A live test pattern from an ffmpeg child process: 640x360 {@code testsrc2} with a sine tone,
 * H.264 + AAC in 2-second HLS segments, written into a fresh temporary directory that {@link
 * LiveSourceServer#serveDirectory} serves. {@link #close()} destroys the child and deletes the
 * directory; call it from a shutdown hook too, so the encoder never outlives the JVM's orderly
 * exit.
 */
public final class FfmpegLiveSource implements AutoCloseable {
  private final Process process;
  private final Path workDirectory;
  private final Path hlsDirectory;
  private final Path log;

  private FfmpegLiveSource(Process process, Path workDirectory, Path hlsDirectory, Path log) {
    this.process = process;
    this.workDirectory = workDirectory;
    this.hlsDirectory = hlsDirectory;
    this.log = log;
  }

  /** The {@code ffmpeg} executable on {@code PATH}, if there is one. */
  public static Optional<Path> findOnPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, "ffmpeg"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Starts the encoder; the first playlist appears about two seconds later. */
  public static FfmpegLiveSource start(Path ffmpeg) throws IOException {
    Path work = Files.createTempDirectory("relay-demo-");
    Path hls = Files.createDirectory(work.resolve("hls"));
    Path log = work.resolve("ffmpeg.log");
    List<String> command =
        List.of(
            ffmpeg.toString(),
            "-hide_banner",
            "-loglevel",
            "warning",
            "-nostdin",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "50",
            "-keyint_min",
            "50",
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-f",
            "hls",
            "-hls_time",
            "2",
            "-hls_list_size",
            "6",
            "-hls_flags",
            "delete_segments+temp_file",
            "-hls_segment_filename",
            hls.resolve("segment-%d.ts").toString(),
            hls.resolve(LoopingClipSource.PLAYLIST).toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    return new FfmpegLiveSource(process, work, hls, log);
  }

  /** Where ffmpeg writes the playlist and segments. */
  public Path hlsDirectory() {
    return hlsDirectory;
  }

  /**
   * Waits until ffmpeg has written its first playlist.
   *
   * @return false if ffmpeg exited or nothing appeared within {@code timeout}
   */
  public boolean awaitFirstPlaylist(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path playlist = hlsDirectory.resolve(LoopingClipSource.PLAYLIST);
    while (System.nanoTime() < deadline) {
      if (Files.exists(playlist)) {
        return true;
      }
      if (!process.isAlive()) {
        return false;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** The last lines ffmpeg printed, to explain a failure. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no ffmpeg log: " + e.getMessage() + ")";
    }
  }

  /** Stops ffmpeg (forcibly after 5 s) and deletes its directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(workDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(FfmpegLiveSource::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + workDirectory, e);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Left for the OS's temp cleaner; nothing else depends on it.
    }
  }
}
