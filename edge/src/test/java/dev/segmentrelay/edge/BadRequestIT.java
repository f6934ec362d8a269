package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.EdgeHarness.CACHE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.RawHttpClient;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge's front door: requests outside the URL space (path traversal in every encoding, NUL,
 * unknown extensions, over-long paths, bad stream names, methods other than GET and HEAD) are
 * answered with a 4xx JSON error and never reach the upstream; on a cached segment, a single range
 * answers 206 with exactly those bytes, a malformed or unsatisfiable range a 416/400 JSON error, a
 * matching {@code If-None-Match} 304, and HEAD the headers with the length but no body.
 */
class BadRequestIT {
  private static final String SEGMENT = "/live/room1/seg_1.ts";
  private static final byte[] BODY = ItWork.bytes(1000, 42);

  /** Requests the edge must refuse, as {@code METHOD target}; targets are sent as written. */
  private static final List<String> REFUSED =
      List.of(
          "GET /live/room1/../room2/seg_1.ts",
          "GET /live/room1/stream_0/../../room2/seg_1.ts",
          "GET /live/room1/%2e%2e/room2/seg_1.ts",
          "GET /live/room1/%2E%2E%2Froom2%2Fseg_1.ts",
          "GET /live/room1/..\\room2\\seg_1.ts",
          "GET /live/room1/..%5croom2%5cseg_1.ts",
          "GET /live/room1/a%5C..%5C..%5Cseg_1.ts",
          "GET /live/room1/seg_1%00.ts",
          "GET /live/room1/seg_1.ts%00.m3u8",
          "GET /live/room1/.hidden.ts",
          "GET /live/room1/seg_1.exe",
          "GET /live/room1/index.html",
          "GET /live/room1/seg_1",
          "GET /live/room1/" + "a".repeat(600) + ".ts",
          "GET /live/Room1/seg_1.ts",
          "GET /live/-room1/seg_1.ts",
          "POST " + SEGMENT,
          "PUT " + SEGMENT,
          "DELETE " + SEGMENT,
          "PUT /live/room1/index.m3u8");

  @Test
  @Timeout(60)
  void requestsOutsideTheUrlSpaceAreRefusedWithJsonAndNeverReachUpstream() {
    try (ScriptedHttpServer upstream = ScriptedHttpServer.start()) {
      upstream.otherwise(ScriptedHttpServer.ok(BODY, "video/mp2t"));
      try (EdgeHarness edge = EdgeHarness.start(EdgeHarness.config(upstream.baseUrl()).build())) {
        SoftAssertions soft = new SoftAssertions();
        for (String request : REFUSED) {
          String method = request.substring(0, request.indexOf(' '));
          String target = request.substring(request.indexOf(' ') + 1);
          RawHttpClient.Response r = RawHttpClient.exchange(edge.port(), method, target);
          String what = shorten(request);
          soft.assertThat(r.status()).as("%s: %s", what, r).isBetween(400, 499);
          soft.check(() -> EdgeHarness.assertJsonError(r, what));
          if (!method.equals("GET")) {
            soft.assertThat(r.status()).as("%s status", what).isEqualTo(405);
          }
        }
        soft.assertThat(liveRequests(upstream)).as("requests that reached the upstream").isEmpty();
        soft.assertAll();
      }
    }
  }

  @Test
  @Timeout(60)
  void rangesConditionalsAndHeadOnACachedSegment() {
    try (ScriptedHttpServer upstream = ScriptedHttpServer.start()) {
      upstream.on(SEGMENT, ScriptedHttpServer.ok(BODY, "video/mp2t", "ETag", "\"3e8-5f1c2a\""));
      try (EdgeHarness edge = EdgeHarness.start(EdgeHarness.config(upstream.baseUrl()).build())) {
        RawHttpClient.Response first = edge.raw(SEGMENT);
        assertThat(first.status()).as("first GET: %s", first).isEqualTo(200);
        assertThat(first.body()).isEqualTo(BODY);
        assertThat(first.header(CACHE_HEADER)).isEqualTo("MISS");
        assertThat(first.header("X-Relay-Edge")).isEqualTo("edge-it");
        RawHttpClient.Response second = edge.awaitHit(SEGMENT);
        assertThat(second.body()).isEqualTo(BODY);
        String etag = second.header("ETag");
        assertThat(etag).as("ETag of a cached segment").isNotBlank();

        SoftAssertions soft = new SoftAssertions();
        RawHttpClient.Response range = edge.raw(SEGMENT, "Range: bytes=0-99");
        soft.assertThat(range.status()).as("Range bytes=0-99: %s", range).isEqualTo(206);
        soft.assertThat(range.body()).isEqualTo(Arrays.copyOf(BODY, 100));
        soft.assertThat(range.header("Content-Range")).isEqualTo("bytes 0-99/" + BODY.length);
        soft.assertThat(range.complete()).isTrue();

        RawHttpClient.Response tail = edge.raw(SEGMENT, "Range: bytes=900-");
        soft.assertThat(tail.status()).as("Range bytes=900-: %s", tail).isEqualTo(206);
        soft.assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(BODY, 900, BODY.length));

        for (String bad :
            List.of("bytes=abc-def", "bytes=99-0", "bytes=--5", "bytes=5000-6000", "bytes=")) {
          RawHttpClient.Response r = edge.raw(SEGMENT, "Range: " + bad);
          soft.assertThat(r.status()).as("Range %s: %s", bad, r).isIn(400, 416);
          soft.check(() -> EdgeHarness.assertJsonError(r, "Range " + bad));
        }

        RawHttpClient.Response notModified = edge.raw(SEGMENT, "If-None-Match: " + etag);
        soft.assertThat(notModified.status())
            .as("If-None-Match %s: %s", etag, notModified)
            .isEqualTo(304);
        soft.assertThat(notModified.body()).isEmpty();
        RawHttpClient.Response otherTag = edge.raw(SEGMENT, "If-None-Match: \"not-it\"");
        soft.assertThat(otherTag.status()).as("If-None-Match other: %s", otherTag).isEqualTo(200);
        soft.assertThat(otherTag.body()).isEqualTo(BODY);

        RawHttpClient.Response head = RawHttpClient.exchange(edge.port(), "HEAD", SEGMENT);
        soft.assertThat(head.status()).as("HEAD: %s", head).isEqualTo(200);
        soft.assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(BODY.length));
        soft.assertThat(head.header(CACHE_HEADER)).isEqualTo("HIT");
        // Read to the end of the connection: a HEAD answer carrying a body would show here.
        RawHttpClient.Response headAsGet =
            RawHttpClient.send(
                edge.port(),
                ("HEAD " + SEGMENT + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                false);
        soft.assertThat(headAsGet.body()).as("bytes after a HEAD answer").isEmpty();

        soft.assertThat(upstream.requests(SEGMENT))
            .as("upstream requests for the segment (%s)", upstream.requestLog())
            .isEqualTo(1);
        soft.assertAll();
      }
    }
  }

  /** Upstream requests other than health probes. */
  private static List<String> liveRequests(ScriptedHttpServer upstream) {
    return upstream.requestLog().stream()
        .filter(r -> !r.substring(r.indexOf(' ') + 1).startsWith("/health/"))
        .toList();
  }

  private static String shorten(String request) {
    return request.length() > 80 ? request.substring(0, 80) + "…" : request;
  }
}
