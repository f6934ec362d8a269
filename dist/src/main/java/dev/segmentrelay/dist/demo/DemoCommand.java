package dev.segmentrelay.dist.demo;

import dev.segmentrelay.common.config.Units;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.dist.Relay;
import dev.segmentrelay.dist.cli.Blocking;
import dev.segmentrelay.edge.EdgeConfig;
import dev.segmentrelay.edge.EdgeMain;
import dev.segmentrelay.edge.RunningEdge;
import dev.segmentrelay.edge.overflow.OverflowConfig;
import dev.segmentrelay.georouter.GeoRouterMain;
import dev.segmentrelay.georouter.RouterConfig;
import dev.segmentrelay.georouter.RunningRouter;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.OriginMain;
import dev.segmentrelay.origin.RunningOrigin;
import dev.segmentrelay.origin.archive.ArchiveConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code relay demo}: a live source, an origin pulling it, three edges in front of the origin
 * (posing as Frankfurt, Tokyo and Bangkok) and a geo-router with the project's small GeoIP
 * database, all on 127.0.0.1 and sharing one in-process registry, with the URLs to play and how to
 * ask the router as a viewer from each region. The source is an ffmpeg test pattern when ffmpeg is
 * installed, else the committed clip looped live ({@link LoopingClipSource}), so the demo needs
 * nothing but a JDK. Everything it started (the edges, the origin, the source server, the ffmpeg
 * child, its temp directory) is stopped by a shutdown hook.
 */
@Command(
    name = "demo",
    sortOptions = false,
    description = {
      "Runs a live source, an origin pulling it, three edges (Frankfurt, Tokyo, Bangkok) in"
          + " front of the origin and a geo-router on 127.0.0.1, and prints how to play the"
          + " stream as a viewer from each region. Ctrl-C stops everything."
    })
public final class DemoCommand implements Callable<Integer> {
  /** The demo stream's name: {@code /live/demo/index.m3u8}. */
  public static final String STREAM = "demo";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FIRST_PLAYLIST_TIMEOUT = Duration.ofSeconds(30);

  /** Each demo edge's memory cache: the demo stream needs a few megabytes a minute. */
  private static final long EDGE_CACHE_SIZE = 64L << 20;

  /** The edges the demo runs, in front of the origin, on the ports after the origin's. */
  static final List<DemoEdge> EDGES =
      List.of(
          new DemoEdge("edge-fra", "fra", "Frankfurt", "DE", 50.1109, 8.6821, "192.0.2.10"),
          new DemoEdge("edge-tyo", "tyo", "Tokyo", "JP", 35.6762, 139.6503, "198.51.100.10"),
          new DemoEdge("edge-bkk", "bkk", "Bangkok", "TH", 13.7563, 100.5018, "203.0.113.10"));

  /** The demo router's ports, tried first. */
  static final int ROUTER_PORT = 8088;

  static final int ROUTER_ADMIN_PORT = 9088;

  /** The GeoIP database made by the project for the demo (infra/geoip). */
  static final String DEMO_GEOIP = "demo-geoip.mmdb";

  /**
   * One demo edge: its id, site, city, country, position, and an address the demo GeoIP database
   * places in that city (documentation ranges, see infra/geoip/README.md).
   */
  record DemoEdge(
      String id,
      String site,
      String city,
      String country,
      double latitude,
      double longitude,
      String viewerAddress) {}

