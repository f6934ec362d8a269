package dev.segmentrelay.common.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.registry.SegmentEvents;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-stream segment topics: a plain Hazelcast {@link ITopic} named {@code segments.{stream}}.
 *
 * <p><b>Why not a reliable topic.</b> An announcement is a prefetch hint: one that is lost costs an
 * edge one cache miss, which it handles anyway. A plain topic sends each message from the publisher
 * straight to the members with subscribers and stores nothing, so a frozen member delays nobody. A
 * reliable topic writes every message into a partitioned ring buffer (with backups) first, so a
 * publish would wait on that partition's owner and keep a buffer per stream.
 *
 * <p>Publishing and (un)subscribing run on one {@code registry-topics} thread, never on the
 * caller's: the origin announces from its event loop, and registering a listener is a cluster-wide
 * operation that waits for every member. The queue is bounded; when it is full (the cluster is
 * stuck) the oldest task is dropped and counted.
 */
final class HazelcastSegmentEvents implements SegmentEvents {
  private static final Logger log = LoggerFactory.getLogger(HazelcastSegmentEvents.class);
  static final String TOPIC_PREFIX = "segments.";
  private static final int QUEUE = 10_000;

  private final HazelcastInstance hazelcast;
  private final AtomicLong dropped = new AtomicLong();
  private final ThreadPoolExecutor executor;

  HazelcastSegmentEvents(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "registry-topics");
              t.setDaemon(true);
              return t;
            },
            (task, pool) -> {
              if (!pool.isShutdown()) {
                pool.getQueue().poll();
                pool.getQueue().offer(task);
                if (dropped.incrementAndGet() % 1000 == 1) {
                  log.warn("registry topic queue full: {} task(s) dropped so far", dropped.get());
                }
              }
            });
  }

  @Override
  public void announce(SegmentAvailable event) {
    executor.execute(
        () -> {
          try {
            topic(event.stream()).publish(event);
          } catch (RuntimeException e) {
            log.warn("segment announcement for {} not sent: {}", event.stream(), e.toString());
          }
        });
  }

  @Override
  public Subscription subscribe(String streamId, Consumer<SegmentAvailable> listener) {
    CompletableFuture<UUID> registration = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            registration.complete(
                topic(streamId).addMessageListener(m -> listener.accept(m.getMessageObject())));
          } catch (RuntimeException e) {
            log.warn("subscription to {} failed: {}", streamId, e.toString());
            registration.completeExceptionally(e);
          }
        });
    return () ->
        registration.thenAccept(
            id ->
                executor.execute(
                    () -> {
                      try {
                        topic(streamId).removeMessageListener(id);
                      } catch (RuntimeException e) {
                        log.debug("unsubscribe from {} failed: {}", streamId, e.toString());
                      }
                    }));
  }

  /** Completes once every task queued so far has run (tests, an orderly close). */
  CompletableFuture<Void> drained() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    executor.execute(() -> done.complete(null));
    return done;
  }

  void close(long timeoutMillis) {
    executor.shutdown();
    try {
      executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }

  private ITopic<SegmentAvailable> topic(String streamId) {
    return hazelcast.getTopic(TOPIC_PREFIX + streamId);
  }
}
