package dev.segmentrelay.dist.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segmentrelay.common.testing.FakeLiveSource;
import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FreePorts;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.ManagedProcess;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code relay loadtest} as an organizer runs it, against real {@code relay} processes on loopback:
 * zero stalls from a healthy network fed by ffmpeg, stalls counted from an edge made slower than
 * real time, and a drill that kills an edge under viewers who recover through content steering.
 */
class LoadTestIT {
  private static final Path JAR = Path.of("target", "relay.jar").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> started = new ArrayList<>();
  private final Path work = ItWorkDirs.freshDirectory(LoadTestIT.class);

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private ManagedProcess relay(String name, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:MaxDirectMemorySize=200m",
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    ManagedProcess p = ManagedProcess.start(name, command, work);
    started.add(() -> p.stopGracefully(10_000));
    return p;
  }

  private static void awaitOk(String url) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    Waits.until(
        url + " to answer 200",
        Duration.ofSeconds(60),
        () -> {
          try {
            return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
          } catch (java.io.IOException e) {
            return false;
          }
        });
  }

  /** An origin pulling {@code source} and an edge in front of it; returns the edge's base URL. */
  private String originAndEdge(String source) {
    int originPort = FreePorts.find();
    relay(
        "origin",
        "origin",
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(originPort),
        "--admin-port",
        "0",
        "--stream",
        "room1=" + source);
    int edgePort = FreePorts.find();
    relay(
        "edge",
        "edge",
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(edgePort),
        "--admin-port",
        "0",
        "--upstream",
        "http://127.0.0.1:" + originPort,
        "--cache-size",
        "64m",
        "--id",
        "edge-a");
    String edge = "http://127.0.0.1:" + edgePort;
    awaitOk(edge + "/live/room1/index.m3u8");
    return edge;
  }

  /** Runs {@code relay loadtest} to its end; returns its exit code and the --out JSON. */
  private record Outcome(int exit, JsonNode results, String console) {}

  private Outcome loadtest(long timeoutSeconds, String... args) throws Exception {
    Path out = work.resolve("results-" + System.nanoTime() + ".json");
    List<String> all = new ArrayList<>(List.of("loadtest"));
    all.addAll(List.of(args));
    all.addAll(
        List.of("--out", out.toString(), "--report", out.toString().replace(".json", ".html")));
    ManagedProcess p = relay("loadtest", all.toArray(String[]::new));
    java.util.OptionalInt exit = p.waitFor(TimeUnit.SECONDS.toMillis(timeoutSeconds));
    String console = Files.readString(p.stdoutFile()) + Files.readString(p.stderrFile());
    assertThat(exit).as("loadtest finished:%n%s", console).isPresent();
    assertThat(out).as(console).exists();
    assertThat(Path.of(out.toString().replace(".json", ".html"))).exists();
    return new Outcome(exit.getAsInt(), JSON.readTree(out.toFile()), console);
  }

  @Test
  void twoHundredViewersOfAnFfmpegStreamThroughAnEdgeNeverStall() throws Exception {
    Path hls = Files.createDirectories(work.resolve("hls"));
    FfmpegLive ffmpeg =
        FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, hls).segmentSeconds(1).start();
    started.add(ffmpeg);
    ItWorkDirs.awaitFile(hls.resolve("index.m3u8"), ffmpeg);
    StaticHttpServer source = StaticHttpServer.start(hls);
    started.add(source);
    String edge = originAndEdge(source.url("index.m3u8"));

    Outcome o =
        loadtest(
            150,
            "--url",
            edge + "/live/room1/index.m3u8",
            "--viewers",
            "200",
            "--ramp",
            "10s",
            "--duration",
            "60s",
            "--slo",
            "stall_ratio<0.01,startup_p95<5s");

    JsonNode r = o.results();
    assertThat(o.exit()).as(o.console()).isZero();
    assertThat(r.get("viewers").asInt()).isEqualTo(200);
    assertThat(r.get("stalls").asLong()).as(o.console()).isZero();
    assertThat(r.get("errors").asLong()).as(o.console()).isZero();
    assertThat(r.get("startup_ms").get("count").asInt()).isEqualTo(200);
    // 200 viewers for about 60 s of 1-s segments each
    assertThat(r.get("segments").asLong()).isGreaterThan(200L * 50);
    assertThat(r.get("slo").get("passed").asBoolean()).isTrue();
  }

  @Test
  void viewersOfAnEdgeSlowerThanRealTimeStallAndEveryStallIsCounted() throws Exception {
    FakeLiveSource source = FakeLiveSource.start(1, Duration.ofSeconds(1), 40_000, 6);
    started.add(source);
    String edge = originAndEdge(source.mediaPlaylistUrl(0));
    // Each segment takes 1.5 s to reach the viewer: 1 s of media per 1.5 s of download.
    SlowProxy slow = SlowProxy.start(edge, 1500);
    started.add(slow);

    Outcome o =
        loadtest(
            90,
            "--url",
            slow.url() + "/live/room1/index.m3u8",
            "--viewers",
            "20",
            "--ramp",
            "2s",
            "--duration",
            "30s",
            "--slo",
            "stall_ratio<0.01");

    JsonNode r = o.results();
    assertThat(o.exit()).as("the SLO fails: %s", o.console()).isEqualTo(1);
    assertThat(r.get("slo").get("passed").asBoolean()).isFalse();
    // Every viewer stalls, more than once, and a third of the time is spent stalled.
    assertThat(r.get("stalls").asLong()).as(o.console()).isGreaterThanOrEqualTo(40);
    assertThat(r.get("rebuffer_ratio").asDouble()).isBetween(0.2, 0.5);
    // The stall durations add up to the stalled time the players measured.
    double stalledFromDurations = r.get("stall_ms").get("total").asDouble() / 1000;
    double stalledSeconds = r.get("stalled_s").asDouble();
    assertThat(stalledFromDurations)
        .isCloseTo(stalledSeconds, org.assertj.core.data.Percentage.withPercentage(25));
    assertThat(r.get("errors").asLong()).isZero();
  }

  @Test
  void aDrillThatKillsAnEdgeReportsEachAffectedViewersRecovery() throws Exception {
    Path hls = Files.createDirectories(work.resolve("hls"));
    FfmpegLive ffmpeg =
        FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, hls).segmentSeconds(1).start();
    started.add(ffmpeg);
    ItWorkDirs.awaitFile(hls.resolve("index.m3u8"), ffmpeg);
    StaticHttpServer source = StaticHttpServer.start(hls);
    started.add(source);
    List<String> names = List.of("origin", "router", "edge-fra", "edge-tyo");
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      clusterPorts.add(FreePorts.find());
    }
    String members = String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    int originPort = FreePorts.find();
    relay(
        "origin",
        "origin",
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(originPort),
        "--admin-port",
        "0",
        "--stream",
        "room1=" + source.url("index.m3u8"),
        "--cluster-port",
        clusterPorts.get(0).toString(),
        "--members",
        members);
    int routerPort = FreePorts.find();
    relay(
        "router",
        "router",
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(routerPort),
        "--admin-port",
        "0",
        "--trusted-proxy",
        "127.0.0.1/32",
        "--geoip",
        Path.of("src/main/resources/dev/segmentrelay/dist/demo/demo-geoip.mmdb")
            .toAbsolutePath()
            .toString(),
        "--cluster-port",
        clusterPorts.get(1).toString(),
        "--members",
        members);
    String[][] edges = {
      {"edge-fra", "fra", "50.11", "8.68"}, {"edge-tyo", "tyo", "35.68", "139.69"}
    };
    for (int i = 0; i < edges.length; i++) {
      ManagedProcess edge =
          relay(
              edges[i][0],
              "edge",
              "--bind",
              "127.0.0.1",
              "--port",
              Integer.toString(FreePorts.find()),
              "--admin-port",
              "0",
              "--upstream",
              "http://127.0.0.1:" + originPort,
              "--cache-size",
              "64m",
              "--id",
              edges[i][0],
              "--site",
              edges[i][1],
              "--lat",
              edges[i][2],
              "--lon",
              edges[i][3],
              "--cluster-port",
              clusterPorts.get(2 + i).toString(),
              "--members",
              members);
      Files.writeString(work.resolve(edges[i][0] + ".pid"), Long.toString(edge.pid()));
    }
    String router = "http://127.0.0.1:" + routerPort;
    Waits.until(
        "the router to route to both edges",
        Duration.ofSeconds(90),
        () -> {
          try {
            String table =
                java.net.http.HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(URI.create(router + "/api/v1/edges")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body();
            return JSON.readTree(table).get("routable").asInt() == 2;
          } catch (java.io.IOException e) {
            return false;
          }
        });
    awaitOk(router + "/steer/room1/index.m3u8");

    Outcome o =
        loadtest(
            120,
            "--url",
            router + "/steer/room1/index.m3u8",
            "--viewers",
            "20",
            "--region",
            "jp=100",
            "--ramp",
            "2s",
            "--duration",
            "30s",
            "--drill",
            "at=15s,kill=edge-tyo",
            "--drill-command",
            "kill -9 $(cat " + work + "/{edge}.pid)");

    JsonNode r = o.results();
    assertThat(o.exit()).as(o.console()).isZero();
    JsonNode drill = r.get("drills").get(0);
    // Tokyo viewers were on the Tokyo edge: all of them lost it, and all moved on.
    assertThat(drill.get("affected").asInt()).as(o.console()).isEqualTo(20);
    assertThat(drill.get("recovered").asInt()).isEqualTo(20);
    assertThat(drill.get("recovery_ms").get("count").asInt()).isEqualTo(20);
    assertThat(r.get("edges").has("edge-fra")).isTrue();
    assertThat(r.get("edge_moves").asLong()).isGreaterThanOrEqualTo(20);
  }

  /** Forwards GETs to an upstream and delays every segment answer. */
  private static final class SlowProxy implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;

    private SlowProxy(Vertx vertx, HttpServer server) {
      this.vertx = vertx;
      this.server = server;
    }

    static SlowProxy start(String upstream, long segmentDelayMillis) {
      Vertx vertx = Vertx.vertx();
      HttpClient client = vertx.createHttpClient();
      URI base = URI.create(upstream);
      HttpServer server =
          vertx
              .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
              .requestHandler(
                  req ->
                      client
                          .request(HttpMethod.GET, base.getPort(), base.getHost(), req.uri())
                          .compose(r -> r.send())
                          .compose(resp -> resp.body().map(b -> new Object[] {resp, b}))
                          .onComplete(
                              ar -> {
                                if (ar.failed()) {
                                  req.response().setStatusCode(502).end();
                                  return;
                                }
                                var resp = (io.vertx.core.http.HttpClientResponse) ar.result()[0];
                                Buffer body = (Buffer) ar.result()[1];
                                Runnable answer =
                                    () -> {
                                      req.response().setStatusCode(resp.statusCode());
                                      String type = resp.getHeader("Content-Type");
                                      if (type != null) {
                                        req.response().putHeader("Content-Type", type);
                                      }
                                      req.response().end(body);
                                    };
                                if (req.path().endsWith(".ts")) {
                                  vertx.setTimer(segmentDelayMillis, t -> answer.run());
                                } else {
                                  answer.run();
                                }
                              }));
      Waits.await("slow proxy to listen", Duration.ofSeconds(10), server.listen());
      return new SlowProxy(vertx, server);
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public void close() {
      Waits.await("slow proxy to stop", Duration.ofSeconds(10), vertx.close());
    }
  }
}
