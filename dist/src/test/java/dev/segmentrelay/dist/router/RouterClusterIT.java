package dev.segmentrelay.dist.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FreePorts;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.ManagedProcess;
import dev.segmentrelay.common.testing.StaticHttpServer;
import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A whole network as separate processes, each a {@code java -jar relay.jar} Hazelcast member on
 * loopback: an origin pulling ffmpeg's live HLS, two routers and three edges posing as Frankfurt,
 * Tokyo and Bangkok (each on its own loopback address, so DNS answers tell them apart). Viewers are
 * placed by the project's demo GeoIP database through a trusted {@code X-Forwarded-For}.
 *
 * <p>The failure tests measure, from the moment an edge is killed ({@code kill -9}) or frozen
 * ({@code SIGSTOP}), until the last request that was still sent to it, and require at most 3 s, the
 * issue's bound; then the edge recovers and gets viewers again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterClusterIT {
  private static final Path JAR = Path.of("target", "relay.jar").toAbsolutePath();
  private static final Path GEOIP =
      Path.of("src/main/resources/dev/segmentrelay/dist/demo/demo-geoip.mmdb").toAbsolutePath();
  private static final String TOKYO_VIEWER = "198.51.100.7";
  private static final String BANGKOK_VIEWER = "203.0.113.9";
  private static final String FRANKFURT_VIEWER = "192.0.2.1";
  private static final Duration DEATH_BOUND = Duration.ofSeconds(3);

  /** One demo edge: id, site, loopback address, position. */
  private record Site(String id, String site, String address, double lat, double lon) {}

  private static final List<Site> SITES =
      List.of(
          new Site("edge-fra", "fra", "127.0.0.11", 50.11, 8.68),
          new Site("edge-tyo", "tyo", "127.0.0.12", 35.68, 139.69),
          new Site("edge-bkk", "bkk", "127.0.0.13", 13.75, 100.50));

  private static Path work;
  private static FfmpegLive ffmpeg;
  private static StaticHttpServer source;
  private static final List<String> members = new ArrayList<>();
  private static final Map<String, Integer> clusterPorts = new LinkedHashMap<>();
  private static final Map<String, ManagedProcess> processes = new LinkedHashMap<>();
  private static final Map<String, Integer> edgePorts = new LinkedHashMap<>();
  private static int routerPort;
  private static int router2Port;
  private static int dnsPort;
  private static final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @BeforeAll
  static void startNetwork() throws Exception {
    work = ItWorkDirs.freshDirectory(RouterClusterIT.class);
    assertThat(JAR).exists();
    assertThat(GEOIP).exists();
    Path hls = Files.createDirectories(work.resolve("hls"));
    ffmpeg = FfmpegLive.toDirectory(FfmpegLive.Output.HLS_TS, hls).segmentSeconds(1).start();
    ItWorkDirs.awaitFile(hls.resolve("index.m3u8"), ffmpeg);
    source = StaticHttpServer.start(hls);

    for (String name : List.of("origin", "router", "router2", "edge-fra", "edge-tyo", "edge-bkk")) {
      int port = FreePorts.find();
      clusterPorts.put(name, port);
      members.add("127.0.0.1:" + port);
    }
    int originPort = FreePorts.find();
    start(
        "origin",
        "origin",
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(originPort),
        "--admin-port",
        "0",
        "--stream",
        "room1=" + source.url("index.m3u8"));
    routerPort = FreePorts.find();
    dnsPort = FreePorts.find();
    startRouter(
        "router",
        routerPort,
        List.of("--dns-port", Integer.toString(dnsPort), "--dns-name", "live.relay.test"));
    router2Port = FreePorts.find();
    startRouter("router2", router2Port, List.of());
    for (Site site : SITES) {
      edgePorts.put(site.id(), FreePorts.find());
      startEdge(site, originPort);
    }
    Waits.until(
        "both routers to route to three edges and know room1",
        Duration.ofSeconds(90),
        () ->
            routable(routerPort) == 3
                && routable(router2Port) == 3
                && redirect(routerPort, FRANKFURT_VIEWER).status == 302);
  }

  @AfterAll
  static void stopNetwork() {
    for (ManagedProcess p : processes.values()) {
      signal("CONT", p.pid());
      p.stopGracefully(10_000);
    }
    if (source != null) {
      source.close();
    }
    if (ffmpeg != null) {
      ffmpeg.close();
    }
  }

  private static void startRouter(String name, int port, List<String> extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "router",
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--admin-port",
                "0",
                "--geoip",
                GEOIP.toString(),
                "--trusted-proxy",
                "127.0.0.1/32"));
    args.addAll(extra);
    start(name, args.toArray(String[]::new));
  }

  private static void startEdge(Site site, int originPort) {
    start(
        site.id(),
        "edge",
        "--bind",
        site.address(),
        "--port",
        Integer.toString(edgePorts.get(site.id())),
        "--admin-port",
        "0",
        "--upstream",
        "http://127.0.0.1:" + originPort,
        "--cache-size",
        "32m",
        "--id",
        site.id(),
        "--site",
        site.site(),
        "--lat",
        Double.toString(site.lat()),
        "--lon",
        Double.toString(site.lon()));
  }

  private static void start(String name, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx160m",
                "-XX:MaxDirectMemorySize=160m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    command.addAll(
        List.of(
            "--cluster-port",
            Integer.toString(clusterPorts.get(name)),
            "--members",
            String.join(",", members)));
    processes.put(name, ManagedProcess.start(name, command, work));
  }

  private record Answer(int status, String edge) {}

  private static Answer redirect(int port, String viewer) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/live/room1/index.m3u8"))
                .header("X-Forwarded-For", viewer)
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.headers().firstValue("X-Relay-Edge").orElse(""));
  }

  private static long routable(int port) throws IOException, InterruptedException {
    return edges(port).getLong("routable");
  }

  private static JsonObject edges(int port) throws IOException, InterruptedException {
    return new JsonObject(
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/edges"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  @Test
  @Order(1)
  void eachViewerLandsOnTheNearestEdgeAndBothRoutersAgree() throws Exception {
    assertThat(redirect(routerPort, TOKYO_VIEWER).edge).isEqualTo("edge-tyo");
    assertThat(redirect(routerPort, BANGKOK_VIEWER).edge).isEqualTo("edge-bkk");
    assertThat(redirect(routerPort, FRANKFURT_VIEWER).edge).isEqualTo("edge-fra");
    assertThat(redirect(router2Port, TOKYO_VIEWER).edge).isEqualTo("edge-tyo");
    JsonArray table = edges(router2Port).getJsonArray("edges");
    assertThat(table.stream().map(o -> ((JsonObject) o).getString("id")))
        .containsExactly("edge-bkk", "edge-fra", "edge-tyo");
  }

  @Test
  @Order(2)
  void aPlayerThatStartsAtTheRouterPlaysFromTheNearestEdge() throws Exception {
    Path log = work.resolve("player.log");
    Process player =
        new ProcessBuilder(
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "verbose",
                "-headers",
                "X-Forwarded-For: " + BANGKOK_VIEWER + "\r\n",
                "-i",
                "http://127.0.0.1:" + routerPort + "/live/room1/index.m3u8",
                "-t",
                "4",
                "-f",
                "null",
                "-")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      assertThat(player.waitFor(60, TimeUnit.SECONDS)).as("player finished").isTrue();
    } finally {
      player.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(player.exitValue()).as(output).isZero();
    // Every segment came from the Bangkok edge's address, none from the others.
    assertThat(output).contains("http://127.0.0.13:" + edgePorts.get("edge-bkk") + "/live/room1/");
    assertThat(output).doesNotContain("http://127.0.0.11:").doesNotContain("http://127.0.0.12:");
    assertThat(output).contains("frame=");
  }

  @Test
  @Order(3)
  void dnsAnswersWithTheNearestEdgeUsingClientSubnet() throws Exception {
    assertThat(dig("+subnet=198.51.100.0/24")).isEqualTo("127.0.0.12");
    assertThat(dig("+subnet=203.0.113.0/24")).isEqualTo("127.0.0.13");
    assertThat(dig("+subnet=192.0.2.0/24")).isEqualTo("127.0.0.11");
  }

  private static String dig(String subnet) throws Exception {
    Process dig =
        new ProcessBuilder(
                "dig",
                "@127.0.0.1",
                "-p",
                Integer.toString(dnsPort),
                "live.relay.test",
                "A",
                subnet,
                "+short",
                "+time=2",
                "+tries=1")
            .redirectErrorStream(true)
            .start();
    assertThat(dig.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new String(dig.getInputStream().readAllBytes()).strip();
  }

  @Test
  @Order(4)
  void aKilledEdgeGetsNoNewViewerWithinThreeSecondsAndComesBackWhenRestarted() throws Exception {
    Duration lastSent = measure("edge-tyo", TOKYO_VIEWER, () -> processes.get("edge-tyo").kill());
    System.out.printf(
        "kill -9 of edge-tyo: last viewer sent to it %d ms after the kill%n", lastSent.toMillis());
    assertThat(lastSent).isLessThanOrEqualTo(DEATH_BOUND);
    assertThat(redirect(routerPort, TOKYO_VIEWER).edge).isNotEqualTo("edge-tyo");

    startEdge(SITES.get(1), portOf("origin"));
    Waits.until(
        "the restarted Tokyo edge to get Tokyo viewers again",
        Duration.ofSeconds(60),
        () -> redirect(routerPort, TOKYO_VIEWER).edge.equals("edge-tyo"));
  }

  @Test
  @Order(5)
  void aFrozenEdgeGetsNoNewViewerWithinThreeSecondsAndComesBackWhenThawed() throws Exception {
    long pid = processes.get("edge-bkk").pid();
    try {
      Duration lastSent = measure("edge-bkk", BANGKOK_VIEWER, () -> signal("STOP", pid));
      System.out.printf(
          "SIGSTOP of edge-bkk: last viewer sent to it %d ms after the freeze%n",
          lastSent.toMillis());
      assertThat(lastSent).isLessThanOrEqualTo(DEATH_BOUND);
    } finally {
      signal("CONT", pid);
    }
    // Usually back within seconds (a merge every 5 s); when the freeze catches the cluster still
    // merging the restarted Tokyo edge, Hazelcast merges twice and a replicated-map merge
    // operation waits out its 60-s call timeout first (seen once in CI): allow for that.
    Waits.until(
        "the thawed Bangkok edge to get Bangkok viewers again",
        Duration.ofSeconds(150),
        () -> redirect(routerPort, BANGKOK_VIEWER).edge.equals("edge-bkk"));
  }

  private static int portOf(String name) {
    String line =
        processes.get(name).command().stream()
            .dropWhile(a -> !a.equals("--port"))
            .skip(1)
            .findFirst()
            .orElseThrow();
    return Integer.parseInt(line);
  }

  /**
   * Asks the router for {@code viewer} every 20 ms, does {@code failure}, and returns the time from
   * the failure to the last request that was still sent to {@code edge} (zero if none was). Gives
   * up after 10 s of asking.
   */
  private static Duration measure(String edge, String viewer, Runnable failure) throws Exception {
    assertThat(redirect(routerPort, viewer).edge).isEqualTo(edge);
    long failedAt = System.nanoTime();
    failure.run();
    long lastToEdge = failedAt;
    long end = failedAt + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      long sentAt = System.nanoTime();
      Answer a = redirect(routerPort, viewer);
      if (a.edge.equals(edge)) {
        lastToEdge = sentAt;
      }
      Thread.sleep(20);
    }
    return Duration.ofNanos(lastToEdge - failedAt);
  }

  private static void signal(String signal, long pid) {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
