package dev.segmentrelay.edge.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.segmentrelay.common.http.Etags;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.edge.upstream.UpstreamException;
import dev.segmentrelay.edge.upstream.UpstreamResponse;
import dev.segmentrelay.edge.upstream.Upstreams;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's memory tier and its request coalescing.
 *
 * <p><b>Structure.</b> Complete objects live in a Caffeine {@link AsyncCache} weighted by body
 * bytes (plus a fixed per-entry estimate), bounded by {@code --cache-size}. Objects still arriving
 * from upstream live in a separate in-flight map of {@link Fill}s, because a waiter must be able to
 * stream a body before it is complete; a Caffeine entry only appears once the whole body is there,
 * so a truncated object can never be a cache entry.
 *
 * <p><b>Coalescing.</b> A miss does {@code computeIfAbsent} on the in-flight map: the first request
 * for a key creates the fill and starts one upstream fetch (MISS); every request until the fill
 * ends joins it (COALESCED). The completed object enters the cache before the fill leaves the map,
 * so a request always finds one or the other and never starts a second fetch for an object being
 * fetched.
 *
 * <p><b>Expiry.</b> Per entry ({@link CachePolicy}): segments never expire (they are immutable and
 * only evicted), playlists and MPDs after half a target duration or the upstream's max-age, 404s
 * after the negative TTL. Time comes from an injected {@link Ticker}.
 *
 * <p><b>Eviction and admission.</b> Caffeine's W-TinyLFU: new entries enter an LRU window and
 * compete for the main space by access frequency. That suits live video: a new segment is asked for
 * by every viewer within seconds and wins admission at once; a segment that left the playlist
 * window is no longer asked for, its frequency decays, and it is the first to go.
 *
 * <p><b>Stale on error.</b> The last good version of every playlist and MPD is also kept, apart
 * from the main cache, for {@code staleFor}; when every upstream fails it is served flagged STALE.
 */
public final class EdgeCache {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final AsyncCache<String, CachedObject> cache;
  private final Cache<String, CachedObject> lastGood;
  private final Map<String, Fill> inflight = new ConcurrentHashMap<>();
  private final CachePolicy policy;
  private final Ticker ticker;
  private final Upstreams upstreams;
  private final long maxObjectBytes;
  private final LongAdder evictions = new LongAdder();
  private final CacheObserver observer;

  /** The outcome of a lookup: a fresh cached object, or the fill to wait on. */
  public sealed interface Lookup permits Hit, Joined {}

  public record Hit(CachedObject object) implements Lookup {}

  /**
   * @param created true when this request started the upstream fetch (MISS)
   */
  public record Joined(Fill fill, boolean created) implements Lookup {}

  public EdgeCache(
      long maxBytes, CachePolicy policy, Duration staleFor, Ticker ticker, Upstreams upstreams) {
    this(maxBytes, policy, staleFor, ticker, upstreams, CacheObserver.NONE);
  }

