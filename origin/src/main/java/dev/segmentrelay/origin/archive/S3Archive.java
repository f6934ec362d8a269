package dev.segmentrelay.origin.archive;

import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.common.s3.S3Object;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.s3.S3StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin archive on S3.
 *
 * <p><b>Layout.</b> Below the settings' key prefix: {@code archive/{stream}/{path}} for every
 * segment, init segment and archived playlist (the same relative path as under {@code
 * /live/{stream}/}; names are never reused, so objects are written once), {@code
 * archive/{stream}/state.json} for the head of the stream's state (see {@code HlsArchiveState},
 * {@code DashArchiveState}) and {@code archive/{stream}/state/{name}.json} for the sealed chunks it
 * names ({@link StateLog}; written once, their names are never reused either).
 *
 * <p><b>Threading.</b> Callers (stream contexts on event loops) only append to a queue; one
 * single-threaded scheduler owns every queue and starts at most one S3 call per stream at a time,
 * so a stream's writes reach S3 in the order they were queued (a state head never lands before the
 * segments and chunks it names). A waiting head is replaced by a newer one; a chunk never is. The
 * S3 calls themselves run on {@link S3Store}'s pool.
 *
 * <p><b>Failure.</b> An outage (connect, timeout, 5xx, 403, S3 marked down) retries the write with
 * back-off up to {@value #MAX_BACKOFF_MILLIS} ms until S3 is back; other failures are retried
 * {@value #OTHER_ATTEMPTS} times, then dropped. Each stream's queue holds at most {@value
 * #QUEUE_CAPACITY} writes; beyond that the oldest waiting one other than a state chunk is dropped
 * and counted (chunks come once per {@link StateLog#DEFAULT_CHUNK_SIZE} segments and a head names
 * them, so they are kept). Nobody ever waits for S3: ingest and viewers see no difference while it
 * is away.
 *
 * <p><b>Metrics.</b> {@code relay_origin_archive_writes_total{kind,result}} (kind {@code
 * segment|document|state|statechunk}, result {@code ok|retried|failed|dropped}), {@code
 * relay_origin_archive_queue_depth}, {@code relay_origin_archive_reads_total{result}}; the S3 calls
 * themselves are counted by {@link S3Store} ({@code relay_s3_*}).
 */
public final class S3Archive implements Archive, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(S3Archive.class);
  static final int QUEUE_CAPACITY = 256;
  static final int OTHER_ATTEMPTS = 3;
  static final long MAX_BACKOFF_MILLIS = 4_000;
  private static final long FIRST_BACKOFF_MILLIS = 250;
  private static final String STATE_CHUNK = "statechunk";

  private final S3Store store;
  private final Duration dvrWindow;
  private final MeterRegistry meters;
  private final ScheduledExecutorService worker;
  private final Map<String, StreamQueue> queues = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> held = new ConcurrentHashMap<>();
  private final Map<String, Consumer<String>> listeners = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicInteger depth = new AtomicInteger();
  private volatile boolean closed;
  private int failuresInARow;

  public S3Archive(S3Store store, Duration dvrWindow, MeterRegistry meters) {
    this.store = store;
    this.dvrWindow = dvrWindow;
    this.meters = meters;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "origin-archive");
              t.setDaemon(true);
              return t;
            });
    Gauge.builder("relay_origin_archive_queue_depth", depth, AtomicInteger::get)
        .description("archive writes waiting or in flight, all streams")
        .register(meters);
  }

  static String key(String stream, String path) {
    return "archive/" + stream + "/" + path;
  }

  static String stateKey(String stream) {
    return "archive/" + stream + "/state.json";
  }

  static String stateChunkKey(String stream, String name) {
    StateLog.requireName(name);
    return "archive/" + stream + "/state/" + name + ".json";
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public Duration dvrWindow() {
    return dvrWindow;
  }

  @Override
  public void writeSegment(String stream, String path, Buffer body) {
    byte[] bytes = body.getBytes();
    enqueue(stream, new Write("segment", path, key(stream, path), () -> bytes));
  }

  @Override
  public void writeDocument(String stream, String path, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    enqueue(stream, new Write("document", path, key(stream, path), () -> bytes));
  }

  @Override
  public void writeState(String stream, Supplier<byte[]> state) {
    enqueue(stream, new Write("state", "state.json", stateKey(stream), state));
  }

  @Override
  public void writeStateChunk(String stream, String name, Supplier<byte[]> chunk) {
    String key = stateChunkKey(stream, name);
    enqueue(stream, new Write(STATE_CHUNK, "state/" + name + ".json", key, chunk));
  }

  @Override
  public Future<Optional<byte[]>> readState(String stream) {
    return Future.fromCompletionStage(
        store.get(stateKey(stream)).thenApply(o -> o.map(S3Object::body)));
  }

  @Override
  public Future<Optional<byte[]>> readStateChunk(String stream, String name) {
    return Future.fromCompletionStage(
        store.get(stateChunkKey(stream, name)).thenApply(o -> o.map(S3Object::body)));
  }

  @Override
  public boolean holds(String stream, String path) {
    Set<String> paths = held.get(stream);
    return paths != null && paths.contains(path);
  }

  @Override
  public void assumeHeld(String stream, Collection<String> paths) {
    heldSet(stream).addAll(paths);
  }

  @Override
  public Future<Optional<Buffer>> read(String stream, String path) {
    CompletableFuture<Optional<Buffer>> read =
        store
            .get(key(stream, path))
            .handle(
                (o, e) -> {
                  if (e != null) {
                    S3StoreException f = unwrap(e);
                    log.debug("archive read of {}/{} failed: {}", stream, path, f.getMessage());
                    count("relay_origin_archive_reads", "read", f.kind().label());
                    return Optional.<Buffer>empty();
                  }
                  count("relay_origin_archive_reads", "read", o.isPresent() ? "hit" : "miss");
                  return o.map(s -> Buffer.buffer(s.body()));
                });
    return Future.fromCompletionStage(read);
  }

  @Override
  public void onHeld(String stream, Consumer<String> listener) {
    listeners.put(stream, listener);
  }

  /** Writes waiting or in flight. */
  public int queueDepth() {
    return depth.get();
  }

  private Set<String> heldSet(String stream) {
    return held.computeIfAbsent(stream, s -> ConcurrentHashMap.newKeySet());
  }

  private void enqueue(String stream, Write write) {
    if (closed) {
      count("relay_origin_archive_writes", write.kind, "dropped");
      return;
    }
    try {
      worker.execute(() -> add(stream, write));
    } catch (RejectedExecutionException e) {
      count("relay_origin_archive_writes", write.kind, "dropped");
    }
  }

  // ---- on the worker thread --------------------------------------------------------------

  private void add(String stream, Write write) {
    StreamQueue q = queues.computeIfAbsent(stream, s -> new StreamQueue(stream));
    if (write.kind.equals("state")
        && !q.waiting.isEmpty()
        && q.waiting.peekLast().kind.equals("state")) {
      q.waiting.pollLast();
      depth.decrementAndGet();
    }
    q.waiting.addLast(write);
    depth.incrementAndGet();
    while (q.waiting.size() > QUEUE_CAPACITY) {
      Write dropped = dropOldest(q.waiting);
      if (dropped == null) {
        break;
      }
      depth.decrementAndGet();
      count("relay_origin_archive_writes", dropped.kind, "dropped");
      log.debug("archive queue of {} full: dropped {}", stream, dropped.path);
    }
    pump(q);
  }

  /** Removes the oldest waiting write that is not a state chunk; null if all are. */
  private static Write dropOldest(ArrayDeque<Write> waiting) {
    Iterator<Write> it = waiting.iterator();
    while (it.hasNext()) {
      Write w = it.next();
      if (!w.kind.equals(STATE_CHUNK)) {
        it.remove();
        return w;
      }
    }
    return null;
  }

  private void pump(StreamQueue q) {
    if (q.current != null || q.waiting.isEmpty() || closed) {
      return;
    }
    q.current = q.waiting.pollFirst();
    attempt(q, q.current, q.current.body.get(), 1);
  }

  private void attempt(StreamQueue q, Write w, byte[] body, int n) {
    store
        .put(w.key, body, ObjectKind.contentType(w.key), Map.of())
        .whenComplete(
            (ok, error) -> {
              try {
                worker.execute(() -> done(q, w, body, n, error));
              } catch (RejectedExecutionException closing) {
                // Closed meanwhile: the write is abandoned with the archive.
              }
            });
  }

  private void done(StreamQueue q, Write w, byte[] body, int n, Throwable error) {
    if (error == null) {
      if (failuresInARow > 0) {
        log.info("archive writes resumed after {} failed attempts", failuresInARow);
        failuresInARow = 0;
      }
      count("relay_origin_archive_writes", w.kind, "ok");
      if (w.kind.equals("segment")) {
        heldSet(q.stream).add(w.path);
        Consumer<String> listener = listeners.get(q.stream);
        if (listener != null) {
          listener.accept(w.path);
        }
      }
      finish(q);
      return;
    }
    S3StoreException failure = unwrap(error);
    S3StoreException.Kind kind = failure.kind();
    boolean outage =
        kind.outage()
            || kind == S3StoreException.Kind.UNAVAILABLE
            || kind == S3StoreException.Kind.BUSY;
    failuresInARow++;
    if (failuresInARow == 1) {
      log.warn(
          "archive write of {}/{} failed ({}); archiving is off until S3 answers again, ingest and"
              + " viewers are not affected: {}",
          q.stream,
          w.path,
          kind.label(),
          failure.getMessage());
    }
    if (closed || (!outage && n >= OTHER_ATTEMPTS)) {
      count("relay_origin_archive_writes", w.kind, "failed");
      finish(q);
      return;
    }
    count("relay_origin_archive_writes", w.kind, "retried");
    long delay = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(5, n - 1));
    worker.schedule(() -> attempt(q, w, body, n + 1), delay, TimeUnit.MILLISECONDS);
  }

  private void finish(StreamQueue q) {
    q.current = null;
    depth.decrementAndGet();
    pump(q);
  }

  // ---- shared ----------------------------------------------------------------------------

  /**
   * Waits (bounded) until every queued write is done, so that a stopping origin leaves its state
   * object in S3. Call off event loops.
   */
  public boolean drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (depth.get() > 0 && System.nanoTime() < deadline) {
      CountDownLatch tick = new CountDownLatch(1);
      try {
        worker.schedule(tick::countDown, 20, TimeUnit.MILLISECONDS);
        tick.await(100, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return depth.get() == 0;
  }

  /** Stops writing (queued writes are abandoned) and closes the S3 store. */
  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
    store.close();
  }

  private void count(String name, String kind, String result) {
    counters
        .computeIfAbsent(
            name + '|' + kind + '|' + result,
            k ->
                Counter.builder(name)
                    .description(
                        name.endsWith("reads")
                            ? "archive reads for viewers by result"
                            : "archive writes by kind and result")
                    .tag("kind", kind)
                    .tag("result", result)
                    .register(meters))
        .increment();
  }

  private static S3StoreException unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof S3StoreException s
        ? s
        : new S3StoreException(S3StoreException.Kind.OTHER, String.valueOf(t), t);
  }

  /** One queued write; {@code body} is evaluated when the write starts. */
  private record Write(String kind, String path, String key, Supplier<byte[]> body) {}

  /** Queue of one stream; touched on the worker thread only. */
  private static final class StreamQueue {
    final String stream;
    final ArrayDeque<Write> waiting = new ArrayDeque<>();
    Write current;

    StreamQueue(String stream) {
      this.stream = stream;
    }
  }
}
