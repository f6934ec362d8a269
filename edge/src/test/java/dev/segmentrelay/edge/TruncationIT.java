package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.EdgeHarness.CACHE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.RawHttpClient;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A body that breaks off upstream is never passed off as complete: the viewer's connection is cut
 * (or it gets a 5xx error), never a tidy 200 with a short body, and the broken object is not
 * cached, so the next viewer causes a new upstream fetch (MISS) instead of being served the
 * fragment. Once the upstream heals, the full bytes are served and then cached. Covered for a
 * {@code Content-Length} body cut by a TCP reset and a chunked body that stops without its last
 * chunk.
 */
class TruncationIT {
  private static final String SEGMENT = "/live/room1/seg_3.ts";
  private static final byte[] BODY = ItWork.bytes(256 * 1024, 3);

  @Test
  @Timeout(60)
  void contentLengthBodyCutByAResetIsNeitherServedWholeNorCached() {
    try (ScriptedHttpServer upstream = ScriptedHttpServer.startResetting()) {
      upstream.on(SEGMENT, ScriptedHttpServer.truncated(BODY, BODY.length / 2));
      checkTruncationIsNeverCached(upstream);
    }
  }

  @Test
  @Timeout(60)
  void chunkedBodyThatDiesMidwayIsNeitherServedWholeNorCached() {
    try (ScriptedHttpServer upstream = ScriptedHttpServer.start()) {
      upstream.on(SEGMENT, ScriptedHttpServer.chunkedThenDie(BODY, BODY.length / 2));
      checkTruncationIsNeverCached(upstream);
    }
  }

  private static void checkTruncationIsNeverCached(ScriptedHttpServer upstream) {
    try (EdgeHarness edge = EdgeHarness.start(EdgeHarness.config(upstream.baseUrl()).build())) {
      RawHttpClient.Response first = edge.raw(SEGMENT);
      assertTruthfulFailure(first, "first request");
      int afterFirst = upstream.requests(SEGMENT);
      assertThat(afterFirst).as("upstream requests after the first viewer").isPositive();

      RawHttpClient.Response second = edge.raw(SEGMENT);
      assertTruthfulFailure(second, "second request");
      assertThat(second.header(CACHE_HEADER))
          .as("second request is not served from cache: %s", second)
          .isNotIn("HIT", "COALESCED");
      assertThat(upstream.requests(SEGMENT))
          .as("the second viewer caused a new upstream fetch (%s)", upstream.requestLog())
          .isGreaterThan(afterFirst);

      upstream.on(SEGMENT, ScriptedHttpServer.ok(BODY, "video/mp2t"));
      // Bounded retry: a circuit breaker may refuse for a moment after the failures.
      RawHttpClient.Response healed =
          Waits.value(
              "a complete 200 once the upstream is fixed",
              Duration.ofSeconds(20),
              () -> {
                RawHttpClient.Response r = edge.raw(SEGMENT);
                if (r.status() == 200 && r.complete()) {
                  return Optional.of(r);
                }
                assertTruthfulFailure(r, "request while healing");
                return Optional.empty();
              });
      assertThat(healed.body()).as("healed body").isEqualTo(BODY);
      assertThat(healed.header(CACHE_HEADER)).as("healed answer: %s", healed).isEqualTo("MISS");
      int afterHealed = upstream.requests(SEGMENT);

      RawHttpClient.Response cached = edge.awaitHit(SEGMENT);
      assertThat(cached.status()).as("after healing: %s", cached).isEqualTo(200);
      assertThat(cached.complete()).isTrue();
      assertThat(cached.body()).isEqualTo(BODY);
      assertThat(upstream.requests(SEGMENT)).as("no fetch for the HIT").isEqualTo(afterHealed);
    }
  }

  /**
   * A broken fetch must reach the viewer as a cut connection, or as a complete 5xx error before any
   * body byte; never as a complete 200 (which would be short) and never as a hang.
   */
  private static void assertTruthfulFailure(RawHttpClient.Response r, String what) {
    assertThat(r.end()).as("%s must not hang: %s", what, r).isNotEqualTo(RawHttpClient.End.TIMEOUT);
    if (r.complete()) {
      assertThat(r.status())
          .as("%s ended cleanly, so it must be an error, not a short 200: %s", what, r)
          .isBetween(500, 599);
      EdgeHarness.assertJsonError(r, what);
    } else {
      assertThat(r.body().length)
          .as("%s was cut, with fewer bytes than the object: %s", what, r)
          .isLessThan(BODY.length);
    }
  }
}
