package dev.segmentrelay.origin.hls;

import dev.segmentrelay.origin.ingest.IngestSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A scripted transcoder: answers fetches from a map, can hold a fetch open or fail it. */
final class FakeSource implements IngestSource {
  static final URI BASE = URI.create("http://transcoder.test/live/");

  private final Map<URI, Buffer> objects = new ConcurrentHashMap<>();
  private final Map<URI, Promise<Buffer>> held = new ConcurrentHashMap<>();
  final List<URI> requests = new CopyOnWriteArrayList<>();

  void put(String path, String body) {
    objects.put(BASE.resolve(path), Buffer.buffer(body));
  }

  void remove(String path) {
    objects.remove(BASE.resolve(path));
  }

  /** The next fetch of {@code path} stays open until {@link #release}. */
  void hold(String path) {
    held.put(BASE.resolve(path), Promise.promise());
  }

  void release(String path) {
    Promise<Buffer> p = held.remove(BASE.resolve(path));
    p.complete(objects.get(BASE.resolve(path)));
  }

  long fetchesOf(String path) {
    URI uri = BASE.resolve(path);
    return requests.stream().filter(uri::equals).count();
  }

  @Override
  public Future<Buffer> fetch(URI uri, Optional<long[]> range) {
    requests.add(uri);
    Promise<Buffer> hold = held.get(uri);
    if (hold != null) {
      return hold.future();
    }
    Buffer b = objects.get(uri);
    if (b == null) {
      return Future.failedFuture(new IngestException("GET " + uri + " answered 404", true));
    }
    return Future.succeededFuture(b);
  }

  static String playlist(long firstSequence, boolean ended, String... segments) {
    StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n");
    b.append("#EXT-X-MEDIA-SEQUENCE:").append(firstSequence).append('\n');
    for (String s : segments) {
      b.append("#EXTINF:2.000000,\n").append(s).append('\n');
    }
    if (ended) {
      b.append("#EXT-X-ENDLIST\n");
    }
    return b.toString();
  }
}
