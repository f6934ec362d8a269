package dev.segmentrelay.origin.ingest;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a transcoder has pushed (HTTP PUT) and not yet deleted, as an {@link IngestSource}: the push
 * twin of {@link HttpIngestSource}. Bounded by object count and bytes (oldest dropped first) so a
 * transcoder that never sends DELETE cannot fill memory. Not thread-safe: used on the stream's
 * context only.
 */
public final class StagedUploads implements IngestSource {
  /** The base URI pushed paths resolve against. */
  public static final URI BASE = URI.create("http://push.invalid/");

  private final int maxObjects;
  private final long maxBytes;
  private final Map<String, Buffer> objects = new LinkedHashMap<>();
  private long bytes;

  public StagedUploads(int maxObjects, long maxBytes) {
    this.maxObjects = maxObjects;
    this.maxBytes = maxBytes;
  }

  /** Stages (or replaces) the object at a relative path. */
  public void put(String path, Buffer body) {
    Buffer previous = objects.remove(path);
    if (previous != null) {
      bytes -= previous.length();
    }
    objects.put(path, body);
    bytes += body.length();
    Iterator<Map.Entry<String, Buffer>> oldest = objects.entrySet().iterator();
    while ((objects.size() > maxObjects || bytes > maxBytes) && oldest.hasNext()) {
      Map.Entry<String, Buffer> e = oldest.next();
      if (e.getKey().equals(path)) {
        break;
      }
      bytes -= e.getValue().length();
      oldest.remove();
    }
  }

  public void delete(String path) {
    Buffer previous = objects.remove(path);
    if (previous != null) {
      bytes -= previous.length();
    }
  }

  @Override
  public Future<Buffer> fetch(URI uri, Optional<long[]> range) {
    String path = BASE.relativize(uri).getPath();
    Buffer body = objects.get(path);
    if (body == null || uri.getHost() == null || !uri.getHost().equals(BASE.getHost())) {
      return Future.failedFuture(
          new IngestException("'" + path + "' was not pushed (or already deleted)", true));
    }
    if (range.isPresent()) {
      long offset = range.get()[0];
      long length = range.get()[1];
      if (offset + length > body.length()) {
        return Future.failedFuture(
            new IngestException(
                "byte range "
                    + length
                    + "@"
                    + offset
                    + " lies beyond the "
                    + body.length()
                    + " bytes pushed as '"
                    + path
                    + "'",
                false));
      }
      return Future.succeededFuture(body.slice((int) offset, (int) (offset + length)).copy());
    }
    return Future.succeededFuture(body);
  }
}
