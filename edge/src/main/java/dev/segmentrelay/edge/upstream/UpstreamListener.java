package dev.segmentrelay.edge.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;

/**
 * Receives one upstream response as it arrives: {@link #onHead} once, then {@link #onChunk} for
 * each body chunk, then exactly one of {@link #onEnd} or {@link #onError}. All calls happen on the
 * Vert.x context the fetch was started on, in order.
 */
public interface UpstreamListener {
  /** Status and headers of the upstream that answered (2xx, 304, 404 or 410). */
  void onHead(UpstreamResponse head);

  void onChunk(Buffer chunk);

  /** The whole body arrived (and matched {@code Content-Length} when one was sent). */
  void onEnd();

  /**
   * The whole body at once, already checked, instead of {@link #onChunk} calls and {@link #onEnd}:
   * for a source that had to receive and verify the body before handing it on (the S3 overflow
   * tier). {@code body} wraps a JDK direct buffer made by {@link #directBody} that nobody else
   * holds, so a listener may keep it as it is rather than copy it; the default delivers it as one
   * chunk and the end.
   */
  default void onBody(Buffer body) {
    if (body.length() > 0) {
      onChunk(body);
    }
    onEnd();
  }

  /**
   * An empty buffer of {@code size} bytes' capacity over {@link ByteBuffer#allocateDirect}, the
   * kind the edge's memory tier keeps bodies in (see {@code Fill.join}); write it, then hand it on
   * as {@code BufferInternal.buffer(it)}.
   *
   * @throws OutOfMemoryError when the JVM's direct memory is exhausted even after a GC
   */
  static ByteBuf directBody(int size) {
    return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(size)).clear();
  }

  /**
   * The fetch failed: before {@link #onHead} when no upstream could answer (after failover), after
   * it when the body broke off (reset, idle timeout, fewer bytes than announced).
   */
  void onError(UpstreamException error);
}