  /**
   * @param observer told of segments evicted for size and of every stored playlist (the overflow
   *     tier); {@code upstreams} is then usually that tier's wrapper of the real upstreams
   */
  public EdgeCache(
      long maxBytes,
      CachePolicy policy,
      Duration staleFor,
      Ticker ticker,
      Upstreams upstreams,
      CacheObserver observer) {
    this.policy = policy;
    this.observer = observer;
    this.ticker = ticker;
    this.upstreams = upstreams;
    // One object may take at most a quarter of the tier, so one huge body cannot flush it.
    this.maxObjectBytes = Math.max(1, maxBytes / 4);
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((String k, CachedObject v) -> v.weight() + k.length())
            .expireAfter(new TtlExpiry())
            .ticker(ticker)
            .executor(Runnable::run)
            .removalListener(
                (String k,
                    CachedObject v,
                    com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                  if (cause.wasEvicted()) {
                    evictions.increment();
                  }
                  if (cause == com.github.benmanes.caffeine.cache.RemovalCause.SIZE
                      && v != null
                      && v.status() == 200
                      && !v.kind().isLive()) {
                    observer.evicted(k, v);
                  }
                })
            .buildAsync();
    this.lastGood =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(staleFor)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  /**
   * Finds {@code key}: a fresh cached object, or the fill that is (or now starts) fetching it from
   * {@code upstreamPath}. Runs on the requester's event loop; a fetch it starts runs there.
   */
  public Lookup lookup(String key, MediaPath media, String upstreamPath) {
    for (int attempt = 0; ; attempt++) {
      CachedObject fresh = fresh(key);
      if (fresh != null) {
        return new Hit(fresh);
      }
      Fill[] created = {null};
      Fill fill =
          inflight.computeIfAbsent(
              key,
              k -> {
                if (fresh(k) != null) {
                  return null; // completed between our look and the lock: serve the entry
                }
                created[0] = new Fill(k, media, maxObjectBytes, new Store());
                return created[0];
              });
      if (fill != null) {
        if (created[0] != null) {
          upstreams.fetch(upstreamPath, fill);
        }
        return new Joined(fill, created[0] != null);
      }
      if (attempt > 3) {
        // An entry that expires as fast as it is stored: fetch without coalescing.
        Fill solo = new Fill(key, media, maxObjectBytes, new Store());
        upstreams.fetch(upstreamPath, solo);
        return new Joined(solo, true);
      }
    }
  }

  /**
   * Whether a fresh entry for {@code key} is cached, without counting as an access (so a prefetch
   * check does not make an entry look popular to the eviction policy).
   */
  public boolean isCached(String key) {
    return cache.synchronous().policy().getIfPresentQuietly(key) != null;
  }

  /** A fresh entry, or null. */
  private CachedObject fresh(String key) {
    CompletableFuture<CachedObject> f = cache.getIfPresent(key);
    return f == null ? null : f.getNow(null);
  }

  /** The last good version of a playlist or MPD, within the stale window. */
  public Optional<CachedObject> stale(String key) {
    return Optional.ofNullable(lastGood.getIfPresent(key));
  }

  /** Removes one key; returns whether anything was cached under it. */
  public boolean purge(String key) {
    boolean present = cache.getIfPresent(key) != null || lastGood.getIfPresent(key) != null;
    cache.synchronous().invalidate(key);
    lastGood.invalidate(key);
    return present;
  }

  /** Removes every key starting with {@code prefix}; returns how many. */
  public int purgePrefix(String prefix) {
    int[] n = {0};
    cache
        .asMap()
        .keySet()
        .removeIf(
            k -> {
              boolean match = k.startsWith(prefix);
              if (match) {
                n[0]++;
              }
              return match;
            });
    lastGood.asMap().keySet().removeIf(k -> k.startsWith(prefix));
    return n[0];
  }

  public long bytes() {
    return cache.synchronous().policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  public long entries() {
    return cache.synchronous().estimatedSize();
  }

  public long evictions() {
    return evictions.sum();
  }

  /** Fills in flight and the viewers waiting on them. */
  public int waiters() {
    int n = 0;
    for (Fill f : inflight.values()) {
      n += f.waiterCount();
    }
    return n;
  }

  public long nowNanos() {
    return ticker.read();
  }

  /** Stores what a fill brought, then lets go of the fill (in that order). */
  private final class Store implements Fill.Completion {
    @Override
    public Optional<CachedObject> complete(Fill fill, UpstreamResponse head, Buffer body) {
      int status = head.status() / 100 == 2 ? 200 : head.status();
      long ttl =
          policy.ttlNanos(
              fill.media().kind(),
              status,
              Optional.ofNullable(head.headers().get("Cache-Control")),
              body);
      String etag = head.headers().get("ETag");
      String lastModified = head.headers().get("Last-Modified");
      CachedObject object =
          new CachedObject(
              status,
              fill.media().kind(),
              status == 200 ? body : Buffer.buffer(),
              etag != null ? etag : Etags.of(body),
              lastModified != null ? lastModified : HTTP_DATE.format(Instant.now()),
              ticker.read(),
              ttl);
      if (ttl > 0) {
        cache.put(fill.key(), CompletableFuture.completedFuture(object));
      }
      if (status == 200 && object.kind().isLive()) {
        lastGood.put(fill.key(), object);
        observer.liveDocument(fill.media(), body);
      }
      inflight.remove(fill.key(), fill);
      return Optional.of(object);
    }

    @Override
    public void failed(Fill fill, UpstreamException error) {
      inflight.remove(fill.key(), fill);
    }
  }

  private static final class TtlExpiry implements Expiry<String, CachedObject> {
    @Override
    public long expireAfterCreate(String key, CachedObject value, long currentTime) {
      return value.ttlNanos();
    }

    @Override
    public long expireAfterUpdate(
        String key, CachedObject value, long currentTime, long currentDuration) {
      return value.ttlNanos();
    }

    @Override
    public long expireAfterRead(
        String key, CachedObject value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
