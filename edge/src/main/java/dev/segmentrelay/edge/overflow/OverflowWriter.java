package dev.segmentrelay.edge.overflow;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The bounded queue between eviction (on an event loop) and S3 (on writer threads).
 *
 * <p>{@link #offer} never blocks: it drops the write, counted by reason, when S3 is not usable or
 * when {@code capacity} writes are already queued or being written. The queue holds a reference to
 * the evicted body (no copy on the event loop); a writer thread copies it out and calls the sink,
 * waiting for the answer, so at most {@code threads} writes are in flight and the queue depth is a
 * true measure of S3 falling behind.
 */
final class OverflowWriter implements AutoCloseable {
  /** Stores one object; completes when S3 has it. */
  interface Sink {
    CompletableFuture<Void> put(
        String key, byte[] body, String contentType, Map<String, String> meta);
  }

  /** What {@link #offer} did. */
  enum Outcome {
    QUEUED,
    DROPPED_FULL,
    DROPPED_DOWN
  }

  /** One evicted segment; {@code body} is read on a writer thread. */
  record Write(String key, Supplier<byte[]> body, String contentType, Map<String, String> meta) {}

  /** Results, for metrics and the known-keys set. */
  interface Listener {
    void dropped(Outcome reason);

    void written(String key);

    void failed(String key, Throwable error);
  }

  private final BlockingQueue<Write> queue;
  private final AtomicInteger pending = new AtomicInteger();
  private final int capacity;
  private final Sink sink;
  private final BooleanSupplier usable;
  private final Listener listener;
  private final long putTimeoutMillis;
  private volatile boolean closed;
  private Thread[] threads = new Thread[0];

  OverflowWriter(
      int capacity, Sink sink, BooleanSupplier usable, Listener listener, long putTimeoutMillis) {
    this.capacity = capacity;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.usable = usable;
    this.listener = listener;
    this.putTimeoutMillis = putTimeoutMillis;
  }

  /** Starts {@code n} daemon writer threads. */
  void start(int n) {
    threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      threads[i] = new Thread(this::loop, "edge-overflow-writer-" + (i + 1));
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  /** Queues a write or drops it at once; never blocks. */
  Outcome offer(Write write) {
    Outcome outcome;
    if (closed || !usable.getAsBoolean()) {
      outcome = Outcome.DROPPED_DOWN;
    } else if (pending.incrementAndGet() > capacity) {
      pending.decrementAndGet();
      outcome = Outcome.DROPPED_FULL;
    } else if (!queue.offer(write)) {
      pending.decrementAndGet();
      outcome = Outcome.DROPPED_FULL;
    } else {
      return Outcome.QUEUED;
    }
    listener.dropped(outcome);
    return outcome;
  }

  /** Writes queued or in flight. */
  int depth() {
    return pending.get();
  }

  /** Takes one queued write and performs it; false when none was waiting. */
  boolean runOnce(long waitMillis) throws InterruptedException {
    Write w = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
    if (w == null) {
      return false;
    }
    try {
      if (!usable.getAsBoolean()) {
        listener.dropped(Outcome.DROPPED_DOWN); // S3 went down while it waited
        return true;
      }
      sink.put(w.key(), w.body().get(), w.contentType(), w.meta())
          .get(putTimeoutMillis, TimeUnit.MILLISECONDS);
      listener.written(w.key());
    } catch (ExecutionException e) {
      listener.failed(w.key(), e.getCause());
    } catch (TimeoutException | RuntimeException e) {
      listener.failed(w.key(), e);
    } finally {
      pending.decrementAndGet();
    }
    return true;
  }

  private void loop() {
    while (!closed) {
      try {
        runOnce(500);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops the writers; queued writes are dropped (they are only a cache). */
  @Override
  public void close() {
    closed = true;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
