package dev.segmentrelay.common.cluster;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that performs the registry's map writes, so that callers (an edge's report timer, an
 * origin's event loop) never wait on the cluster. Hazelcast sends a replicated-map write to the
 * key's partition owner and waits for it; while that owner is frozen, the write waits until the
 * owner is declared dead (max-no-heartbeat) and the partition moves. Meanwhile newer writes of the
 * same key replace older pending ones (latest wins), so a stall leaves at most one pending write
 * per key instead of a growing queue.
 */
final class LatestWinsWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LatestWinsWriter.class);

  private final Map<String, Runnable> pending = new LinkedHashMap<>();
  private final Thread thread;
  private boolean closing;
  private boolean busy;

  LatestWinsWriter(String name) {
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code write} for {@code key}, replacing a write of the same key not yet started. */
  synchronized void submit(String key, Runnable write) {
    if (closing) {
      return;
    }
    pending.remove(key);
    pending.put(key, write);
    notifyAll();
  }

  /** Waits up to {@code timeout} until every write submitted so far has run; false on timeout. */
  synchronized boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty() || busy) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  private void run() {
    while (true) {
      Runnable write;
      synchronized (this) {
        busy = false;
        notifyAll();
        while (pending.isEmpty() && !closing) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (pending.isEmpty()) {
          return;
        }
        Iterator<Runnable> first = pending.values().iterator();
        write = first.next();
        first.remove();
        busy = true;
      }
      try {
        write.run();
      } catch (RuntimeException e) {
        log.warn("registry write failed: {}", e.toString());
      }
    }
  }

  /** Runs what is pending for up to {@code timeout}, then stops the thread. */
  void close(Duration timeout) {
    try {
      flush(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      closing = true;
      pending.clear();
      notifyAll();
    }
    thread.interrupt();
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }
}
