package dev.segmentrelay.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ffmpeg as a live transcoder: a real-time test pattern ({@code testsrc2} + {@code sine}) encoded
 * with x264/AAC into one of the outputs the relay ingests (see {@link Output}).
 *
 * <p>File outputs are written with {@code -hls_flags temp_file} (DASH renames by itself), so a file
 * that exists is complete and a playlist is replaced atomically: {@link StaticHttpServer} can serve
 * the folder while ffmpeg writes it. Segments are kept on disk for {@link #KEPT_EXTRA_SEGMENTS}
 * segments after they leave the playlist, so a test can still compare bytes a little later.
 *
 * <p>ffmpeg's stderr (at {@code warning} level) is appended to {@link #stderrFile()}; {@link
 * #restart()} kills the process as a crash would and starts a new one on the same output, so
 * segment numbers start again at 0 and reuse old names, which is what the origin must survive.
 */
public final class FfmpegLive implements AutoCloseable {
  /** Segments kept on disk after leaving the playlist. */
  public static final int KEPT_EXTRA_SEGMENTS = 12;

  /** What ffmpeg produces. */
  public enum Output {
    /** HLS with MPEG-TS segments: {@code index.m3u8}, {@code seg_N.ts}. */
    HLS_TS,
    /** HLS with fMP4 segments: {@code index.m3u8}, {@code init.mp4}, {@code seg_N.m4s}. */
    HLS_FMP4,
    /**
     * Two renditions (640x360 and 320x180) with a master playlist: {@code master.m3u8}, {@code
     * stream_0/index.m3u8}, {@code stream_1/index.m3u8}, {@code stream_V/seg_N.ts}.
     */
    HLS_ABR,
    /** DASH: {@code index.mpd}, {@code init-streamR.m4s}, {@code chunk-streamR-NNNNN.m4s}. */
    DASH,
    /** HLS TS pushed by HTTP PUT (and DELETE) to a URL ending in the playlist name. */
    HLS_PUT,
    /** FLV over RTMP (for nginx-rtmp), audio at 44.1 kHz. */
    RTMP
  }

  private final Output output;
  private final String target;
  private final Path logDir;
  private final int segmentSeconds;
  private final int listSize;
  private final List<String> headers;
  private final String name;
  private ManagedProcess process;
  private int starts;

  private FfmpegLive(Builder b) {
    this.output = b.output;
    this.target = b.target;
    this.logDir = b.logDir;
    this.segmentSeconds = b.segmentSeconds;
    this.listSize = b.listSize;
    this.headers = List.copyOf(b.headers);
    this.name = b.name;
  }

  /** HLS or DASH files in {@code dir} ({@link Output#HLS_PUT} and {@link Output#RTMP} excluded). */
  public static Builder toDirectory(Output output, Path dir) {
    if (output == Output.HLS_PUT || output == Output.RTMP) {
      throw new IllegalArgumentException(output + " writes to a URL, not a directory");
    }
    return new Builder(output, dir.toAbsolutePath().toString(), dir);
  }

  /**
   * HLS pushed by PUT to {@code playlistUrl} (e.g. {@code
   * http://127.0.0.1:P/ingest/room2/index.m3u8}); segments go beside it as {@code seg_N.ts}.
   */
  public static Builder pushHls(String playlistUrl, Path logDir) {
    return new Builder(Output.HLS_PUT, playlistUrl, logDir);
  }

  /** FLV to an RTMP URL such as {@code rtmp://127.0.0.1:P/live/room1}. */
  public static Builder toRtmp(String rtmpUrl, Path logDir) {
    return new Builder(Output.RTMP, rtmpUrl, logDir);
  }

  /** Options of one transcoder. */
  public static final class Builder {
    private final Output output;
    private final String target;
    private final Path logDir;
    private int segmentSeconds = 2;
    private int listSize = 6;
    private final List<String> headers = new ArrayList<>();
    private String name = "ffmpeg-live";

    private Builder(Output output, String target, Path logDir) {
      this.output = Objects.requireNonNull(output);
      this.target = Objects.requireNonNull(target);
      this.logDir = Objects.requireNonNull(logDir);
    }

    /** Target segment duration in whole seconds (the GOP is made to match); default 2. */
    public Builder segmentSeconds(int seconds) {
      if (seconds < 1) {
        throw new IllegalArgumentException("segment seconds must be at least 1, was " + seconds);
      }
      this.segmentSeconds = seconds;
      return this;
    }

    /** Segments named by each playlist / MPD window; default 6. */
    public Builder listSize(int segments) {
      if (segments < 2) {
        throw new IllegalArgumentException("list size must be at least 2, was " + segments);
      }
      this.listSize = segments;
      return this;
    }

    /**
     * An HTTP header sent with every PUT and DELETE ({@link Output#HLS_PUT}), e.g. {@code
     * "Authorization: Bearer TOKEN"}. ffmpeg's hls muxer passes its {@code -headers} option to
     * every request it makes (playlists, segments, deletes).
     */
    public Builder header(String header) {
      this.headers.add(header);
      return this;
    }

    /** Name used for the log files; default {@code ffmpeg-live}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Starts ffmpeg. */
    public FfmpegLive start() {
      FfmpegLive live = new FfmpegLive(this);
      live.launch();
      return live;
    }
  }

  /** The output directory (file outputs) or the log directory (URL outputs). */
  public Path directory() {
    return logDir;
  }

  /**
   * Relative path of the entry document inside the output: {@code index.m3u8}, {@code master.m3u8}
   * or {@code index.mpd}.
   */
  public String entryPath() {
    return switch (output) {
      case HLS_ABR -> "master.m3u8";
      case DASH -> "index.mpd";
      default -> "index.m3u8";
    };
  }

  public Output output() {
    return output;
  }

  public Path stderrFile() {
    return logDir.resolve(name + ".stderr");
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Number of times ffmpeg was started (1 after start, 2 after one restart…). */
  public int starts() {
    return starts;
  }

  /** The full command line of the current process. */
  public List<String> command() {
    return process.command();
  }

  /** Ends ffmpeg cleanly ({@code q}: it writes its trailer, HLS gets {@code #EXT-X-ENDLIST}). */
  public void stop() {
    if (process == null) {
      return;
    }
    try {
      process.stdin().write('q');
      process.stdin().flush();
    } catch (IOException e) {
      // Already gone.
    }
    if (process.waitFor(5_000).isEmpty()) {
      process.stopGracefully(3_000);
    }
  }

  /** Kills ffmpeg with SIGKILL, as a crashed transcoder: no trailer, no end of list. */
  public void kill() {
    if (process != null) {
      process.kill();
    }
  }

  /** Kills ffmpeg and starts it again with the same output (segment numbers restart at 0). */
  public void restart() {
    kill();
    launch();
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }

  private void launch() {
    List<String> command = command(output, target, segmentSeconds, listSize, headers);
    if (output != Output.HLS_PUT && output != Output.RTMP) {
      try {
        Path dir = Path.of(target);
        Files.createDirectories(dir);
        if (output == Output.HLS_ABR) {
          Files.createDirectories(dir.resolve("stream_0"));
          Files.createDirectories(dir.resolve("stream_1"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    starts++;
    process = ManagedProcess.start(name, command, logDir);
  }

  static List<String> command(
      Output output, String target, int segmentSeconds, int listSize, List<String> headers) {
    int fps = 25;
    String gop = Integer.toString(fps * segmentSeconds);
    List<String> c = new ArrayList<>();
    // No -nostdin: stop() quits ffmpeg cleanly by writing "q" to its stdin.
    c.addAll(List.of("ffmpeg", "-hide_banner", "-nostats", "-loglevel", "warning"));
    c.addAll(
        List.of(
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=" + fps,
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=" + (output == Output.RTMP ? 44100 : 48000)));
    if (output == Output.HLS_ABR) {
      c.addAll(
          List.of(
              "-map", "0:v", "-map", "0:v", "-map", "1:a", "-map", "1:a", "-s:v:0", "640x360",
              "-b:v:0", "800k", "-s:v:1", "320x180", "-b:v:1", "300k"));
    } else {
      c.addAll(List.of("-map", "0:v", "-map", "1:a", "-b:v", "800k"));
    }
    c.addAll(
        List.of(
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-pix_fmt",
            "yuv420p",
            "-g",
            gop,
            "-keyint_min",
            gop,
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-b:a",
            "64k"));
    String hlsFlags = "delete_segments+independent_segments";
    switch (output) {
      case HLS_TS -> {
        c.addAll(hls(segmentSeconds, listSize, hlsFlags + "+temp_file"));
        c.addAll(List.of("-hls_segment_filename", target + "/seg_%d.ts", target + "/index.m3u8"));
      }
      case HLS_FMP4 -> {
        c.addAll(hls(segmentSeconds, listSize, hlsFlags + "+temp_file"));
        c.addAll(
            List.of(
                "-hls_segment_type",
                "fmp4",
                "-hls_fmp4_init_filename",
                "init.mp4",
                "-hls_segment_filename",
                target + "/seg_%d.m4s",
                target + "/index.m3u8"));
      }
      case HLS_ABR -> {
        c.addAll(hls(segmentSeconds, listSize, hlsFlags + "+temp_file"));
        c.addAll(
            List.of(
                "-var_stream_map",
                "v:0,a:0 v:1,a:1",
                "-master_pl_name",
                "master.m3u8",
                "-hls_segment_filename",
                target + "/stream_%v/seg_%d.ts",
                target + "/stream_%v/index.m3u8"));
      }
      case DASH ->
          c.addAll(
              List.of(
                  "-f",
                  "dash",
                  "-seg_duration",
                  Integer.toString(segmentSeconds),
                  "-window_size",
                  Integer.toString(listSize),
                  "-extra_window_size",
                  Integer.toString(KEPT_EXTRA_SEGMENTS),
                  "-use_template",
                  "1",
                  "-use_timeline",
                  "1",
                  "-remove_at_exit",
                  "0",
                  "-adaptation_sets",
                  "id=0,streams=v id=1,streams=a",
                  target + "/index.mpd"));
      case HLS_PUT -> {
        c.addAll(hls(segmentSeconds, listSize, hlsFlags));
        String base = target.substring(0, target.lastIndexOf('/') + 1);
        c.addAll(List.of("-method", "PUT", "-http_persistent", "1"));
        if (!headers.isEmpty()) {
          c.addAll(List.of("-headers", String.join("\r\n", headers) + "\r\n"));
        }
        c.addAll(List.of("-hls_segment_filename", base + "seg_%d.ts", target));
      }
      case RTMP -> c.addAll(List.of("-ar", "44100", "-f", "flv", target));
      default -> throw new IllegalStateException("unknown output " + output);
    }
    return c;
  }

  private static List<String> hls(int segmentSeconds, int listSize, String flags) {
    return List.of(
        "-f",
        "hls",
        "-hls_time",
        Integer.toString(segmentSeconds),
        "-hls_list_size",
        Integer.toString(listSize),
        "-hls_delete_threshold",
        Integer.toString(KEPT_EXTRA_SEGMENTS),
        "-hls_flags",
        flags);
  }

  /** The command line for {@code output} with default options, for logs and documentation. */
  public static String commandLine(Output output, String target) {
    return String.join(" ", command(output, target, 2, 6, List.of()));
  }
}
