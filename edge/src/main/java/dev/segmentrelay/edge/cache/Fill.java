package dev.segmentrelay.edge.cache;

import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.edge.upstream.UpstreamException;
import dev.segmentrelay.edge.upstream.UpstreamListener;
import dev.segmentrelay.edge.upstream.UpstreamResponse;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One upstream fetch shared by every viewer who asked for the object while it was in flight
 * (request coalescing).
 *
 * <p>The upstream listener callbacks run on the context that started the fetch; waiters live on
 * whatever event loop their connection belongs to. State is guarded by this object's monitor and
 * only ever grows (head, then chunks appended, then an end or a failure), so a waiter reads a
 * consistent prefix under the lock and writes it to its socket outside the lock. Each chunk is
 * written to every waiter as it arrives: the first byte reaches a waiter within a context switch of
 * reaching the edge, with no polling. The chunk list is the only copy of the body, however many
 * waiters there are; a slow waiter just keeps its own read position.
 *
 * <p>At the end the chunks are joined once into a direct buffer, the {@link CachedObject} that
 * every later hit writes without copying.
 */
public final class Fill implements UpstreamListener {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Fill.class);

  /** Something waiting on a fill; woken on its own context whenever the fill moved on. */
  public interface Waiter {
    Context context();

    void wake();
  }

  /** What a waiter sees of the fill: immutable once taken. */
  public record Progress(
      Optional<UpstreamResponse> head,
      List<Buffer> newChunks,
      boolean ended,
      Optional<UpstreamException> failure,
      Optional<CachedObject> result) {}

  private final String key;
  private final MediaPath media;
  private final long maxBytes;
  private final Completion completion;

  private UpstreamResponse head;
  private final List<Buffer> chunks = new ArrayList<>();
  private Buffer whole; // a body handed over whole by onBody, kept without a copy
  private long received;
  private long announcedLength = -1;
  private boolean ended;
  private UpstreamException failure;
  private CachedObject result;
  private final List<WaiterSlot> waiters = new ArrayList<>();

  /** Told when the fill is over, to store its result and stop coalescing onto it. */
  public interface Completion {
    /** Called once, on the fill's context; {@code result} empty when the fetch failed. */
    Optional<CachedObject> complete(Fill fill, UpstreamResponse head, Buffer body);

    void failed(Fill fill, UpstreamException error);
  }

  Fill(String key, MediaPath media, long maxBytes, Completion completion) {
    this.key = key;
    this.media = media;
    this.maxBytes = maxBytes;
    this.completion = completion;
  }

  public String key() {
    return key;
  }

  public MediaPath media() {
    return media;
  }

  /** Registers a waiter; it is woken at once if the fill already moved. */
  public void subscribe(Waiter waiter) {
    WaiterSlot slot = new WaiterSlot(waiter);
    boolean moved;
    synchronized (this) {
      waiters.add(slot);
      moved = head != null || failure != null;
    }
    if (moved) {
      slot.schedule();
    }
  }

  /** Chunks from {@code from} on, and where the fill stands. */
  public synchronized Progress progress(int from) {
    List<Buffer> fresh =
        from >= chunks.size() ? List.of() : List.copyOf(chunks.subList(from, chunks.size()));
    return new Progress(
        Optional.ofNullable(head),
        fresh,
        ended,
        Optional.ofNullable(failure),
        Optional.ofNullable(result));
  }

  public synchronized int waiterCount() {
    return waiters.size();
  }

  // ---- upstream side (fill's context) -------------------------------------------------------

  @Override
  public void onHead(UpstreamResponse response) {
    synchronized (this) {
      head = response;
      announcedLength = contentLength(response);
    }
    wakeAll();
  }

  private static long contentLength(UpstreamResponse response) {
    String value = response.headers().get("Content-Length");
    if (value == null || response.status() / 100 != 2) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void onChunk(Buffer chunk) {
    boolean lastChunk;
    synchronized (this) {
      if (failure != null || ended) {
        return;
      }
      received += chunk.length();
      if (received > maxBytes) {
        failure =
            new UpstreamException(
                UpstreamException.Cause.OTHER,
                media.urlPath()
                    + " is larger than the largest cacheable object ("
                    + maxBytes
                    + " bytes)");
        chunks.clear();
      } else {
        chunks.add(chunk);
      }
      lastChunk = failure == null && received == announcedLength;
    }
    if (lastChunk) {
      // The body is whole: store it before any waiter sees its last byte, so a viewer's next
      // request is a HIT rather than joining a fetch that is about to end.
      onEnd();
      return;
    }
    wakeAll();
  }

  /** Keeps a whole, checked body as it is (no copy), unless chunks already arrived. */
  @Override
  public void onBody(Buffer body) {
    boolean kept;
    synchronized (this) {
      kept = failure == null && !ended && chunks.isEmpty() && body.length() <= maxBytes;
      if (kept) {
        chunks.add(body);
        received = body.length();
        whole = body;
      }
    }
    if (kept) {
      onEnd();
    } else {
      UpstreamListener.super.onBody(body);
    }
  }

  @Override
  public void onEnd() {
    Buffer body;
    UpstreamResponse h;
    synchronized (this) {
      if (ended) {
        return; // already completed when the announced length arrived
      }
      if (failure != null) {
        completion.failed(this, failure);
        return;
      }
      h = head;
      try {
        body = whole != null ? whole : join(chunks, (int) received);
      } catch (OutOfMemoryError e) {
        // Direct memory ran out: serve what arrived to its waiters, but cache nothing.
        log.warn(
            "no direct memory to cache {} ({} bytes): {}", media.urlPath(), received, e.toString());
        body = null;
      }
    }
    Optional<CachedObject> stored =
        body == null ? Optional.empty() : completion.complete(this, h, body);
    if (body == null) {
      completion.failed(
          this,
          new UpstreamException(
              UpstreamException.Cause.OTHER, "no direct memory left to cache " + media.urlPath()));
    }
    synchronized (this) {
      ended = true;
      result = stored.orElse(null);
    }
    wakeAll();
  }

  @Override
  public void onError(UpstreamException error) {
    synchronized (this) {
      if (ended) {
        return; // the body arrived whole before the connection failed
      }
      if (failure == null) {
        failure = error;
      }
    }
    completion.failed(this, error);
    wakeAll();
  }

  /**
   * The chunks copied into one direct buffer of the JDK's ({@link ByteBuffer#allocateDirect}), not
   * Netty's: an evicted body cannot be freed at once (a slow viewer's write may still be reading
   * it), so it waits for the GC. Netty counts its own direct buffers against the limit and fails an
   * allocation without asking for a GC, so under cache churn garbage bodies made Netty's socket
   * buffers fail (a 1 MiB segment's answer cut off after its head); the JDK's allocator collects
   * garbage buffers first when the limit is near.
   */
  private static Buffer join(List<Buffer> chunks, int total) {
    ByteBuf joined = UpstreamListener.directBody(total);
    for (Buffer c : chunks) {
      joined.writeBytes(((BufferInternal) c).getByteBuf());
    }
    return BufferInternal.buffer(joined);
  }

  private void wakeAll() {
    List<WaiterSlot> snapshot;
    synchronized (this) {
      snapshot = List.copyOf(waiters);
    }
    for (WaiterSlot w : snapshot) {
      w.schedule();
    }
  }

  /** Drops a waiter that went away (client closed). */
  public synchronized void unsubscribe(Waiter waiter) {
    waiters.removeIf(s -> s.waiter == waiter);
  }

  /**
   * Collapses wake-ups: however many chunks arrive while a wake-up is queued on a waiter's context,
   * it runs once and takes all of them.
   */
  private static final class WaiterSlot {
    final Waiter waiter;
    final AtomicBoolean scheduled = new AtomicBoolean();

    WaiterSlot(Waiter waiter) {
      this.waiter = waiter;
    }

    void schedule() {
      if (!scheduled.compareAndSet(false, true)) {
        return;
      }
      Context target = waiter.context();
      if (Vertx.currentContext() == target) {
        scheduled.set(false);
        waiter.wake();
      } else {
        target.runOnContext(
            v -> {
              scheduled.set(false);
              waiter.wake();
            });
      }
    }
  }
}
