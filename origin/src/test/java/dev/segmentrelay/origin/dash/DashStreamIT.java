package dev.segmentrelay.origin.dash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segmentrelay.common.media.dash.AdaptationSet;
import dev.segmentrelay.common.media.dash.DashSegment;
import dev.segmentrelay.common.media.dash.Mpd;
import dev.segmentrelay.common.media.dash.MpdParser;
import dev.segmentrelay.common.media.dash.Period;
import dev.segmentrelay.common.media.dash.Representation;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.origin.LiveDocument;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.ingest.HttpIngestSource;
import dev.segmentrelay.origin.ingest.IngestSource;
import dev.segmentrelay.origin.store.InMemorySegmentStore;
import dev.segmentrelay.origin.store.StoredObject;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ffmpeg DASH encoder behind a local HTTP server, pulled by {@link DashStream}; the
 * republished stream is then read back by ffmpeg as a player and its segments checked by ffprobe.
 */
class DashStreamIT {
  @TempDir Path work;

  private Vertx vertx;
  private Process encoder;
  private Process nginx;
  private DashStream stream;
  private InMemorySegmentStore store;
  private final Map<String, Buffer> bytesByName = new ConcurrentHashMap<>();
  private final List<String> namesReusedWithOtherBytes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    assumeTrue(onPath("ffmpeg") && onPath("ffprobe"), "ffmpeg and ffprobe are needed");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (encoder != null) {
      encoder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    if (nginx != null) {
      nginx.destroy();
      if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
        nginx.destroyForcibly();
      }
    }
    if (stream != null) {
      await(stream.stop());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void republishesALiveFfmpegTimelineStreamAcrossARestart() throws Exception {
    Path out = Files.createDirectories(work.resolve("src"));
    int sourcePort = serveDirectory(out);
    encoder = startEncoder(out, List.of());
    pull(URI.create("http://127.0.0.1:" + sourcePort + "/out.mpd"));
    int originPort = serveOrigin();

    eventually(
        Duration.ofSeconds(20),
        () -> assertThat(publishedSegments("0")).hasSizeGreaterThanOrEqualTo(3));
    assertPlayable(originPort);
    String firstEpoch = stream.status().epoch();

    encoder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    encoder = startEncoder(out, List.of());

    eventually(Duration.ofSeconds(30), () -> assertThat(published().periods()).hasSize(2));
    assertThat(stream.status().epoch()).isNotEqualTo(firstEpoch);
    eventually(
        Duration.ofSeconds(20),
        () -> assertThat(segmentsOf(published().lastPeriod(), "0")).hasSizeGreaterThanOrEqualTo(2));
    Mpd published = published();
    assertThat(published.periods().get(1).start())
        .isGreaterThan(published.periods().get(0).start());
    for (Representation r : representations(published.lastPeriod())) {
      assertDecodable(r, published.segments(r, Clock.systemUTC(), 1).get(0));
    }
    assertThat(namesReusedWithOtherBytes).isEmpty();
    assertPlayable(originPort);
  }

  @Test
  void republishesANumberTemplateStreamAsATimeline() throws Exception {
    Path out = Files.createDirectories(work.resolve("src"));
    int sourcePort = serveDirectory(out);
    encoder = startEncoder(out, List.of("-use_timeline", "0"));
    pull(URI.create("http://127.0.0.1:" + sourcePort + "/out.mpd"));
    int originPort = serveOrigin();

    eventually(
        Duration.ofSeconds(20),
        () -> assertThat(publishedSegments("1")).hasSizeGreaterThanOrEqualTo(3));
    assertThat(stream.document("out.mpd").orElseThrow().body().toString())
        .contains("<SegmentTimeline>");
    assertPlayable(originPort);
    Mpd published = published();
    for (Representation r : representations(published.lastPeriod())) {
      List<DashSegment> segments = published.segments(r, Clock.systemUTC(), 100);
      assertDecodable(r, segments.get(segments.size() - 1));
    }
    assertThat(stream.status().state()).isEqualTo("live");
  }

  @Test
  void republishesAnNginxRtmpStream() throws Exception {
    Path module = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");
    assumeTrue(onPath("nginx") || Files.isExecutable(Path.of("/usr/sbin/nginx")), "nginx needed");
    assumeTrue(Files.exists(module), "libnginx-mod-rtmp needed");
    Path prefix = Files.createDirectories(work.resolve("nginx"));
    Path dash = Files.createDirectories(prefix.resolve("dash"));
    Files.createDirectories(prefix.resolve("logs"));
    int rtmpPort = freePort();
    Files.writeString(
        prefix.resolve("nginx.conf"),
        """
        load_module %s;
        user root;
        daemon off;
        master_process on;
        worker_processes 1;
        pid %s/nginx.pid;
        error_log %s/logs/error.log;
        events { worker_connections 64; }
        rtmp {
          server {
            listen 127.0.0.1:%d;
            application live {
              live on;
              dash on;
              dash_path %s;
              dash_nested on;
              dash_fragment 1s;
              dash_playlist_length 6s;
            }
          }
        }
        """
            .formatted(module, prefix, prefix, rtmpPort, dash));
    String nginxBinary = onPath("nginx") ? "nginx" : "/usr/sbin/nginx";
    nginx =
        new ProcessBuilder(
                nginxBinary, "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
            .start();
    eventually(
        Duration.ofSeconds(10),
        () -> assertThat(Files.exists(prefix.resolve("nginx.pid"))).isTrue());
    encoder =
        new ProcessBuilder(
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x180:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25",
                "-keyint_min",
                "25",
                "-sc_threshold",
                "0",
                "-c:a",
                "aac",
                "-ar",
                "44100",
                "-f",
                "flv",
                "rtmp://127.0.0.1:" + rtmpPort + "/live/room1")
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/ffmpeg.log").toFile())
            .start();
    int sourcePort = serveDirectory(dash.resolve("room1"));
    pull(URI.create("http://127.0.0.1:" + sourcePort + "/index.mpd"));
    int originPort = serveOrigin();

    eventually(
        Duration.ofSeconds(30),
        () ->
            assertThat(publishedSegments("index.mpd", "room1_H264"))
                .hasSizeGreaterThanOrEqualTo(3));
    String tag = stream.status().epoch();
    assertThat(publishedSegments("index.mpd", "room1_H264").get(0).url().getPath())
        .matches("/live/room1/" + tag + "-[0-9]+\\.m4v");
    assertPlayable(originPort, "index.mpd");
    Mpd published = published("index.mpd");
    for (Representation r : representations(published.lastPeriod())) {
      List<DashSegment> segments = published.segments(r, Clock.systemUTC(), 100);
      assertDecodable(r, segments.get(segments.size() - 1));
    }
  }

  // ---- peers -----------------------------------------------------------------------------

  private Process startEncoder(Path dir, List<String> extra) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x180:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25",
                "-keyint_min",
                "25",
                "-sc_threshold",
                "0",
                "-c:a",
                "aac",
                "-f",
                "dash",
                "-seg_duration",
                "1",
                "-window_size",
                "5",
                "-streaming",
                "0"));
    command.addAll(extra);
    command.add("out.mpd");
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("ffmpeg.log").toFile())
        .start();
  }

  private int serveDirectory(Path dir) {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  String name = request.path().substring(1);
                  Path file = dir.resolve(name);
                  if (name.contains("/") || name.endsWith(".tmp") || !Files.isRegularFile(file)) {
                    request.response().setStatusCode(404).end();
                    return;
                  }
                  vertx
                      .fileSystem()
                      .readFile(file.toString())
                      .onComplete(
                          ar -> {
                            if (ar.succeeded()) {
                              request.response().end(ar.result());
                            } else {
                              request.response().setStatusCode(404).end();
                            }
                          });
                });
    return await(server.listen(0, "127.0.0.1")).actualPort();
  }

  private int serveOrigin() {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  String path = request.path().substring("/live/room1/".length());
                  Optional<LiveDocument> document = stream.document(path);
                  if (document.isPresent()) {
                    request
                        .response()
                        .putHeader("content-type", document.get().contentType())
                        .end(document.get().body());
                    return;
                  }
                  Optional<StoredObject> object = store.get("room1", path);
                  if (object.isPresent()) {
                    request.response().end(object.get().body());
                  } else {
                    request.response().setStatusCode(404).end();
                  }
                });
    return await(server.listen(0, "127.0.0.1")).actualPort();
  }

  private void pull(URI mpdUrl) {
    store = new InMemorySegmentStore(10, 64L << 20);
    InProcessRegistry registry = new InProcessRegistry();
    registry.subscribe(
        "room1",
        event -> {
          Buffer body = store.get("room1", event.path()).orElseThrow().body();
          Buffer before = bytesByName.putIfAbsent(event.path(), body);
          if (before != null && !before.equals(body)) {
            namesReusedWithOtherBytes.add(event.path());
          }
        });
    OriginConfig config =
        new OriginConfig(
            "127.0.0.1",
            0,
            0,
            List.of(new OriginConfig.PullStream("room1", mpdUrl)),
            List.of(),
            6,
            10,
            64L << 20,
            64L << 20,
            Duration.ofSeconds(5),
            Duration.ofSeconds(15),
            Optional.empty(),
            Optional.empty());
    IngestSource source = new HttpIngestSource(vertx, 64L << 20, Duration.ofSeconds(5));
    stream =
        new DashStream(
            "room1",
            mpdUrl,
            source,
            store,
            registry,
            registry,
            config,
            vertx,
            Clock.systemUTC(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            Archive.disabled());
    await(stream.start());
  }

  // ---- checks ----------------------------------------------------------------------------

  /** ffmpeg as a player reads two seconds of the republished stream. */
  private void assertPlayable(int originPort) throws Exception {
    assertPlayable(originPort, "out.mpd");
  }

  private void assertPlayable(int originPort, String entry) throws Exception {
    Process player =
        new ProcessBuilder(
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-i",
                "http://127.0.0.1:" + originPort + "/live/room1/" + entry,
                "-t",
                "2",
                "-f",
                "null",
                "-")
            .redirectErrorStream(true)
            .start();
    assertThat(player.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(player.getInputStream().readAllBytes());
    assertThat(player.exitValue()).as(output).isZero();
  }

  /** The init segment and one media segment, as stored, make a file ffprobe reads. */
  private void assertDecodable(Representation r, DashSegment segment) throws Exception {
    String base = "/live/room1/";
    Buffer init =
        store
            .get("room1", r.initializationUrl().orElseThrow().getPath().substring(base.length()))
            .orElseThrow()
            .body();
    Buffer media =
        store.get("room1", segment.url().getPath().substring(base.length())).orElseThrow().body();
    File file = work.resolve("probe-" + r.id() + ".mp4").toFile();
    Files.write(file.toPath(), Buffer.buffer().appendBuffer(init).appendBuffer(media).getBytes());
    Process probe =
        new ProcessBuilder(
                "ffprobe", "-v", "error", "-show_entries", "stream=codec_name", file.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(probe.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String output = new String(probe.getInputStream().readAllBytes());
    assertThat(probe.exitValue()).as(output).isZero();
    assertThat(output).containsAnyOf("h264", "aac");
  }

  private Mpd published() {
    return published("out.mpd");
  }

  private Mpd published(String entry) {
    return MpdParser.parse(
        stream.document(entry).orElseThrow().body().getBytes(),
        URI.create("http://origin.test/live/room1/" + entry));
  }

  private List<DashSegment> publishedSegments(String representationId) {
    return publishedSegments("out.mpd", representationId);
  }

  private List<DashSegment> publishedSegments(String entry, String representationId) {
    Mpd mpd = published(entry);
    List<DashSegment> all = new ArrayList<>();
    for (Period period : mpd.periods()) {
      all.addAll(segmentsOf(period, representationId, mpd));
    }
    return all;
  }

  private List<DashSegment> segmentsOf(Period period, String representationId) {
    return segmentsOf(period, representationId, published());
  }

  private static List<DashSegment> segmentsOf(Period period, String representationId, Mpd mpd) {
    return representations(period).stream()
        .filter(r -> r.id().equals(representationId))
        .flatMap(r -> mpd.segments(r, Clock.systemUTC(), 100).stream())
        .toList();
  }

  private static List<Representation> representations(Period period) {
    return period.adaptationSets().stream()
        .map(AdaptationSet::representations)
        .flatMap(List::stream)
        .toList();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void eventually(Duration timeout, Runnable assertion) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
