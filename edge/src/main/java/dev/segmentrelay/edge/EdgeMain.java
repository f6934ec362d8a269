package dev.segmentrelay.edge;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.segmentrelay.common.http.ErrorBody;
import dev.segmentrelay.common.http.ListenPorts;
import dev.segmentrelay.common.management.ManagementServer;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.edge.cache.CacheObserver;
import dev.segmentrelay.edge.cache.CachePolicy;
import dev.segmentrelay.edge.cache.EdgeCache;
import dev.segmentrelay.edge.overflow.OverflowTier;
import dev.segmentrelay.edge.registration.EdgeRegistration;
import dev.segmentrelay.edge.upstream.UpstreamPool;
import dev.segmentrelay.edge.upstream.Upstreams;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root of the edge: Vert.x, metrics, the upstream pool, the memory tier (and the S3
 * overflow tier behind it when {@link EdgeConfig#overflow()} is set), one viewer server per event
 * loop (sharing the port), the management server, and the registration (load reports to the
 * registry, prefetch of announced segments).
 */
public final class EdgeMain {
  private static final Logger log = LoggerFactory.getLogger(EdgeMain.class);

  private EdgeMain() {}

  /**
   * Starts an edge with a registry of its own (inside this JVM; nothing is registered elsewhere);
   * completes once the viewer and management ports listen.
   */
  public static Future<RunningEdge> start(EdgeConfig config) {
    InProcessRegistry own = new InProcessRegistry();
    return start(config, own, () -> "", Optional.of(own));
  }

  /**
   * Starts an edge that reports to {@code registry} (no member id: use the three-argument form in a
   * cluster). The caller keeps ownership of the registry and closes it after the edge.
   */
  public static Future<RunningEdge> start(EdgeConfig config, Registry registry) {
    return start(config, registry, () -> "", Optional.empty());
  }

  /**
   * Starts an edge that registers in {@code registry}: its entry in the {@code edges} map every
   * second (removed on {@link RunningEdge#close}, which does not close the registry), and prefetch
   * of new segments of the streams its viewers watch.
   *
   * @param memberId this JVM's cluster member id for the edge's entry, asked at every report
   */
  public static Future<RunningEdge> start(
      EdgeConfig config, Registry registry, Supplier<String> memberId) {
    return start(config, registry, memberId, Optional.empty());
  }

  private static Future<RunningEdge> start(
      EdgeConfig config,
      Registry registry,
      Supplier<String> memberId,
      Optional<Registry> ownedRegistry) {
    Optional<String> tooBig = cacheDoesNotFit(config.cacheSizeBytes(), maxDirectMemory());
    if (tooBig.isPresent()) {
      ownedRegistry.ifPresent(Registry::close);
      return Future.failedFuture(new IllegalArgumentException(tooBig.get()));
    }
    PrometheusMeterRegistry meters = ManagementServer.newRegistry("edge");
    if (config.overflow().isEmpty()) {
      return start(config, registry, memberId, ownedRegistry, meters, Optional.empty());
    }
    // The S3 tier first: a required tier that is unusable fails the start before any port opens.
    return Future.fromCompletionStage(OverflowTier.open(config.overflow().get(), meters))
        .recover(
            e -> {
              ownedRegistry.ifPresent(Registry::close);
              return Future.failedFuture(e);
            })
        .compose(
            tier ->
                start(config, registry, memberId, ownedRegistry, meters, Optional.of(tier))
                    .onFailure(e -> tier.close()));
  }

  private static Future<RunningEdge> start(
      EdgeConfig config,
      Registry registry,
      Supplier<String> memberId,
      Optional<Registry> ownedRegistry,
      PrometheusMeterRegistry meters,
      Optional<OverflowTier> overflow) {
    // Linux epoll where available (fewer copies and syscalls per write than NIO), else NIO.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Upstreams upstreams =
        new UpstreamPool(
            vertx,
            config.upstreams(),
            config.connectTimeout(),
            config.firstByteTimeout(),
            config.idleTimeout(),
            meters,
            Clock.systemUTC());
    EdgeCache cache =
        new EdgeCache(
            config.cacheSizeBytes(),
            new CachePolicy(config.negativeTtl()),
            config.staleFor(),
            Ticker.systemTicker(),
            overflow.isPresent() ? overflow.get().wrap(upstreams, vertx) : upstreams,
            overflow.isPresent() ? overflow.get() : CacheObserver.NONE);
    EdgeMetrics metrics = new EdgeMetrics(meters, cache);
    EdgeRegistration registration =
        new EdgeRegistration(vertx, registry, cache, memberId, meters, Clock.systemUTC());
    EdgeRequestHandler handler =
        new EdgeRequestHandler(cache, metrics, config.id(), registration.activity());
    AtomicInteger connections = new AtomicInteger();
    AtomicBoolean draining = new AtomicBoolean();
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());

    ManagementServer.Readiness readiness =
        () ->
            draining.get()
                ? Optional.of("draining: finishing current viewers, taking no new ones")
                : Optional.empty();
    // One port for the servers of all event loops (see ListenPorts).
    AtomicInteger boundPort;
    try {
      boundPort = new AtomicInteger(ListenPorts.sharedPort(config.bind(), config.port()));
    } catch (java.io.IOException e) {
      return registration
          .close()
          .transform(v -> vertx.close())
          .transform(
              v -> {
                ownedRegistry.ifPresent(Registry::close);
                return Future.failedFuture(e);
              });
    }
    return vertx
        .deployVerticle(
            () -> new ViewerServer(config, handler, connections, boundPort),
            new DeploymentOptions().setInstances(loops))
        .compose(
            id ->
                ManagementServer.start(
                        vertx,
                        config.bind(),
                        config.adminPort(),
                        meters,
                        readiness,
                        Optional.of(
                            new EdgeAdmin(
                                config.adminToken(), cache, draining, Optional.of(registration))))
                    .map(
                        management -> {
                          int port = boundPort.get();
                          registration.start(
                              config, port, management.port(), metrics, draining::get);
                          log.info(
                              "edge {} listening on {}:{} (management {}), upstreams {}, {}"
                                  + " transport",
                              config.id(),
                              config.bind(),
                              port,
                              management.port(),
                              config.upstreams(),
                              vertx.isNativeTransportEnabled() ? "epoll" : "NIO");
                          return (RunningEdge)
                              new Running(
                                  vertx,
                                  port,
                                  management,
                                  upstreams,
                                  registration,
                                  ownedRegistry,
                                  overflow);
                        }))
        .onFailure(
            e ->
                registration
                    .close()
                    .onComplete(
                        v -> {
                          vertx.close();
                          ownedRegistry.ifPresent(Registry::close);
                        }));
  }

  static long maxDirectMemory() {
    return io.netty.util.internal.PlatformDependent.maxDirectMemory();
  }

  /**
   * Cached bodies are direct buffers: the cache must fit under the JVM's direct memory limit (which
   * defaults to -Xmx) with room left for network buffers, or filling it would fail allocations
   * mid-request.
   */
  static Optional<String> cacheDoesNotFit(long cacheSize, long maxDirect) {
    long headroom = Math.max(64L << 20, maxDirect / 10);
    if (cacheSize <= maxDirect - headroom) {
      return Optional.empty();
    }
    long needed = cacheSize + Math.max(64L << 20, cacheSize / 9);
    return Optional.of(
        "cache-size "
            + (cacheSize >> 20)
            + "m does not fit in the JVM's direct memory limit of "
            + (maxDirect >> 20)
            + "m (cached bodies are off-heap, and "
            + (headroom >> 20)
            + "m must stay free for network buffers): start java with"
            + " -XX:MaxDirectMemorySize="
            + ((needed >> 20) + 1)
            + "m (RELAY_JAVA_OPTS for ./relay) or lower --cache-size");
  }

  /** One viewer-facing server per event loop; Vert.x spreads connections over them. */
  private static final class ViewerServer extends VerticleBase {
    private final EdgeConfig config;
    private final EdgeRequestHandler handler;
    private final AtomicInteger connections;
    private final AtomicInteger boundPort;

    ViewerServer(
        EdgeConfig config,
        EdgeRequestHandler handler,
        AtomicInteger connections,
        AtomicInteger boundPort) {
      this.config = config;
      this.handler = handler;
      this.connections = connections;
      this.boundPort = boundPort;
    }

    @Override
    public Future<?> start() {
      HttpServerOptions options =
          new HttpServerOptions()
              .setHost(config.bind())
              .setPort(boundPort.get())
              .setMaxInitialLineLength(2048)
              .setMaxHeaderSize(8192)
              .setIdleTimeout((int) Math.max(1, config.clientIdleTimeout().toSeconds()))
              .setTcpNoDelay(true)
              .setCompressionSupported(false);
      HttpServer server = vertx.createHttpServer(options);
      server.connectionHandler(
          conn -> {
            if (connections.incrementAndGet() > config.maxConnections()) {
              conn.close();
            }
            conn.closeHandler(v -> connections.decrementAndGet());
          });
      server.invalidRequestHandler(
          req -> {
            Throwable cause = req.decoderResult().cause();
            String what = cause == null ? "malformed request" : cause.getMessage();
            int status = what != null && what.contains("line is larger") ? 414 : 400;
            if (what != null && what.contains("header is larger")) {
              status = 431;
            }
            ErrorBody.send(req.response(), status, "request refused: " + what);
          });
      server.requestHandler(handler);
      Promise<Void> listening = Promise.promise();
      server
          .listen()
          .onSuccess(
              s -> {
                int previous = boundPort.getAndSet(s.actualPort());
                if (previous != 0 && previous != config.port() && previous != s.actualPort()) {
                  listening.fail(
                      new IllegalStateException(
                          "viewer servers bound different ports: "
                              + previous
                              + " and "
                              + s.actualPort()));
                  return;
                }
                listening.complete();
              })
          .onFailure(listening::fail);
      return listening.future();
    }
  }

  private record Running(
      Vertx vertx,
      int port,
      ManagementServer management,
      Upstreams upstreams,
      EdgeRegistration registration,
      Optional<Registry> ownedRegistry,
      Optional<OverflowTier> overflow)
      implements RunningEdge {
    @Override
    public int adminPort() {
      return management.port();
    }

    /** Leaves the registry first (routers stop sending viewers at once), then stops. */
    @Override
    public Future<Void> close() {
      return registration
          .close()
          .transform(v -> Future.join(management.close(), upstreams.close()))
          .transform(v -> vertx.close())
          .andThen(
              v -> {
                overflow.ifPresent(OverflowTier::close);
                ownedRegistry.ifPresent(Registry::close);
              });
    }
  }
}
