package dev.segmentrelay.origin.ingest;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.Optional;

/**
 * Where a stream's source objects come from: an HTTP server (pull) or the uploads a transcoder
 * pushed (push). Ingest logic is written once against this interface.
 */
public interface IngestSource {
  /**
   * Fetches a source object whole.
   *
   * @param uri absolute URI (already resolved against the document that named it)
   * @param range byte range to fetch ({@code offset}, {@code length}), or empty for all
   * @return the bytes, or a failed future with an {@link IngestException} naming the problem
   */
  Future<Buffer> fetch(URI uri, Optional<long[]> range);

  /** A problem with a source object, phrased for a log line. */
  final class IngestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean notFound;

    public IngestException(String message, boolean notFound) {
      super(message);
      this.notFound = notFound;
    }

    public IngestException(String message, Throwable cause) {
      super(message, cause);
      this.notFound = false;
    }

    /** True when the source answered that the object does not exist (404/410). */
    public boolean notFound() {
      return notFound;
    }
  }
}