  /** A started demo edge and its viewers' playlist URL. */
  private record StartedEdge(DemoEdge edge, RunningEdge running, URI playlist) {}

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  @Option(
      names = "--source",
      paramLabel = "auto|ffmpeg|clip",
      description =
          "Live source: ffmpeg (test pattern from an ffmpeg child process), clip (the built-in"
              + " clip looped live) or auto (ffmpeg if it is on PATH, else clip)."
              + " Default: ${DEFAULT-VALUE}.")
  private String source = "auto";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "Origin port on 127.0.0.1, the edges on the next ports; a free one is used where one"
              + " is taken (0: always free ones). Default: ${DEFAULT-VALUE}.")
  private int port = 8080;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description =
          "Origin management port on 127.0.0.1, the edges' on the next ports; a free one is used"
              + " where one is taken (0: always free ones). Default: ${DEFAULT-VALUE}.")
  private int adminPort = 9090;

  /** Everything started so far, closed in reverse order by {@link #stopAll()}. */
  private final List<AutoCloseable> started = new ArrayList<>();

  private boolean stopping;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String kind = source.toLowerCase(Locale.ROOT);
    if (!List.of("auto", "ffmpeg", "clip").contains(kind)) {
      throw new ParameterException(
          spec.commandLine(), "--source: '" + source + "' is not one of auto, ffmpeg, clip");
    }
    requirePort("--port", port);
    requirePort("--admin-port", adminPort);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "relay-demo-shutdown"));
    CountDownLatch forever = new CountDownLatch(1);
    try {
      Vertx vertx = Vertx.vertx();
      track(() -> Blocking.await(vertx.close(), STOP_TIMEOUT));
      StartedSource live = startSource(kind, vertx, out, err);
      Optional<DemoS3> s3 =
          DemoS3.start(port == 0 ? 0 : portOrFree(DemoS3.PREFERRED_PORT, out), out, err);
      s3.ifPresent(this::track);
      int originPort = portOrFree(port, out);
      int managementPort = portOrFree(adminPort, out);
      OriginConfig config =
          new OriginConfig(
              "127.0.0.1",
              originPort,
              managementPort,
              List.of(new OriginConfig.PullStream(STREAM, live.server().playlistUrl())),
              List.of(),
              OriginConfig.DEFAULT_PLAYLIST_WINDOW,
              OriginConfig.DEFAULT_STORE_MAX_SEGMENTS,
              OriginConfig.DEFAULT_STORE_MAX_BYTES,
              OriginConfig.DEFAULT_MAX_OBJECT_BYTES,
              OriginConfig.DEFAULT_FETCH_TIMEOUT,
              OriginConfig.DEFAULT_STALLED_AFTER,
              Optional.empty(),
              s3.map(store -> ArchiveConfig.of(store.settings(), false)));
      InProcessRegistry registry = new InProcessRegistry();
      track(registry);
      RunningOrigin origin = Blocking.await(OriginMain.start(config, registry), START_TIMEOUT);
      track(() -> Blocking.await(origin.close(), STOP_TIMEOUT));
      URI originUrl = URI.create("http://127.0.0.1:" + origin.port());
      URI playlist = playlistAt(originUrl);
      List<StartedEdge> edges = new ArrayList<>();
      for (int i = 0; i < EDGES.size(); i++) {
        edges.add(startEdge(EDGES.get(i), i + 1, originUrl, registry, s3, out));
      }
      RunningRouter router = startRouter(registry, out);
      out.println("Waiting for the origin to publish the first segments...");
      out.flush();
      boolean published = awaitPlaylist(playlist);
      printInstructions(
          out,
          live.description(),
          live.server().playlistUrl(),
          playlist,
          origin,
          edges,
          router,
          s3);
      if (!published) {
        err.println(
            "relay demo: warning: the origin has not published "
                + playlist
                + " yet; it keeps trying.");
        err.flush();
      }
    } catch (IOException | IllegalStateException e) {
      err.println("relay demo: could not start: " + e.getMessage());
      err.flush();
      stopAll();
      return Relay.EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Relay.EXIT_FAILED;
    }
    try {
      forever.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return CommandLine.ExitCode.OK;
  }

  private record StartedSource(LiveSourceServer server, String description) {}

  private StartedSource startSource(String kind, Vertx vertx, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    Optional<Path> ffmpeg = FfmpegLiveSource.findOnPath();
    if (kind.equals("ffmpeg") && ffmpeg.isEmpty()) {
      throw new IllegalStateException(
          "--source ffmpeg: no ffmpeg on PATH; install it or use --source clip");
    }
    if (!kind.equals("clip") && ffmpeg.isPresent()) {
      out.println("Starting ffmpeg (" + ffmpeg.get() + ") as the live source...");
      out.flush();
      FfmpegLiveSource encoder = FfmpegLiveSource.start(ffmpeg.get());
      track(encoder);
      if (encoder.awaitFirstPlaylist(FIRST_PLAYLIST_TIMEOUT)) {
        LiveSourceServer server =
            Blocking.await(
                LiveSourceServer.serveDirectory(vertx, encoder.hlsDirectory()), START_TIMEOUT);
        track(() -> Blocking.await(server.close(), STOP_TIMEOUT));
        return new StartedSource(server, "ffmpeg test pattern, 640x360 H.264 + AAC, 2 s segments");
      }
      if (kind.equals("ffmpeg")) {
        throw new IllegalStateException("ffmpeg wrote no playlist:\n" + encoder.logTail());
      }
      err.println(
          "relay demo: warning: ffmpeg wrote no playlist, using the built-in clip instead:\n"
              + encoder.logTail());
      err.flush();
    }
    LoopingClipSource clip = LoopingClipSource.fromResources(Clock.systemUTC());
    LiveSourceServer server =
        Blocking.await(LiveSourceServer.serveClip(vertx, clip), START_TIMEOUT);
    track(() -> Blocking.await(server.close(), STOP_TIMEOUT));
    return new StartedSource(server, "built-in 6 s clip looped live, 320x180, 2 s segments");
  }

  /**
   * Starts {@code edge} with the origin as its upstream, on the {@code offset}-th ports after the
   * origin's (free ones where those are taken or the demo runs on free ports).
   */
  private StartedEdge startEdge(
      DemoEdge edge,
      int offset,
      URI originUrl,
      InProcessRegistry registry,
      Optional<DemoS3> s3,
      PrintWriter out) {
    // Each demo site has its own prefix in the one bucket (edges of one site would share one).
    EdgeConfig config =
        new EdgeConfig(
            "127.0.0.1",
            port == 0 ? 0 : portOrFree(port + offset, out),
            adminPort == 0 ? 0 : portOrFree(adminPort + offset, out),
            List.of(originUrl),
            EDGE_CACHE_SIZE,
            edge.id(),
            edge.site(),
            edge.latitude(),
            edge.longitude(),
            edge.country(),
            EdgeConfig.DEFAULT_CAPACITY_MBPS,
            Optional.empty(),
            Optional.empty(),
            EdgeConfig.DEFAULT_CONNECT_TIMEOUT,
            EdgeConfig.DEFAULT_FIRST_BYTE_TIMEOUT,
            EdgeConfig.DEFAULT_IDLE_TIMEOUT,
            EdgeConfig.DEFAULT_STALE_FOR,
            EdgeConfig.DEFAULT_NEGATIVE_TTL,
            EdgeConfig.DEFAULT_MAX_CONNECTIONS,
            EdgeConfig.DEFAULT_CLIENT_IDLE_TIMEOUT,
            s3.map(
                store ->
                    OverflowConfig.defaults(store.settings().withKeyPrefix(edge.site() + "/"))));
    RunningEdge running;
    try {
      running = Blocking.await(EdgeMain.start(config, registry), START_TIMEOUT);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("edge " + edge.id() + ": " + e.getMessage(), e);
    }
    track(() -> Blocking.await(running.close(), STOP_TIMEOUT));
    return new StartedEdge(
        edge, running, playlistAt(URI.create("http://127.0.0.1:" + running.port())));
  }

  /**
   * Starts the router over the shared registry with the demo GeoIP database, trusting {@code
   * X-Forwarded-For} from loopback so that a viewer anywhere can be posed with a header.
   */
  private RunningRouter startRouter(InProcessRegistry registry, PrintWriter out)
      throws IOException {
    Path geoip = Files.createTempFile("relay-demo-geoip", ".mmdb");
    track(() -> Files.deleteIfExists(geoip));
    try (InputStream in = DemoCommand.class.getResourceAsStream(DEMO_GEOIP)) {
      if (in == null) {
        throw new IllegalStateException("the demo GeoIP database is missing from the jar");
      }
      Files.copy(in, geoip, StandardCopyOption.REPLACE_EXISTING);
    }
    RouterConfig defaults = RouterConfig.defaults(0, 0);
    RouterConfig config =
        new RouterConfig(
            "127.0.0.1",
            port == 0 ? 0 : portOrFree(ROUTER_PORT, out),
            adminPort == 0 ? 0 : portOrFree(ROUTER_ADMIN_PORT, out),
            Optional.empty(),
            Optional.empty(),
            Optional.of(geoip),
            defaults.geoipReloadInterval(),
            List.of("127.0.0.0/8", "::1/128"),
            List.of(),
            List.of(),
            defaults.defaultLocation(),
            Optional.empty(),
            defaults.health(),
            defaults.steeringTtl(),
            defaults.steeringPathways(),
            defaults.retryAfter());
    RunningRouter router = Blocking.await(GeoRouterMain.start(config, registry), START_TIMEOUT);
    track(() -> Blocking.await(router.close(), STOP_TIMEOUT));
    return router;
  }

  /** {@code base/live/demo/index.m3u8}. */
  private static URI playlistAt(URI base) {
    return base.resolve("/live/" + STREAM + "/" + LoopingClipSource.PLAYLIST);
  }

  private static void printInstructions(
      PrintWriter out,
      String source,
      URI sourceUrl,
      URI playlist,
      RunningOrigin origin,
      List<StartedEdge> edges,
      RunningRouter router,
      Optional<DemoS3> s3) {
    String admin = "http://127.0.0.1:" + origin.adminPort();
    String storage =
        s3.map(
                store ->
                    String.format(
                        "  S3        %s bucket %s (S3Proxy, data in %s): the origin's archive"
                            + " (DVR %s back on the playlist, replay after the source ends) and"
                            + " the edges' overflow tier (X-Relay-Cache: S3)%n",
                        store.endpoint(),
                        DemoS3.BUCKET,
                        store.dataDir(),
                        Units.formatDuration(ArchiveConfig.DEFAULT_DVR_WINDOW)))
            .orElse("  S3        off (lib/s3proxy.jar not found beside relay.jar)\n");
    StringBuilder edgePlaylists = new StringBuilder();
    StringBuilder edgeHealth = new StringBuilder();
    for (StartedEdge edge : edges) {
      edgePlaylists.append(
          String.format(
              "  %-9s %s (edge in %s)%n", edge.edge().id(), edge.playlist(), edge.edge().city()));
      edgeHealth.append(
          String.format(
              "            http://127.0.0.1:%d/health/ready (%s)%n",
              edge.running().adminPort(), edge.edge().id()));
    }
    URI firstEdge = edges.get(0).playlist();
    String routed =
        "http://127.0.0.1:" + router.port() + "/live/" + STREAM + "/" + LoopingClipSource.PLAYLIST;
    StringBuilder viewers = new StringBuilder();
    for (StartedEdge edge : edges) {
      viewers.append(
          String.format(
              "  curl -s -o /dev/null -w '%%{redirect_url}\\n' -H 'X-Forwarded-For: %s' %s%n"
                  + "      a viewer in %s: redirected to %s%n",
              edge.edge().viewerAddress(), routed, edge.edge().city(), edge.edge().id()));
    }
    String router0 = "http://127.0.0.1:" + router.port();
    out.printf(
        """

        Segment Relay demo is running on 127.0.0.1.
          source    %s
                    %s (what the origin pulls)
          playlist  %s (origin)
        %s  health    %s/health/ready (origin)
        %s  metrics   %s/metrics (origin)
        %s
        Ask the router as a viewer from each region (it trusts X-Forwarded-For from loopback):
        %s  ffmpeg -headers 'X-Forwarded-For: %s' -i %s -f null -
          why that edge:   %s/api/v1/route?ip=%s
          the edge table:  %s/api/v1/edges
          content steering (hls.js, dash.js): %s/steer/%s/%s

        Rehearse with simulated viewers from each region (a player model each):
          relay loadtest --url %s --viewers 200 --duration 1m \\
              --region jp=40,th=30,de=30 --report report.html

        Play it from the origin or from an edge (the same stream, cached):
          ffplay %s
          ffmpeg -i %s -f null -     (a headless player)
          VLC: Media > Open Network Stream..., paste a playlist URL
        How an edge served it (X-Relay-Cache: HIT, MISS, COALESCED, STALE or S3):
          curl -s -D - -o /dev/null %s

        Ctrl-C stops everything.
        """,
        source,
        sourceUrl,
        playlist,
        edgePlaylists,
        admin,
        edgeHealth,
        admin,
        storage,
        viewers,
        edges.get(1).edge().viewerAddress(),
        routed,
        router0,
        edges.get(1).edge().viewerAddress(),
        router0,
        router0,
        STREAM,
        LoopingClipSource.PLAYLIST,
        routed,
        firstEdge,
        firstEdge,
        firstEdge);
    out.flush();
  }

  /** Polls the origin until it serves the playlist (true) or the timeout passes (false). */
  private static boolean awaitPlaylist(URI playlist) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + FIRST_PLAYLIST_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> response =
            client.send(
                HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // Not listening or not publishing yet: ask again shortly.
      }
      Thread.sleep(250);
    }
    return false;
  }

  /** {@code preferred} if it can be bound on 127.0.0.1 now, else 0 (a free port). */
  private static int portOrFree(int preferred, PrintWriter out) {
    if (preferred == 0) {
      return 0;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), preferred));
      return preferred;
    } catch (IOException e) {
      out.println("Port " + preferred + " is taken; using a free port instead.");
      out.flush();
      return 0;
    }
  }

  private void requirePort(String option, int value) {
    if (value < 0 || value > 65535) {
      throw new ParameterException(
          spec.commandLine(), option + ": " + value + " is not in 0-65535");
    }
  }

  /** Remembers {@code resource} for {@link #stopAll()}, or closes it if the demo is stopping. */
  private synchronized void track(AutoCloseable resource) {
    if (stopping) {
      closeQuietly(resource);
    } else {
      started.add(resource);
    }
  }

  private synchronized void stopAll() {
    stopping = true;
    for (int i = started.size() - 1; i >= 0; i--) {
      closeQuietly(started.get(i));
    }
    started.clear();
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      System.err.println("relay demo: unclean stop: " + e.getMessage());
    }
  }
}
