package dev.segmentrelay.origin;

import dev.segmentrelay.common.management.ManagementServer;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.origin.hls.HlsStream;
import dev.segmentrelay.origin.ingest.HttpIngestSource;
import dev.segmentrelay.origin.store.InMemorySegmentStore;
import dev.segmentrelay.origin.store.SegmentStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root of the origin: Vert.x, metrics, the segment store, one {@link PublishedStream}
 * per configured stream, the public server and the management server.
 */
public final class OriginMain {
  private static final Logger log = LoggerFactory.getLogger(OriginMain.class);

  private OriginMain() {}

  /**
   * Starts a single origin with an in-process registry (closed with the origin); the future
   * completes once both servers listen and ingest has started.
   */
  public static Future<RunningOrigin> start(OriginConfig config) {
    InProcessRegistry registry = new InProcessRegistry();
    return start(config, registry)
        .map(origin -> (RunningOrigin) new OwningRegistry(origin, registry))
        .onFailure(e -> registry.close());
  }

  /**
   * Starts an origin that writes its catalog entries and announces its segments to {@code registry}
   * (a cluster registry, shared with edges and routers). The caller owns the registry and closes it
   * after the origin.
   */
  public static Future<RunningOrigin> start(OriginConfig config, Registry registry) {
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry meters = ManagementServer.newRegistry("origin");
    Clock clock = Clock.systemUTC();
    SegmentStore store =
        new InMemorySegmentStore(config.storeMaxSegments(), config.storeMaxBytes());
    Gauge.builder("relay_origin_store_bytes", store, SegmentStore::totalBytes)
        .description("bytes held by the segment store")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("relay_origin_store_objects", store, SegmentStore::totalObjects)
        .description("objects held by the segment store")
        .register(meters);
    HttpIngestSource http =
        new HttpIngestSource(vertx, config.maxObjectBytes(), config.fetchTimeout());

    Map<String, PublishedStream> streams = new LinkedHashMap<>();
    for (OriginConfig.PullStream s : config.pullStreams()) {
      streams.put(
          s.name(), StreamFactory.pulled(s, http, store, registry, config, vertx, clock, meters));
    }
    for (OriginConfig.PushStream s : config.pushStreams()) {
      streams.put(
          s.name(),
          HlsStream.pushed(
              s.name(),
              store,
              registry.segments(),
              registry.streams(),
              config,
              vertx,
              clock,
              meters));
    }

    OriginHttpServer server = new OriginHttpServer(vertx, config, streams, store, meters);
    ManagementServer.Readiness readiness =
        () -> {
          if (streams.isEmpty()) {
            return Optional.empty();
          }
          for (PublishedStream s : streams.values()) {
            if (!"starting".equals(s.status().state())) {
              return Optional.empty();
            }
          }
          return Optional.of("no stream has published a first playlist yet");
        };

    return server
        .listen()
        .compose(
            http1 ->
                ManagementServer.start(vertx, config.bind(), config.adminPort(), meters, readiness)
                    .compose(
                        management -> {
                          List<Future<Void>> started = new ArrayList<>();
                          streams.values().forEach(s -> started.add(s.start()));
                          return Future.all(started)
                              .map(
                                  all -> {
                                    log.info(
                                        "origin listening on {}:{} (management {}), {} stream(s)",
                                        config.bind(),
                                        http1.actualPort(),
                                        management.port(),
                                        streams.size());
                                    return (RunningOrigin)
                                        new Running(
                                            vertx,
                                            http1.actualPort(),
                                            management,
                                            server,
                                            streams,
                                            http);
                                  });
                        }))
        .onFailure(e -> vertx.close());
  }

  /** An origin that closes its in-process registry after itself. */
  private record OwningRegistry(RunningOrigin origin, InProcessRegistry registry)
      implements RunningOrigin {
    @Override
    public int port() {
      return origin.port();
    }

    @Override
    public int adminPort() {
      return origin.adminPort();
    }

    @Override
    public Future<Void> close() {
      return origin.close().andThen(done -> registry.close());
    }
  }

  private record Running(
      Vertx vertx,
      int port,
      ManagementServer management,
      OriginHttpServer server,
      Map<String, PublishedStream> streams,
      HttpIngestSource http)
      implements RunningOrigin {
    @Override
    public int adminPort() {
      return management.port();
    }

    @Override
    public Future<Void> close() {
      List<Future<Void>> stops = new ArrayList<>();
      streams.values().forEach(s -> stops.add(s.stop()));
      return Future.join(stops)
          .transform(v -> Future.join(server.close(), management.close(), http.close()))
          .transform(v -> vertx.close());
    }
  }
}
