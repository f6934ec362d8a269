package dev.segmentrelay.edge.registration;

import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.edge.EdgeConfig;
import dev.segmentrelay.edge.cache.EdgeCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's side of the registry, wired together: the viewer counter and the prefetcher (which
 * exist before the edge listens, because the request handler feeds them), then, once the ports are
 * bound, the reporter, a one-second timer that drives reports and prefetch sweeps, and the upstream
 * check that moves the edge from {@code starting} to {@code serving}. Every registry call runs on
 * one daemon thread, {@code edge-registry}, so none ever blocks an event loop.
 *
 * <p>The upstream check is a TCP connect to each upstream in turn (no request, nothing fetched):
 * cheap, and it works for any upstream, ours or not. It is repeated at each tick until one upstream
 * accepts; after that the router's own probes and the upstream pool's circuit breakers take over.
 */
public final class EdgeRegistration {
  private static final Logger log = LoggerFactory.getLogger(EdgeRegistration.class);

  private final Vertx vertx;
  private final Registry registry;
  private final Supplier<String> memberId;
  private final MeterRegistry meters;
  private final Clock clock;
  private final ExecutorService registryThread;
  private final ViewerCounter viewers = new ViewerCounter();
  private final SegmentPrefetcher prefetcher;
  private final ViewerActivity activity;
  private volatile EdgeReporter reporter;
  private NetClient probeClient;
  private List<URI> upstreams = List.of();
  private boolean probing;
  private long timer = -1;

