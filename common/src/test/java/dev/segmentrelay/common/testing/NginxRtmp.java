package dev.segmentrelay.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx with the RTMP module as a transcoder: an RTMP {@code live} application that writes HLS
 * ({@code hls/{stream}/index.m3u8}, {@code N.ts}) and DASH ({@code dash/{stream}/index.mpd}, {@code
 * {time}.m4v|m4a}, {@code init.m4v|m4a}) under its own prefix, plus an HTTP server serving {@code
 * /hls/} and {@code /dash/} from there.
 *
 * <p>Everything lives under the prefix given to {@link #start}: config, pid, logs, temp paths. One
 * worker, {@code daemon off}, so the process this class starts is the master and {@link #close()}
 * ends it and its worker. Run as root, the config says {@code user root;} so the worker can write
 * the output folders; otherwise nginx keeps the current user. Ports are probed free and the start
 * is retried on new ports if nginx cannot bind.
 */
public final class NginxRtmp implements AutoCloseable {
  static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
  private static final int START_ATTEMPTS = 3;

  private final Path prefix;
  private final int rtmpPort;
  private final int httpPort;
  private final ManagedProcess process;

  private NginxRtmp(Path prefix, int rtmpPort, int httpPort, ManagedProcess process) {
    this.prefix = prefix;
    this.rtmpPort = rtmpPort;
    this.httpPort = httpPort;
    this.process = process;
  }

  /** Starts nginx-rtmp with everything under {@code prefix} and waits until both ports accept. */
  public static NginxRtmp start(Path prefix) {
    Path p = prefix.toAbsolutePath();
    AssertionError last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int rtmp = FreePorts.find();
      int http = FreePorts.find();
      ManagedProcess process = null;
      try {
        for (String dir : List.of("logs", "tmp", "hls", "dash")) {
          Files.createDirectories(p.resolve(dir));
        }
        Files.writeString(p.resolve("nginx.conf"), config(p, rtmp, http));
        process =
            ManagedProcess.start(
                "nginx",
                List.of(
                    "nginx",
                    "-p",
                    p + "/",
                    "-c",
                    p.resolve("nginx.conf").toString(),
                    "-e",
                    p.resolve("logs/error.log").toString()),
                p.resolve("logs"));
        ManagedProcess started = process;
        Waits.until(
            "nginx-rtmp to accept on RTMP " + rtmp + " and HTTP " + http,
            Duration.ofSeconds(15),
            () -> {
              if (!started.isAlive()) {
                throw new IllegalStateException(
                    "nginx exited: " + ManagedProcess.tail(p.resolve("logs/error.log"), 10));
              }
              return accepts(rtmp) && accepts(http);
            });
        return new NginxRtmp(p, rtmp, http, process);
      } catch (AssertionError e) {
        last = e;
        if (process != null) {
          process.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw last;
  }

  static String config(Path p, int rtmpPort, int httpPort) {
    boolean root = "root".equals(System.getProperty("user.name"));
    return String.join(
        "\n",
        "load_module " + MODULE + ";",
        root ? "user root;" : "",
        "worker_processes 1;",
        "daemon off;",
        "master_process on;",
        "pid " + p.resolve("nginx.pid") + ";",
        "error_log " + p.resolve("logs/error.log") + " info;",
        "events { worker_connections 256; }",
        "rtmp {",
        "  server {",
        "    listen 127.0.0.1:" + rtmpPort + ";",
        "    chunk_size 4096;",
        "    application live {",
        "      live on;",
        "      record off;",
        "      hls on; hls_nested on; hls_path " + p.resolve("hls") + ";",
        "      hls_fragment 2s; hls_playlist_length 16s;",
        "      dash on; dash_nested on; dash_path " + p.resolve("dash") + ";",
        "      dash_fragment 2s; dash_playlist_length 16s;",
        "    }",
        "  }",
        "}",
        "http {",
        "  access_log " + p.resolve("logs/access.log") + ";",
        "  client_body_temp_path " + p.resolve("tmp/body") + ";",
        "  proxy_temp_path " + p.resolve("tmp/proxy") + ";",
        "  fastcgi_temp_path " + p.resolve("tmp/fastcgi") + ";",
        "  uwsgi_temp_path " + p.resolve("tmp/uwsgi") + ";",
        "  scgi_temp_path " + p.resolve("tmp/scgi") + ";",
        "  types {",
        "    application/vnd.apple.mpegurl m3u8;",
        "    video/mp2t ts;",
        "    application/dash+xml mpd;",
        "    video/mp4 mp4 m4v m4s;",
        "    audio/mp4 m4a;",
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + httpPort + ";",
        "    location /hls/ { root " + p + "; add_header Cache-Control no-cache; }",
        "    location /dash/ { root " + p + "; add_header Cache-Control no-cache; }",
        "  }",
        "}",
        "");
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int rtmpPort() {
    return rtmpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public Path prefix() {
    return prefix;
  }

  /** {@code rtmp://127.0.0.1:PORT/live/{stream}}. */
  public String rtmpUrl(String stream) {
    return "rtmp://127.0.0.1:" + rtmpPort + "/live/" + stream;
  }

  /** {@code http://127.0.0.1:PORT/hls/{stream}/index.m3u8}. */
  public String hlsUrl(String stream) {
    return "http://127.0.0.1:" + httpPort + "/hls/" + stream + "/index.m3u8";
  }

  /** {@code http://127.0.0.1:PORT/dash/{stream}/index.mpd}. */
  public String dashUrl(String stream) {
    return "http://127.0.0.1:" + httpPort + "/dash/" + stream + "/index.mpd";
  }

  /** Where the HLS files of {@code stream} are written. */
  public Path hlsDir(String stream) {
    return prefix.resolve("hls").resolve(stream);
  }

  /** Where the DASH files of {@code stream} are written. */
  public Path dashDir(String stream) {
    return prefix.resolve("dash").resolve(stream);
  }

  /** Starts ffmpeg publishing the test pattern to {@code stream} (logs under the prefix). */
  public FfmpegLive publish(String stream) {
    return FfmpegLive.toRtmp(rtmpUrl(stream), prefix.resolve("logs"))
        .name("ffmpeg-rtmp-" + stream)
        .start();
  }

  public Path errorLog() {
    return prefix.resolve("logs/error.log");
  }

  @Override
  public void close() {
    process.close();
  }
}
