package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.EdgeHarness.CACHE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request coalescing, the edge's reason to exist during a live event: when 500 viewers ask for a
 * segment nobody has fetched yet, the upstream sees exactly one request; every viewer gets the
 * complete, identical bytes; one response is the MISS and the rest say COALESCED (or HIT if they
 * arrived after the object was complete). Waiters are fed as bytes arrive, not when the upstream
 * finishes: the upstream holds back its last piece until the test has seen a coalesced waiter's
 * first body bytes.
 */
class CoalescingIT {
  private static final String SEGMENT = "/live/room1/seg_7.ts";
  private static final int VIEWERS = 500;
  private static final byte[] BODY = ItWork.bytes(400 * 1024 + 17, 7);

  @Test
  @Timeout(90)
  void fiveHundredViewersOfANewSegmentCostOneUpstreamRequest() throws Exception {
    CompletableFuture<Void> releaseLast = new CompletableFuture<>();
    CompletableFuture<Void> upstreamFinished = new CompletableFuture<>();
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try (ScriptedHttpServer upstream = ScriptedHttpServer.start()) {
      upstream.on(
          SEGMENT,
          ScriptedHttpServer.slow(
              BODY,
              Duration.ofMillis(500),
              8,
              Duration.ofMillis(100),
              releaseLast,
              upstreamFinished));
      EdgeConfig config =
          EdgeHarness.config(upstream.baseUrl())
              // The held last piece must not trip the edge's idle timeout on a slow machine.
              .idleTimeout(Duration.ofSeconds(30))
              .build();
      try (EdgeHarness edge = EdgeHarness.start(config)) {
        HttpClient client =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(executor)
                .build();
        CountDownLatch waiterGotBytes = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>(VIEWERS);
        URI uri = URI.create(edge.liveUrl("room1", "seg_7.ts"));
        for (int i = 0; i < VIEWERS; i++) {
          HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build();
          responses.add(
              client.sendAsync(
                  request,
                  info ->
                      new FirstBytesSubscriber(
                          info.headers().firstValue(CACHE_HEADER).orElse(""),
                          waiterGotBytes::countDown)));
        }

        boolean streamed = waiterGotBytes.await(30, TimeUnit.SECONDS);
        boolean finishedBeforeRelease = upstreamFinished.isDone();
        releaseLast.complete(null);
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new))
            .handle((v, e) -> null)
            .get(60, TimeUnit.SECONDS);

        Map<String, Integer> cacheValues = new TreeMap<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> failures = new TreeMap<>();
        int identical = 0;
        for (CompletableFuture<HttpResponse<byte[]>> f : responses) {
          if (f.isCompletedExceptionally()) {
            failures.merge(String.valueOf(f.handle((r, e) -> e).join()), 1, Integer::sum);
            continue;
          }
          HttpResponse<byte[]> r = f.join();
          statuses.merge(r.statusCode(), 1, Integer::sum);
          cacheValues.merge(r.headers().firstValue(CACHE_HEADER).orElse("(none)"), 1, Integer::sum);
          if (java.util.Arrays.equals(BODY, r.body())) {
            identical++;
          }
        }

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(streamed)
            .as(
                "a COALESCED waiter received body bytes while the upstream still held its last"
                    + " piece (the edge must relay bytes as they arrive)")
            .isTrue();
        soft.assertThat(finishedBeforeRelease).as("upstream finished before release").isFalse();
        soft.assertThat(failures).as("requests that failed, by error").isEmpty();
        soft.assertThat(statuses).as("statuses").isEqualTo(Map.of(200, VIEWERS));
        soft.assertThat(identical).as("complete, identical bodies").isEqualTo(VIEWERS);
        soft.assertThat(upstream.requests(SEGMENT))
            .as("upstream requests for %s", SEGMENT)
            .isEqualTo(1);
        soft.assertThat(cacheValues.getOrDefault("MISS", 0))
            .as("MISS answers among %s", cacheValues)
            .isEqualTo(1);
        soft.assertThat(cacheValues.keySet())
            .as("X-Relay-Cache values")
            .isSubsetOf("MISS", "COALESCED", "HIT");
        soft.assertThat(cacheValues.getOrDefault("COALESCED", 0))
            .as("COALESCED answers among %s", cacheValues)
            .isPositive();

        HttpTestClient.Response after = edge.http().get(uri);
        soft.assertThat(after.header(CACHE_HEADER)).as("a later request").isEqualTo("HIT");
        soft.assertThat(after.body()).isEqualTo(BODY);
        soft.assertThat(upstream.requests(SEGMENT)).as("upstream requests at the end").isEqualTo(1);
        soft.assertThat(edge.metrics()).as("edge /metrics").contains("relay_edge_");
        soft.assertAll();
      }
    } finally {
      releaseLast.complete(null);
      executor.shutdownNow();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * Collects a body like {@code BodySubscribers.ofByteArray()} and reports the first non-empty
   * piece of a COALESCED response.
   */
  private static final class FirstBytesSubscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final HttpResponse.BodySubscriber<byte[]> delegate =
        HttpResponse.BodySubscribers.ofByteArray();
    private final boolean coalesced;
    private final Runnable onFirstBytes;
    private boolean seen;

    FirstBytesSubscriber(String cacheValue, Runnable onFirstBytes) {
      this.coalesced = "COALESCED".equals(cacheValue);
      this.onFirstBytes = onFirstBytes;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return delegate.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      delegate.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      if (coalesced && !seen && item.stream().anyMatch(ByteBuffer::hasRemaining)) {
        seen = true;
        onFirstBytes.run();
      }
      delegate.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
      delegate.onError(throwable);
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }
  }
}
