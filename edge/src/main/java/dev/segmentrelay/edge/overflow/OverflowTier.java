package dev.segmentrelay.edge.overflow;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.s3.S3StoreException;
import dev.segmentrelay.edge.cache.CacheObserver;
import dev.segmentrelay.edge.cache.CachedObject;
import dev.segmentrelay.edge.upstream.UpstreamListener;
import dev.segmentrelay.edge.upstream.UpstreamResponse;
import dev.segmentrelay.edge.upstream.Upstreams;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.net.URI;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's S3 overflow tier, between the memory tier and the upstreams.
 *
 * <p><b>Writes.</b> A complete 200 segment evicted from memory for size ({@link CacheObserver})
 * goes to a bounded {@link OverflowWriter} queue; writer threads copy the body out and put it under
 * {@link OverflowConfig#keyOf} with its ETag and Last-Modified as metadata. A full queue, or S3
 * switched off or down, drops the write with a count: the event loop never waits for S3. A key this
 * edge already knows to be in S3 is not written again.
 *
 * <p><b>Reads.</b> The tier wraps the real {@link Upstreams}, so coalescing stays where it is: the
 * one fill that {@code EdgeCache} starts for a key asks here first. A segment the {@link
 * LiveWindow} calls LIVE (listed in, or newer than, the newest playlist of its rendition), or
 * UNKNOWN and not known to be in S3, goes upstream at once with no S3 request; only an OLD (or
 * known-in-S3) segment is looked up. A hit is fed to the fill as a 200 response with header {@link
 * #SOURCE_HEADER}, so it lands in memory like any fetch and the viewer sees {@code X-Relay-Cache:
 * S3}; a miss, any S3 error (a damaged object included: S3Store verifies the checksum), the lookup
 * timeout or the tier being down sends the fill upstream as before. Viewers never see an S3-caused
 * error; listener calls are hopped back onto the fetch's Vert.x context.
 *
 * <p><b>Retention.</b> A sweeper lists the prefix every {@code sweepInterval} (first run at a
 * random point in the first interval, so edges sharing a prefix spread out) and deletes what {@link
 * SweepPlan} selects.
 *
 * <p><b>Availability.</b> Usable = switched on and {@link
 * dev.segmentrelay.common.s3.S3Availability} UP. An optional tier whose start check failed starts
 * switched off (one WARN) and a probe switches it on when the bucket answers (one INFO).
 *
 * <p>Metrics: {@code relay_edge_overflow_lookups_total{result}}, {@code
 * relay_edge_overflow_writes_total{result}}, {@code relay_edge_overflow_dropped_total{reason}},
 * {@code relay_edge_overflow_queue_depth}, {@code relay_edge_overflow_enabled}, {@code
 * relay_edge_overflow_swept_total}, {@code relay_edge_overflow_hit_ratio}; the S3 calls themselves
 * are {@code relay_s3_*} of {@link S3Store}.
 */
public final class OverflowTier implements CacheObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OverflowTier.class);

  /** Response header (edge-internal, never sent to viewers) marking a fill answered from S3. */
  public static final String SOURCE_HEADER = "X-Relay-Source";

  public static final String SOURCE_S3 = "s3";

  private static final URI S3_URI = URI.create("s3:overflow");
  private static final String META_ETAG = "etag";
  private static final String META_LAST_MODIFIED = "last-modified";

  /** Outcome of a memory miss as far as the tier is concerned. */
  enum Lookup {
    HIT("hit"),
    MISS("miss"),
    ERROR("error"),
    SKIPPED_LIVE("skipped_live"),
    SKIPPED_DOWN("skipped_down");

    final String label;

    Lookup(String label) {
      this.label = label;
    }
  }

  private final OverflowConfig config;
  private final S3Store store;
  private final Clock clock;
  private final LiveWindow window;
  private final Cache<String, Boolean> knownInS3;
  private final OverflowWriter writer;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean enabled = new AtomicBoolean();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final Map<Lookup, Counter> lookups = new EnumMap<>(Lookup.class);
  private final Map<OverflowWriter.Outcome, Counter> dropped =
      new EnumMap<>(OverflowWriter.Outcome.class);
  private final Counter writesOk;
  private final Counter writesFailed;
  private final Counter swept;
  private volatile boolean closed;
  private volatile S3Reader reader;

  OverflowTier(OverflowConfig config, S3Store store, MeterRegistry meters, Clock clock, Ticker t) {
    this.config = config;
    this.store = store;
    this.clock = clock;
    this.window = new LiveWindow(t);
    this.knownInS3 =
        Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterWrite(config.maxAge())
            .ticker(t)
            .executor(Runnable::run)
            .build();
    for (Lookup l : Lookup.values()) {
      lookups.put(
          l,
          Counter.builder("relay_edge_overflow_lookups")
              .description("memory misses of segments, by what the S3 overflow tier did")
              .tag("result", l.label)
              .register(meters));
    }
    dropped.put(OverflowWriter.Outcome.DROPPED_FULL, dropCounter(meters, "queue_full"));
    dropped.put(OverflowWriter.Outcome.DROPPED_DOWN, dropCounter(meters, "s3_down"));
    writesOk = writeCounter(meters, "ok");
    writesFailed = writeCounter(meters, "error");
    swept =
        Counter.builder("relay_edge_overflow_swept")
            .description("objects the sweeper deleted (age or size bound)")
            .register(meters);
    this.writer =
        new OverflowWriter(
            config.writeQueueCapacity(),
            (path, body, type, meta) -> store.put(OverflowConfig.keyOf(path), body, type, meta),
            this::usable,
            new WriterEvents(),
            config.s3().callTimeout().toMillis() + 1000);
    Gauge.builder("relay_edge_overflow_queue_depth", writer, OverflowWriter::depth)
        .description("evicted segments queued or being written to S3")
        .register(meters);
    Gauge.builder("relay_edge_overflow_hit_ratio", this, OverflowTier::hitRatio)
        .description(
            "S3 lookups that found the segment, over all lookups made (hit, miss, error) since"
                + " start; for a window use rate() of relay_edge_overflow_lookups_total")
        .register(meters);
    Gauge.builder("relay_edge_overflow_enabled", this, o -> o.usable() ? 1 : 0)
        .description("1 while the overflow tier is switched on and S3 is up")
        .register(meters);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "edge-overflow-sweeper");
              thread.setDaemon(true);
              return thread;
            });
  }

  private static Counter dropCounter(MeterRegistry meters, String reason) {
    return Counter.builder("relay_edge_overflow_dropped")
        .description("evicted segments not written to S3 (queue full, or S3 off or down)")
        .tag("reason", reason)
        .register(meters);
  }

  private static Counter writeCounter(MeterRegistry meters, String result) {
    return Counter.builder("relay_edge_overflow_writes")
        .description("evicted segments written to S3, by result")
        .tag("result", result)
        .register(meters);
  }

  /**
   * Opens the S3 store and checks the bucket. A required tier whose check fails fails the returned
   * future with {@link S3Store#requireUsable}'s error (the store is closed); an optional one
   * completes with the tier switched off and a probe running.
   */
  public static CompletableFuture<OverflowTier> open(OverflowConfig config, MeterRegistry meters) {
    S3Store store = S3Store.open(config.s3(), config.storeOptions(), meters);
    OverflowTier tier =
        new OverflowTier(config, store, meters, Clock.systemUTC(), Ticker.systemTicker());
    return store
        .requireUsable(config.createBucket())
        .handle(
            (ok, error) -> {
              if (error == null) {
                tier.enabled.set(true);
                log.info(
                    "S3 overflow tier on: {} prefix '{}{}'",
                    config.s3().describe(),
                    config.s3().keyPrefix(),
                    OverflowConfig.KEY_ROOT);
                tier.startBackground();
                return CompletableFuture.completedFuture(tier);
              }
              Throwable cause = error.getCause() != null ? error.getCause() : error;
              if (config.required()) {
                tier.close();
                return CompletableFuture.<OverflowTier>failedFuture(cause);
              }
              log.warn(
                  "S3 overflow tier OFF (optional): {}; the edge serves from memory and upstream"
                      + " and switches the tier on when S3 answers",
                  cause.getMessage());
              tier.startBackground();
              tier.scheduleEnableProbe(config.storeOptions().minProbeBackoff().toMillis());
              return CompletableFuture.completedFuture(tier);
            })
        .thenCompose(f -> f);
  }

  private void startBackground() {
    writer.start(config.writerThreads());
    long interval = config.sweepInterval().toMillis();
    scheduler.scheduleWithFixedDelay(
        this::sweep,
        ThreadLocalRandom.current().nextLong(interval / 2, interval + 1),
        interval,
        TimeUnit.MILLISECONDS);
  }

  private void scheduleEnableProbe(long delayMillis) {
    if (closed) {
      return;
    }
    scheduler.schedule(
        () ->
            store
                .checkBucket()
                .whenComplete(
                    (ok, error) -> {
                      if (error == null) {
                        enabled.set(true);
                        log.info("S3 overflow tier ON: {} answers", config.s3().describe());
                      } else {
                        long next =
                            Math.min(
                                delayMillis * 2,
                                config.storeOptions().maxProbeBackoff().toMillis());
                        scheduleEnableProbe(next);
                      }
                    }),
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  private double hitRatio() {
    double hits = lookups.get(Lookup.HIT).count();
    double made = hits + lookups.get(Lookup.MISS).count() + lookups.get(Lookup.ERROR).count();
    return made == 0 ? 0 : hits / made;
  }

  /** Whether the tier is switched on and S3 is up (a volatile read or two). */
  public boolean usable() {
    return enabled.get() && store.availability().isUp() && !closed;
  }

  public S3Store store() {
    return store;
  }

  /**
   * The real upstreams behind this tier: segments outside the live window are tried here first,
   * read from S3 on {@code vertx}'s event loops ({@link S3Reader}).
   */
  public Upstreams wrap(Upstreams upstreams, Vertx vertx) {
    reader = new S3Reader(vertx, store, config.lookupTimeout());
    return new Upstreams() {
      @Override
      public void fetch(String pathAndQuery, UpstreamListener listener) {
        OverflowTier.this.fetch(pathAndQuery, listener, upstreams);
      }

      @Override
      public Future<Void> close() {
        return upstreams.close();
      }
    };
  }

  // ---- CacheObserver (event loop) -------------------------------------------------------------

  @Override
  public void evicted(String key, CachedObject object) {
    if (!key.startsWith("/live/") || key.indexOf('?') >= 0) {
      return;
    }
    if (knownInS3.getIfPresent(key) != null) {
      return; // already there (written by us or served from there)
    }
    Map<String, String> meta = new HashMap<>();
    meta.put(META_ETAG, object.etag());
    meta.put(META_LAST_MODIFIED, object.lastModified());
    Buffer body = object.body();
    writer.offer(
        new OverflowWriter.Write(
            key,
            body::getBytes,
            ObjectKind.contentType(key.substring(key.lastIndexOf('/') + 1)),
            meta));
  }

  @Override
  public void liveDocument(MediaPath media, Buffer body) {
    window.update(media.urlPath(), media.kind(), body.getBytes());
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Where a memory miss goes. */
  enum Route {
    /** Not a segment (playlist, MPD, query): not the tier's business, not counted. */
    NOT_A_SEGMENT(null),
    /** In or after the live window: upstream at once, no S3 request. */
    LIVE(Lookup.SKIPPED_LIVE),
    /** Old, but the tier is off or S3 is down. */
    TIER_DOWN(Lookup.SKIPPED_DOWN),
    /** Old: S3 first, upstream on a miss or any failure. */
    LOOK_UP(null);

    /** The lookup counted when the route skips S3, null otherwise. */
    final Lookup skipped;

    Route(Lookup skipped) {
      this.skipped = skipped;
    }
  }

  Route decide(String path) {
    Optional<ObjectKind> kind = ObjectKind.of(path.substring(path.lastIndexOf('/') + 1));
    if (kind.isEmpty() || kind.get().isLive() || path.indexOf('?') >= 0) {
      return Route.NOT_A_SEGMENT;
    }
    LiveWindow.Position position = window.position(path);
    boolean old =
        position == LiveWindow.Position.OLD
            || (position == LiveWindow.Position.UNKNOWN && knownInS3.getIfPresent(path) != null);
    if (!old) {
      return Route.LIVE;
    }
    return usable() ? Route.LOOK_UP : Route.TIER_DOWN;
  }

  private void fetch(String path, UpstreamListener listener, Upstreams upstreams) {
    Route route = decide(path);
    if (route != Route.LOOK_UP) {
      if (route.skipped != null) {
        lookups.get(route.skipped).increment();
      }
      upstreams.fetch(path, listener);
      return;
    }
    S3Reader r = reader;
    if (r == null) {
      upstreams.fetch(path, listener); // not wired to an event loop: no S3 reads
      return;
    }
    r.get(
        OverflowConfig.keyOf(path),
        new S3Reader.Result() {
          @Override
          public void found(Buffer body, HttpClientResponse head) {
            lookups.get(Lookup.HIT).increment();
            knownInS3.put(path, Boolean.TRUE);
            serve(body, head, listener);
          }

          @Override
          public void missing() {
            lookups.get(Lookup.MISS).increment();
            knownInS3.invalidate(path);
            upstreams.fetch(path, listener);
          }

          @Override
          public void failed(S3StoreException why) {
            lookups.get(Lookup.ERROR).increment();
            log.debug("S3 lookup of {} failed, going upstream: {}", path, why.getMessage());
            if (why.kind() == S3StoreException.Kind.INCOMPLETE) {
              knownInS3.invalidate(path); // let a later eviction write it again
            }
            upstreams.fetch(path, listener);
          }
        });
  }

  private static void serve(Buffer body, HttpClientResponse answer, UpstreamListener listener) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    headers.add("Content-Length", Integer.toString(body.length()));
    String type = answer.getHeader("Content-Type");
    if (type != null) {
      headers.add("Content-Type", type);
    }
    headers.add(SOURCE_HEADER, SOURCE_S3);
    String etag = answer.getHeader("x-amz-meta-" + META_ETAG);
    if (etag != null) {
      headers.add("ETag", etag);
    }
    String lastModified = answer.getHeader("x-amz-meta-" + META_LAST_MODIFIED);
    if (lastModified != null) {
      headers.add("Last-Modified", lastModified);
    }
    listener.onHead(new UpstreamResponse(200, headers, S3_URI));
    listener.onBody(body); // S3Reader's direct buffer: the memory tier keeps it without a copy
  }

  // ---- retention ---------------------------------------------------------------------------

  /** One sweep: list the prefix, delete what {@link SweepPlan} selects. Skipped when unusable. */
  CompletableFuture<Integer> sweep() {
    if (!usable() || !sweeping.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(0);
    }
    return store
        .list(OverflowConfig.KEY_ROOT)
        .thenCompose(
            listing -> {
              List<String> victims =
                  SweepPlan.select(listing, clock.instant(), config.maxAge(), config.maxBytes());
              return store.delete(victims).thenApply(v -> victims);
            })
        .handle(
            (victims, error) -> {
              sweeping.set(false);
              if (error != null) {
                log.debug("overflow sweep failed: {}", error.toString());
                return 0;
              }
              for (String key : victims) {
                knownInS3.invalidate("/live/" + key.substring(OverflowConfig.KEY_ROOT.length()));
              }
              swept.increment(victims.size());
              if (!victims.isEmpty()) {
                log.info("overflow sweep deleted {} objects", victims.size());
              }
              return victims.size();
            });
  }

  /** Writes queued or in flight. */
  public int queueDepth() {
    return writer.depth();
  }

  @Override
  public void close() {
    closed = true;
    S3Reader r = reader;
    if (r != null) {
      r.close();
    }
    scheduler.shutdownNow();
    writer.close();
    store.close();
  }

  private final class WriterEvents implements OverflowWriter.Listener {
    @Override
    public void dropped(OverflowWriter.Outcome reason) {
      Counter c = dropped.get(reason);
      if (c != null) {
        c.increment();
      }
    }

    @Override
    public void written(String key) {
      knownInS3.put(key, Boolean.TRUE);
      writesOk.increment();
    }

    @Override
    public void failed(String key, Throwable error) {
      writesFailed.increment();
      log.debug("overflow write of {} failed: {}", key, error.toString());
    }
  }
}
