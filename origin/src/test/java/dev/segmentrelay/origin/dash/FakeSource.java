package dev.segmentrelay.origin.dash;

import dev.segmentrelay.origin.ingest.IngestSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A transcoder's HTTP server as a map of URL path to bytes; unknown paths answer 404. */
final class FakeSource implements IngestSource {
  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Map<String, Promise<Buffer>> waiting = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  void put(String path, String body) {
    objects.put(path, body.getBytes(StandardCharsets.UTF_8));
  }

  void put(String path, byte[] body) {
    objects.put(path, body);
  }

  void remove(String path) {
    objects.remove(path);
  }

  /** Requests for {@code path} stay pending until {@link #release}. */
  void hold(String path) {
    held.add(path);
  }

  void release(String path) {
    held.remove(path);
    Promise<Buffer> promise = waiting.remove(path);
    if (promise != null) {
      promise.complete(Buffer.buffer(objects.get(path)));
    }
  }

  boolean requested(String path) {
    return requests.contains(path);
  }

  @Override
  public Future<Buffer> fetch(URI uri, Optional<long[]> range) {
    String path = uri.getPath();
    requests.add(path);
    if (held.contains(path)) {
      Promise<Buffer> promise = Promise.promise();
      waiting.put(path, promise);
      return promise.future();
    }
    byte[] body = objects.get(path);
    if (body == null) {
      return Future.failedFuture(new IngestException("HTTP 404 for " + uri, true));
    }
    return Future.succeededFuture(Buffer.buffer(body));
  }
}
