package dev.segmentrelay.edge.registration;

import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.registry.SegmentEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches newly announced segments of the streams this edge's viewers watch, before any viewer asks
 * for them, so the first viewer request for a new segment is a HIT rather than a MISS that waits on
 * the upstream.
 *
 * <p><b>Which streams.</b> The request handler calls {@link #viewed} for every valid viewer
 * request: a map lookup and, at most every 100 ms per stream, a volatile write of the time. The
 * first request for a stream subscribes to its segment topic; {@link #sweep} (once a second)
 * unsubscribes streams nobody asked for in {@link #IDLE_AFTER}. At most {@link #MAX_STREAMS} are
 * watched at once. Every rendition of a watched stream is prefetched (an announcement names its
 * rendition, a request does not say which one the viewer plays).
 *
 * <p><b>Threads.</b> Subscribing and unsubscribing may block (Hazelcast topics), so they run on
 * {@code registryThread}, never on an event loop. Announcements arrive on registry threads: there
 * the listener only filters (already cached, too many in flight) and hops onto {@code loop}, the
 * event loop prefetch fills run on.
 *
 * <p><b>How.</b> A prefetch goes through {@link CacheWarmer}, which starts the same fill a viewer's
 * miss starts (so a viewer arriving mid-prefetch joins it). Segments already cached are skipped. At
 * most {@code maxInFlight} prefetches are queued or running; more are dropped (the viewers' own
 * requests fetch them), each outcome counted in {@code relay_edge_prefetch_total{result}}.
 */
public final class SegmentPrefetcher {
  private static final Logger log = LoggerFactory.getLogger(SegmentPrefetcher.class);

  /** A stream with no viewer request for this long is unsubscribed. */
  public static final Duration IDLE_AFTER = Duration.ofSeconds(30);

  /**
   * Streams watched at once. Any valid stream name passes the handler, existing or not, so without
   * a bound a client inventing names could make the edge hold a subscription per name; beyond it,
   * new streams are not prefetched until idle ones are swept.
   */
  public static final int MAX_STREAMS = 256;

  /** Prefetches queued or running at once, by default. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 8;

  private static final long TOUCH_NANOS = Duration.ofMillis(100).toNanos();

  private final SegmentEvents events;
  private final CacheWarmer warmer;
  private final Executor registryThread;
  private final Executor loop;
  private final LongSupplier nanos;
  private final int maxInFlight;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final AtomicInteger busy = new AtomicInteger();
  private final Counter fetched;
  private final Counter cached;
  private final Counter dropped;
  private final Counter failed;
  private volatile boolean closed;

  /** One viewed stream: when a viewer last asked, and its topic subscription. */
  private final class Watch {
    final String stream;
    volatile long lastSeen;
    // Touched only on the registry thread (after the hand-over in viewed()).
    SegmentEvents.Subscription subscription;
    boolean subscribing = true;
    volatile boolean cancelled;

    Watch(String stream, long now) {
      this.stream = stream;
      this.lastSeen = now;
    }

    void subscribe() {
      if (cancelled || subscription != null) {
        subscribing = false;
        return;
      }
      try {
        subscription = events.subscribe(stream, this::announced);
        log.debug("prefetching new segments of {}", stream);
      } catch (RuntimeException e) {
        log.warn("cannot subscribe to segments of {} ({}); retrying", stream, e.toString());
      } finally {
        subscribing = false;
      }
    }

    void cancel() {
      cancelled = true;
      if (subscription != null) {
        try {
          subscription.close();
        } catch (RuntimeException e) {
          log.warn("cannot unsubscribe from segments of {}: {}", stream, e.toString());
        }
        subscription = null;
      }
    }

    /** On a registry thread: filter, then hop onto the prefetch loop. */
    void announced(SegmentAvailable event) {
      if (cancelled || closed || !stream.equals(event.stream())) {
        return;
      }
      MediaPath media;
      try {
        media = MediaPath.parse(event.stream(), event.path());
      } catch (MediaPath.InvalidPathException e) {
        failed.increment();
        log.debug("ignoring announced segment {}: {}", event.path(), e.getMessage());
        return;
      }
      if (warmer.cached(media.urlPath())) {
        cached.increment();
        return;
      }
      if (busy.incrementAndGet() > maxInFlight) {
        busy.decrementAndGet();
        dropped.increment();
        return;
      }
      try {
        loop.execute(() -> prefetch(media));
      } catch (RejectedExecutionException e) {
        busy.decrementAndGet();
        dropped.increment();
      }
    }
  }

  /**
   * @param registryThread runs subscribe and unsubscribe (they may block), one at a time
   * @param loop runs prefetch fills (an event loop context)
   * @param nanos monotonic time in nanoseconds
   * @param maxInFlight prefetches queued or running at once; more are dropped
   */
  public SegmentPrefetcher(
      SegmentEvents events,
      CacheWarmer warmer,
      Executor registryThread,
      Executor loop,
      LongSupplier nanos,
      int maxInFlight,
      MeterRegistry meters) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException(
          "prefetch max in flight must be at least 1, got " + maxInFlight);
    }
    this.events = events;
    this.warmer = warmer;
    this.registryThread = registryThread;
    this.loop = loop;
    this.nanos = nanos;
    this.maxInFlight = maxInFlight;
    this.fetched = counter(meters, "fetched");
    this.cached = counter(meters, "cached");
    this.dropped = counter(meters, "dropped");
    this.failed = counter(meters, "failed");
    Gauge.builder("relay_edge_prefetch_streams", watches, Map::size)
        .description("streams whose new segments are prefetched (viewed in the last 30 s)")
        .register(meters);
    Gauge.builder("relay_edge_prefetch_in_flight", busy, AtomicInteger::get)
        .description("prefetches queued or running")
        .register(meters);
  }

  private static Counter counter(MeterRegistry meters, String result) {
    return Counter.builder("relay_edge_prefetch")
        .description(
            "announced segments: fetched ahead of viewers, already cached, dropped (too many in"
                + " flight) or failed")
        .tag("result", result)
        .register(meters);
  }

  /** A viewer asked for something of {@code stream}. Hot path: cheap, never blocks. */
  public void viewed(String stream) {
    if (closed) {
      return;
    }
    long now = nanos.getAsLong();
    Watch w = watches.get(stream);
    if (w == null) {
      if (watches.size() >= MAX_STREAMS) {
        return;
      }
      Watch created = new Watch(stream, now);
      w = watches.putIfAbsent(stream, created);
      if (w == null) {
        onRegistryThread(created);
        return;
      }
    }
    if (now - w.lastSeen > TOUCH_NANOS) {
      w.lastSeen = now;
    }
  }

  private void onRegistryThread(Watch w) {
    execute(w::subscribe);
  }

  /** Unsubscribes idle streams and retries failed subscriptions. Call about once a second. */
  public void sweep() {
    long now = nanos.getAsLong();
    long idle = IDLE_AFTER.toNanos();
    for (Watch w : watches.values()) {
      if (now - w.lastSeen > idle) {
        if (watches.remove(w.stream, w)) {
          log.debug("no viewers of {} for {}: prefetch stopped", w.stream, IDLE_AFTER);
          execute(w::cancel);
        }
      } else {
        execute(
            () -> {
              if (w.subscription == null && !w.subscribing && !w.cancelled) {
                w.subscribing = true;
                w.subscribe();
              }
            });
      }
    }
  }

  /** Streams currently subscribed or being subscribed. */
  public List<String> streams() {
    return new ArrayList<>(watches.keySet());
  }

  /** Prefetches queued or running. */
  public int inFlight() {
    return busy.get();
  }

  /** Ends every subscription; completes once they are closed. */
  public CompletableFuture<Void> close() {
    closed = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    List<Watch> all = new ArrayList<>(watches.values());
    watches.clear();
    try {
      registryThread.execute(
          () -> {
            all.forEach(Watch::cancel);
            done.complete(null);
          });
    } catch (RejectedExecutionException e) {
      done.complete(null);
    }
    return done;
  }

  /** On the prefetch loop. */
  private void prefetch(MediaPath media) {
    try {
      warmer.warm(
          media,
          outcome -> {
            busy.decrementAndGet();
            switch (outcome) {
              case FETCHED -> fetched.increment();
              case CACHED -> cached.increment();
              case FAILED -> {
                failed.increment();
                log.debug("prefetch of {} failed", media.urlPath());
              }
            }
          });
    } catch (RuntimeException e) {
      busy.decrementAndGet();
      failed.increment();
      log.warn("prefetch of {} failed: {}", media.urlPath(), e.toString());
    }
  }

  private void execute(Runnable task) {
    try {
      registryThread.execute(task);
    } catch (RejectedExecutionException e) {
      // Closing: nothing left to do.
    }
  }
}