  /**
   * @param memberId this JVM's registry member id (empty in process), asked at each report
   */
  public EdgeRegistration(
      Vertx vertx,
      Registry registry,
      EdgeCache cache,
      Supplier<String> memberId,
      MeterRegistry meters,
      Clock clock) {
    this.vertx = vertx;
    this.registry = registry;
    this.memberId = memberId;
    this.meters = meters;
    this.clock = clock;
    this.registryThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "edge-registry");
              t.setDaemon(true);
              return t;
            });
    Context prefetchLoop = vertx.getOrCreateContext();
    this.prefetcher =
        new SegmentPrefetcher(
            registry.segments(),
            new FillWarmer(cache, prefetchLoop),
            registryThread,
            task -> prefetchLoop.runOnContext(v -> task.run()),
            System::nanoTime,
            SegmentPrefetcher.DEFAULT_MAX_IN_FLIGHT,
            meters);
    this.activity =
        (stream, client) -> {
          viewers.seen(client == null ? null : client.host());
          prefetcher.viewed(stream);
        };
    for (EdgeState s : EdgeState.values()) {
      Gauge.builder("relay_edge_state", this, r -> r.state() == s ? 1 : 0)
          .description("1 for the edge's current registry state (starting, serving, draining)")
          .tag("state", s.wireName())
          .register(meters);
    }
    Gauge.builder("relay_edge_active_viewers", this, r -> r.load().activeViewers())
        .description("distinct viewer addresses seen in the last 30 s, as last reported")
        .register(meters);
  }

  /** The request handler's hook: counts viewers and marks streams for prefetch. */
  public ViewerActivity activity() {
    return activity;
  }

  /**
   * Starts reporting, once the viewer port listens: the first report ({@code starting}) goes out at
   * once, the next ones every {@link EdgeReporter#INTERVAL}.
   */
  public void start(
      EdgeConfig config,
      int port,
      int adminPort,
      EdgeReporter.Counters counters,
      BooleanSupplier draining) {
    EdgeReporter r =
        new EdgeReporter(
            EdgeIdentity.of(config, port, adminPort, clock.instant()),
            registry.edges(),
            counters,
            viewers,
            draining,
            memberId,
            clock,
            registryThread,
            meters);
    String host = URI.create(r.identity().publicUrl()).getHost();
    registryThread.execute(() -> r.addresses(EdgeIdentity.resolve(host)));
    r.listening();
    reporter = r;
    upstreams = config.upstreams();
    probeClient =
        vertx.createNetClient(
            new NetClientOptions()
                .setConnectTimeout((int) Math.max(1, config.connectTimeout().toMillis())));
    timer = vertx.setPeriodic(0, EdgeReporter.INTERVAL.toMillis(), id -> tick());
  }

  /** Reports now (after a state change such as drain), instead of at the next tick. */
  public void stateChanged() {
    EdgeReporter r = reporter;
    if (r != null) {
      r.tick();
    }
  }

  private void tick() {
    EdgeReporter r = reporter;
    if (!r.isUpstreamReachable() && !probing) {
      probing = true;
      probe(0);
    }
    prefetcher.sweep();
    r.tick();
  }

  /** Connects to upstream {@code i}, then the next, until one accepts. */
  private void probe(int i) {
    if (i >= upstreams.size()) {
      probing = false;
      log.warn("no upstream accepts connections yet ({}): the edge stays starting", upstreams);
      return;
    }
    URI u = upstreams.get(i);
    int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    probeClient
        .connect(port, u.getHost())
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                ar.result().close();
                probing = false;
                log.info("upstream {} reachable: edge serving", u);
                reporter.upstreamReachable();
                reporter.tick();
              } else {
                probe(i + 1);
              }
            });
  }

  public EdgeState state() {
    EdgeReporter r = reporter;
    return r == null ? EdgeState.STARTING : r.state();
  }

  /** The load measured at the last tick. */
  public EdgeLoad load() {
    EdgeReporter r = reporter;
    return r == null ? EdgeLoad.IDLE : r.lastLoad();
  }

  /** State and last report, for {@code /admin/status}. */
  public JsonObject status() {
    JsonObject out = new JsonObject().put("state", state().wireName());
    EdgeReporter r = reporter;
    if (r != null) {
      Optional<EdgeRecord> last = r.lastReport();
      out.put("lastReport", last.map(EdgeRegistration::json).orElse(null));
    }
    out.put("prefetchStreams", new JsonArray(prefetcher.streams()))
        .put("prefetchInFlight", prefetcher.inFlight());
    return out;
  }

  static JsonObject json(EdgeRecord r) {
    return new JsonObject()
        .put("id", r.id())
        .put("publicUrl", r.publicUrl())
        .put("addresses", new JsonArray(r.addresses()))
        .put("site", r.site())
        .put("latitude", r.latitude())
        .put("longitude", r.longitude())
        .put("country", r.country())
        .put("capacityMbps", r.capacityMbps())
        .put("capacityViewers", r.capacityViewers())
        .put("state", r.state().wireName())
        .put(
            "load",
            new JsonObject()
                .put("egressMbps", round(r.load().egressMbps()))
                .put("activeViewers", r.load().activeViewers())
                .put("hitRatio", round(r.load().hitRatio())))
        .put("reportedAt", r.reportedAt().toString())
        .put("memberId", r.memberId())
        .put("adminUrl", r.adminUrl());
  }

  private static double round(double v) {
    return Double.parseDouble(String.format(Locale.ROOT, "%.3f", v));
  }

  /**
   * Leaves the registry: stops the timer, removes this edge's entry (routers stop sending viewers
   * now), ends the prefetch subscriptions. Bounded: a registry that does not answer within 5 s is
   * left behind (the entry expires by itself). Does not close the registry.
   */
  public Future<Void> close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    EdgeReporter r = reporter;
    java.util.concurrent.CompletableFuture<Void> removed =
        r == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : r.close();
    java.util.concurrent.CompletableFuture<Void> done =
        removed.thenCompose(v -> prefetcher.close());
    return Future.fromCompletionStage(done)
        .timeout(5, TimeUnit.SECONDS)
        .recover(
            e -> {
              log.warn("leaving the registry took too long ({}); going on", e.toString());
              return Future.succeededFuture();
            })
        .compose(
            v -> {
              registryThread.shutdown();
              return probeClient == null ? Future.succeededFuture() : probeClient.close();
            });
  }
}
