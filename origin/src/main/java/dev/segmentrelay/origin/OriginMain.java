package dev.segmentrelay.origin;

import dev.segmentrelay.common.management.ManagementServer;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.archive.ArchiveConfig;
import dev.segmentrelay.origin.archive.S3Archive;
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

  private static final java.time.Duration ARCHIVE_DRAIN = java.time.Duration.ofSeconds(10);

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
    return openArchive(config, vertx, meters)
        .compose(archive -> start(config, registry, vertx, meters, archive))
        .onFailure(e -> vertx.close());
  }

  /**
   * Opens the S3 archive when configured. A required archive whose bucket is not usable fails the
   * start with the store's explanation; an optional one starts off with a warning and switches on
   * by itself when S3 answers (the store's availability probe).
   */
  private static Future<Archive> openArchive(
      OriginConfig config, Vertx vertx, PrometheusMeterRegistry meters) {
    if (config.archive().isEmpty()) {
      return Future.succeededFuture(Archive.disabled());
    }
    ArchiveConfig a = config.archive().get();
    S3Store s3 = S3Store.open(a.s3(), a.storeOptions(), meters);
    S3Archive archive = new S3Archive(s3, a.dvrWindow(), meters);
    return Future.fromCompletionStage(s3.requireUsable(false), vertx.getOrCreateContext())
        .transform(
            ar -> {
              if (ar.succeeded()) {
                log.info("archive on {} (DVR window {})", a.s3().describe(), a.dvrWindow());
                return Future.succeededFuture((Archive) archive);
              }
              if (a.required()) {
                archive.close();
                return Future.failedFuture(ar.cause());
              }
              log.warn(
                  "archive is off until S3 answers (ingest and viewers are not affected): {}",
                  ar.cause().getMessage());
              return Future.succeededFuture((Archive) archive);
            });
  }

  private static Future<RunningOrigin> start(
      OriginConfig config,
      Registry registry,
      Vertx vertx,
      PrometheusMeterRegistry meters,
      Archive archive) {
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
          s.name(),
          StreamFactory.pulled(s, http, store, registry, config, vertx, clock, meters, archive));
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
              meters,
              archive));
    }

    OriginHttpServer server = new OriginHttpServer(vertx, config, streams, store, archive, meters);
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
                                            http,
                                            archive);
                                  });
                        }))
        .onFailure(
            e -> {
              if (archive instanceof S3Archive s3) {
                s3.close();
              }
            });
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
      HttpIngestSource http,
      Archive archive)
      implements RunningOrigin {
    @Override
    public int adminPort() {
      return management.port();
    }

    /** Lets queued archive writes (the last state object above all) reach S3, bounded. */
    private Future<Void> closeArchive() {
      if (!(archive instanceof S3Archive s3)) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(
          () -> {
            if (!s3.drain(ARCHIVE_DRAIN)) {
              log.warn(
                  "archive: {} write(s) still queued after {}; abandoned",
                  s3.queueDepth(),
                  ARCHIVE_DRAIN);
            }
            s3.close();
            return null;
          });
    }

    @Override
    public Future<Void> close() {
      List<Future<Void>> stops = new ArrayList<>();
      streams.values().forEach(s -> stops.add(s.stop()));
      return Future.join(stops)
          .transform(v -> Future.join(server.close(), management.close(), http.close()))
          .transform(v -> closeArchive())
          .transform(v -> vertx.close());
    }
  }
}
