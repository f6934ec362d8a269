package dev.segmentrelay.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.edge.upstream.UpstreamException;
import dev.segmentrelay.edge.upstream.UpstreamListener;
import dev.segmentrelay.edge.upstream.UpstreamResponse;
import dev.segmentrelay.edge.upstream.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EdgeCacheTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<String> fetched = new ArrayList<>();
  private final List<UpstreamListener> listeners = new ArrayList<>();
  private final Upstreams upstreams =
      new Upstreams() {
        @Override
        public void fetch(String pathAndQuery, UpstreamListener listener) {
          fetched.add(pathAndQuery);
          listeners.add(listener);
        }

        @Override
        public Future<Void> close() {
          return Future.succeededFuture();
        }
      };
  private final EdgeCache cache =
      new EdgeCache(
          1024 * 1024,
          new CachePolicy(Duration.ofSeconds(1)),
          Duration.ofSeconds(30),
          now::get,
          upstreams);

  private static MediaPath path(String p) {
    return MediaPath.parse("room1", p);
  }

  private EdgeCache.Lookup lookup(String p) {
    MediaPath media = path(p);
    return cache.lookup(media.urlPath(), media, media.urlPath());
  }

  private static UpstreamResponse head(int status, String... headers) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return new UpstreamResponse(status, h, URI.create("http://origin"));
  }

  /** Completes the most recent fetch with a 200 and {@code body}. */
  private void answer(String body, String... headers) {
    UpstreamListener l = listeners.get(listeners.size() - 1);
    l.onHead(head(200, headers));
    l.onChunk(Buffer.buffer(body.substring(0, body.length() / 2)));
    l.onChunk(Buffer.buffer(body.substring(body.length() / 2)));
    l.onEnd();
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void concurrentMissesShareOneUpstreamFetch() {
    EdgeCache.Lookup first = lookup("s/1.ts");
    assertThat(first)
        .isInstanceOfSatisfying(EdgeCache.Joined.class, j -> assertThat(j.created()).isTrue());
    for (int i = 0; i < 100; i++) {
      assertThat(lookup("s/1.ts"))
          .isInstanceOfSatisfying(EdgeCache.Joined.class, j -> assertThat(j.created()).isFalse());
    }
    assertThat(fetched).containsExactly("/live/room1/s/1.ts");
    assertThat(cache.waiters()).isZero();
  }

  @Test
  void aCompletedFetchBecomesAHitWithTheWholeBody() {
    lookup("s/1.ts");
    answer("0123456789");
    EdgeCache.Lookup again = lookup("s/1.ts");
    assertThat(again)
        .isInstanceOfSatisfying(
            EdgeCache.Hit.class,
            h -> assertThat(h.object().body().toString()).isEqualTo("0123456789"));
    assertThat(fetched).hasSize(1);
  }

  @Test
  void aBodyIsStoredTheMomentItsAnnouncedLengthArrives() {
    lookup("s/1.ts");
    UpstreamListener l = listeners.get(0);
    l.onHead(head(200, "Content-Length", "10"));
    l.onChunk(Buffer.buffer("01234"));
    assertThat(lookup("s/1.ts")).isInstanceOf(EdgeCache.Joined.class);
    l.onChunk(Buffer.buffer("56789"));
    // Before the upstream even reported its end: a viewer's next request is already a HIT.
    assertThat(lookup("s/1.ts")).isInstanceOf(EdgeCache.Hit.class);
    l.onEnd();
    l.onError(new UpstreamException(UpstreamException.Cause.RESET, "closed afterwards"));
    assertThat(lookup("s/1.ts")).isInstanceOf(EdgeCache.Hit.class);
    assertThat(fetched).hasSize(1);
  }

  @Test
  void cachedBodiesAreDirectButNotCountedAgainstNettysOwnLimit() {
    // Netty fails its own allocations (socket buffers) once the direct memory it counts reaches
    // the limit, without a GC; evicted bodies wait for the GC, so they must not be counted there.
    long nettyBefore = io.netty.util.internal.PlatformDependent.usedDirectMemory();
    lookup("s/1.ts");
    answer("x".repeat(200_000));
    CachedObject stored = ((EdgeCache.Hit) lookup("s/1.ts")).object();
    assertThat(
            ((io.vertx.core.internal.buffer.BufferInternal) stored.body()).getByteBuf().isDirect())
        .isTrue();
    assertThat(io.netty.util.internal.PlatformDependent.usedDirectMemory() - nettyBefore)
        .isLessThan(200_000);
  }

  @Test
  void aWholeBodyHandedOverIsKeptAsItIsWithoutACopy() {
    lookup("s/1.ts");
    io.netty.buffer.ByteBuf direct = UpstreamListener.directBody(5);
    direct.writeBytes(new byte[] {1, 2, 3, 4, 5});
    Buffer whole = io.vertx.core.internal.buffer.BufferInternal.buffer(direct);
    UpstreamListener l = listeners.get(0);
    l.onHead(head(200, "Content-Length", "5"));
    l.onBody(whole);
    CachedObject stored = ((EdgeCache.Hit) lookup("s/1.ts")).object();
    assertThat(stored.body()).isSameAs(whole);
    assertThat(stored.body().getBytes()).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void aWholeBodyAfterChunksIsAppendedLikeAnyChunk() {
    lookup("s/1.ts");
    UpstreamListener l = listeners.get(0);
    l.onHead(head(200));
    l.onChunk(Buffer.buffer("ab"));
    l.onBody(Buffer.buffer("cd"));
    CachedObject stored = ((EdgeCache.Hit) lookup("s/1.ts")).object();
    assertThat(stored.body().toString()).isEqualTo("abcd");
  }

  @Test
  void aBodyThatBreaksOffIsNeverCached() {
    lookup("s/1.ts");
    UpstreamListener l = listeners.get(0);
    l.onHead(head(200, "Content-Length", "10"));
    l.onChunk(Buffer.buffer("01234"));
    l.onError(new UpstreamException(UpstreamException.Cause.RESET, "reset"));
    assertThat(lookup("s/1.ts"))
        .isInstanceOfSatisfying(EdgeCache.Joined.class, j -> assertThat(j.created()).isTrue());
    assertThat(fetched).hasSize(2);
    assertThat(cache.entries()).isZero();
  }

  @Test
  void segmentsAreImmutableAndNeverExpire() {
    lookup("s/1.ts");
    answer("segment");
    advance(Duration.ofDays(2));
    assertThat(lookup("s/1.ts")).isInstanceOf(EdgeCache.Hit.class);
  }

  @Test
  void playlistsLiveHalfATargetDuration() {
    lookup("s/index.m3u8");
    answer("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n");
    advance(Duration.ofMillis(1900));
    assertThat(lookup("s/index.m3u8")).isInstanceOf(EdgeCache.Hit.class);
    advance(Duration.ofMillis(200));
    assertThat(lookup("s/index.m3u8")).isInstanceOf(EdgeCache.Joined.class);
    assertThat(fetched).hasSize(2);
  }

  @Test
  void aShorterUpstreamMaxAgeWins() {
    lookup("s/index.m3u8");
    answer("#EXTM3U\n#EXT-X-TARGETDURATION:10\n", "Cache-Control", "public, max-age=1");
    advance(Duration.ofMillis(1100));
    assertThat(lookup("s/index.m3u8")).isInstanceOf(EdgeCache.Joined.class);
  }

  @Test
  void noStorePlaylistsAreCoalescedButNotCached() {
    lookup("s/index.m3u8");
    answer("#EXTM3U\n#EXT-X-TARGETDURATION:10\n", "Cache-Control", "no-store");
    assertThat(lookup("s/index.m3u8")).isInstanceOf(EdgeCache.Joined.class);
  }

  @Test
  void notFoundIsCachedForTheNegativeTtl() {
    lookup("s/9.ts");
    UpstreamListener l = listeners.get(0);
    l.onHead(head(404));
    l.onChunk(Buffer.buffer("<html>not found</html>"));
    l.onEnd();
    assertThat(lookup("s/9.ts"))
        .isInstanceOfSatisfying(
            EdgeCache.Hit.class, h -> assertThat(h.object().status()).isEqualTo(404));
    advance(Duration.ofMillis(1100));
    assertThat(lookup("s/9.ts")).isInstanceOf(EdgeCache.Joined.class);
  }

  @Test
  void theLastGoodPlaylistStaysAvailableForTheStaleWindow() {
    lookup("s/index.m3u8");
    answer("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    advance(Duration.ofSeconds(5));
    String key = path("s/index.m3u8").urlPath();
    assertThat(lookup("s/index.m3u8")).isInstanceOf(EdgeCache.Joined.class); // expired
    listeners.get(1).onError(new UpstreamException(UpstreamException.Cause.CONNECT, "down"));
    assertThat(cache.stale(key)).isPresent();
    advance(Duration.ofSeconds(26));
    assertThat(cache.stale(key)).isEmpty();
  }

  @Test
  void theTierStaysWithinItsSize() {
    String body = "x".repeat(100 * 1024);
    for (int i = 0; i < 30; i++) {
      lookup("s/" + i + ".ts");
      answer(body);
    }
    assertThat(cache.bytes()).isLessThanOrEqualTo(1024 * 1024);
    assertThat(cache.entries()).isLessThan(30);
    assertThat(cache.evictions()).isPositive();
  }

  @Test
  void anObjectLargerThanAQuarterOfTheTierIsNotCached() {
    lookup("s/big.ts");
    UpstreamListener l = listeners.get(0);
    l.onHead(head(200));
    l.onChunk(Buffer.buffer(new byte[300 * 1024]));
    l.onEnd();
    assertThat(lookup("s/big.ts")).isInstanceOf(EdgeCache.Joined.class);
  }

  @Test
  void purgeRemovesOneKeyOrAPrefix() {
    lookup("s/1.ts");
    answer("a");
    lookup("s/2.ts");
    answer("b");
    assertThat(cache.purge("/live/room1/s/1.ts")).isTrue();
    assertThat(lookup("s/1.ts")).isInstanceOf(EdgeCache.Joined.class);
    assertThat(cache.purgePrefix("/live/room1/")).isEqualTo(1);
    assertThat(cache.entries()).isZero();
  }
}
