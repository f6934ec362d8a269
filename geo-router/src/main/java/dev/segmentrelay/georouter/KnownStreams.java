package dev.segmentrelay.georouter;

import dev.segmentrelay.common.registry.StreamCatalog;
import dev.segmentrelay.common.registry.StreamRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams the registry knows, copied into this JVM every second so the redirect path never
 * waits on the cluster. A stream that appears is routable within a second of the origin publishing
 * it.
 */
final class KnownStreams {
  private static final Logger log = LoggerFactory.getLogger(KnownStreams.class);
  private static final long REFRESH_MILLIS = 1000;

  private final Vertx vertx;
  private final StreamCatalog catalog;
  private volatile Map<String, StreamRecord> streams = Map.of();
  private long timerId = -1;

  KnownStreams(Vertx vertx, StreamCatalog catalog) {
    this.vertx = vertx;
    this.catalog = catalog;
  }

  /** Loads the catalog once, then every second. */
  Future<Void> start() {
    return refresh()
        .onComplete(v -> timerId = vertx.setPeriodic(REFRESH_MILLIS, t -> refresh()))
        .mapEmpty();
  }

  void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  Optional<StreamRecord> get(String stream) {
    return Optional.ofNullable(streams.get(stream));
  }

  private Future<Void> refresh() {
    return vertx
        .executeBlocking(
            () -> {
              Map<String, StreamRecord> copy = new HashMap<>();
              for (StreamRecord r : catalog.all()) {
                copy.put(r.id(), r);
              }
              return copy;
            },
            false)
        .onSuccess(copy -> streams = Map.copyOf(copy))
        .onFailure(e -> log.warn("could not read the stream catalog: {}", e.toString()))
        .mapEmpty();
  }
}
