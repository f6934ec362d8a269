package dev.segmentrelay.georouter;

import dev.segmentrelay.common.http.ErrorBody;
import dev.segmentrelay.common.http.ListenPorts;
import dev.segmentrelay.common.management.ManagementServer;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.common.registry.SegmentEvents;
import dev.segmentrelay.georouter.dns.DnsServer;
import dev.segmentrelay.georouter.dns.DnsSettings;
import dev.segmentrelay.georouter.health.EdgeHealthTracker;
import dev.segmentrelay.georouter.health.EdgeProber;
import dev.segmentrelay.georouter.location.CoverageZones;
import dev.segmentrelay.georouter.location.DefaultLocator;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import dev.segmentrelay.georouter.location.ReloadingGeoIp;
import dev.segmentrelay.georouter.location.TrustedProxies;
import dev.segmentrelay.georouter.selection.EdgeSelector;
import dev.segmentrelay.georouter.selection.RoutingSnapshot;
import dev.segmentrelay.georouter.steering.ManifestFetcher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root of the router: location (zones, GeoIP with reload), health (registry watch and
 * probes), the routing snapshot swapped whole every 100 ms when something changed, the viewer HTTP
 * server (one per event loop), the DNS server and the management server.
 */
public final class GeoRouterMain {
  private static final Logger log = LoggerFactory.getLogger(GeoRouterMain.class);
  private static final long SNAPSHOT_TICK_MILLIS = 100;

  private GeoRouterMain() {}

