package dev.segmentrelay.origin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * One stream as the origin's HTTP layer sees it: live documents to serve, status to report, and
 * (for push streams) uploads to accept. Segments themselves are served from the {@code
 * SegmentStore}. Implementations: HLS and DASH, each fed by pull or push.
 */
public interface PublishedStream {
  String name();

  /**
   * The current published version of the live document at {@code path} (relative to {@code
   * /live/{stream}/}), or empty when nothing is published there (yet).
   */
  Optional<LiveDocument> document(String path);

  StreamStatus status();

  /** Starts ingest (pull: the first poll). Completes once started, not once published. */
  Future<Void> start();

  /** Stops ingest; published objects stay served. */
  Future<Void> stop();

  /**
   * Accepts a pushed object (HTTP PUT). Only push streams accept uploads.
   *
   * @param path validated relative path under {@code /ingest/{stream}/}
   * @return completes when the upload is staged (and, for a playlist, once processing started)
   */
  default Future<Void> acceptUpload(String path, Buffer body) {
    return Future.failedFuture(
        new IllegalStateException("stream " + name() + " is pulled, not pushed"));
  }

  /** Forgets a pushed object (HTTP DELETE). Published copies stay until they leave the window. */
  default void acceptDelete(String path) {}
}