  /**
   * Starts a router reading edges and streams from {@code registry} (which the caller owns and
   * closes after the router). Completes once every port listens.
   */
  public static Future<RunningRouter> start(RouterConfig config, Registry registry) {
    CoverageZones zones;
    Location fallback;
    Optional<ReloadingGeoIp> geoip;
    TrustedProxies proxies;
    try {
      zones = coverageZones(config.coverageZones(), config.siteLocations());
      fallback = defaultLocation(config.defaultLocation(), zones);
      proxies = TrustedProxies.parse(config.trustedProxies());
      geoip = config.geoip().map(ReloadingGeoIp::open);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    PrometheusMeterRegistry meters = ManagementServer.newRegistry("router");
    Clock clock = Clock.systemUTC();
    DefaultLocator locator = new DefaultLocator(zones, geoip, fallback);
    EdgeHealthTracker health = new EdgeHealthTracker(clock, config.health());
    AtomicReference<RoutingSnapshot> snapshot = new AtomicReference<>(RoutingSnapshot.EMPTY);
    SegmentEvents.Subscription watch = registry.edges().watch(health);
    long tick =
        vertx.setPeriodic(
            SNAPSHOT_TICK_MILLIS,
            t -> health.evaluate().ifPresent(edges -> snapshot.set(RoutingSnapshot.of(edges))));
    EdgeProber prober = new EdgeProber(vertx, health, meters);
    prober.start();
    ScheduledExecutorService reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "router-geoip-reload");
              t.setDaemon(true);
              return t;
            });
    geoip.ifPresent(db -> db.start(reloader, config.geoipReloadInterval()));
    geoip.ifPresent(
        db -> {
          Gauge.builder("relay_router_geoip_reloads", db, d -> d.reloadCount())
              .tag("result", "ok")
              .register(meters);
          Gauge.builder("relay_router_geoip_reloads", db, d -> d.failureCount())
              .tag("result", "refused")
              .register(meters);
        });
    Gauge.builder(
            "relay_router_edges",
            snapshot,
            s -> s.get().edges().stream().filter(e -> e.healthy()).count())
        .tag("health", "routable")
        .register(meters);
    Gauge.builder("relay_router_edges", snapshot, s -> s.get().edges().size())
        .tag("health", "known")
        .register(meters);

    SnapshotRouting routing = new SnapshotRouting(locator, new EdgeSelector(), snapshot, health);
    KnownStreams streams = new KnownStreams(vertx, registry.streams());
    ManifestFetcher manifests =
        new ManifestFetcher(vertx, clock, Duration.ofSeconds(1), Duration.ofSeconds(2));
    RouterHttpHandler handler =
        new RouterHttpHandler(
            config,
            routing,
            (peer, xff) -> proxies.clientAddress(peer, xff == null ? List.of() : List.of(xff)),
            streams,
            manifests,
            new RouterMetrics(meters));
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger boundPort;
    try {
      boundPort = new AtomicInteger(ListenPorts.sharedPort(config.bind(), config.port()));
    } catch (IOException e) {
      vertx.close();
      return Future.failedFuture(e);
    }
    AtomicReference<DnsServer> dns = new AtomicReference<>();
    Runnable stopBackground =
        () -> {
          vertx.cancelTimer(tick);
          watch.close();
          streams.stop();
          reloader.shutdownNow();
          geoip.ifPresent(ReloadingGeoIp::close);
          DnsServer d = dns.get();
          if (d != null) {
            d.close();
          }
        };
    return streams
        .start()
        .compose(
            v ->
                vertx.deployVerticle(
                    () -> new ViewerServer(config, handler, boundPort),
                    new DeploymentOptions().setInstances(loops)))
        .compose(
            v -> {
              if (config.dns().isPresent()) {
                RouterConfig.DnsOptions o = config.dns().get();
                return vertx.executeBlocking(
                    () -> {
                      dns.set(
                          DnsServer.start(
                              DnsSettings.of(
                                  config.bind(),
                                  o.port(),
                                  o.names(),
                                  o.ttl(),
                                  o.primaryNs(),
                                  o.hostmaster()),
                              (name, client, ipv6) -> routing.addresses(client, ipv6),
                              meters));
                      return null;
                    },
                    false);
              }
              return Future.succeededFuture();
            })
        .compose(
            v ->
                ManagementServer.start(
                    vertx, config.bind(), config.adminPort(), meters, Optional::empty))
        .map(
            management -> {
              DnsServer d = dns.get();
              OptionalInt dnsPort = d == null ? OptionalInt.empty() : OptionalInt.of(d.port());
              log.info(
                  "router listening on {}:{} (management {}{}), geoip {}, {} coverage zones",
                  config.bind(),
                  boundPort.get(),
                  management.port(),
                  dnsPort.isPresent() ? ", DNS " + dnsPort.getAsInt() : "",
                  config.geoip().map(Object::toString).orElse("none"),
                  zones.size());
              return (RunningRouter)
                  new Running(
                      vertx,
                      boundPort.get(),
                      management,
                      dnsPort,
                      () -> {
                        stopBackground.run();
                        return Future.join(prober.close(), manifests.close()).mapEmpty();
                      });
            })
        .onFailure(
            e -> {
              stopBackground.run();
              vertx.close();
            });
  }

  /**
   * The coverage zones of {@code CIDR=SITE} entries and the site table of {@code SITE=LAT:LON}
   * entries (the colon because the list settings split on commas).
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static CoverageZones coverageZones(List<String> zones, List<String> siteLocations) {
    return CoverageZones.parse(
        zones, siteLocations.stream().map(s -> s.replace(':', ',')).toList());
  }

  /**
   * The location for {@code --default-location}: {@code LAT:LON} or a site name from the site
   * table.
   *
   * @throws IllegalArgumentException when it is neither
   */
  public static Location defaultLocation(String spec, CoverageZones zones) {
    GeoPoint site = zones.sites().get(spec);
    if (site != null) {
      return new Location(
          site,
          Location.Source.DEFAULT,
          Optional.of(spec),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }
    String[] parts = spec.split("[:,]", -1);
    try {
      if (parts.length == 2) {
        GeoPoint point =
            new GeoPoint(
                Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()));
        return new Location(
            point,
            Location.Source.DEFAULT,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        "default-location '"
            + spec
            + "' is neither LAT:LON in degrees (e.g. 50.11:8.68) nor a site named by"
            + " --site-location");
  }

  /** One viewer-facing server per event loop; Vert.x spreads connections over them. */
  private static final class ViewerServer extends VerticleBase {
    private final RouterConfig config;
    private final RouterHttpHandler handler;
    private final AtomicInteger boundPort;

    ViewerServer(RouterConfig config, RouterHttpHandler handler, AtomicInteger boundPort) {
      this.config = config;
      this.handler = handler;
      this.boundPort = boundPort;
    }

    @Override
    public Future<?> start() {
      HttpServerOptions options =
          new HttpServerOptions()
              .setHost(config.bind())
              .setPort(boundPort.get())
              .setMaxInitialLineLength(4096)
              .setMaxHeaderSize(8192)
              .setIdleTimeout(30)
              .setTcpNoDelay(true);
      HttpServer server = vertx.createHttpServer(options);
      server.invalidRequestHandler(
          req -> ErrorBody.send(req.response(), 400, "request refused: malformed request"));
      server.requestHandler(handler);
      Promise<Void> listening = Promise.promise();
      server.listen().onSuccess(s -> listening.complete()).onFailure(listening::fail);
      return listening.future();
    }
  }

  private record Running(
      Vertx vertx,
      int port,
      ManagementServer management,
      OptionalInt dnsPort,
      java.util.function.Supplier<Future<Void>> stop)
      implements RunningRouter {
    @Override
    public int adminPort() {
      return management.port();
    }

    @Override
    public Future<Void> close() {
      return Future.join(management.close(), stop.get()).transform(v -> vertx.close());
    }
  }
}
