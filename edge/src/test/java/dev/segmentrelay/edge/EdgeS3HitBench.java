package dev.segmentrelay.edge;

import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.testing.S3ProxyPeer;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.edge.overflow.OverflowConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What an S3-tier hit costs over a memory hit, through a real edge ({@link EdgeMain#start}) in
 * front of a loopback S3Proxy: for each segment size, {@code segments} segments that together
 * exceed the memory tier are fetched once (MISS, then evicted and written to S3); then, cycling
 * over them, each segment is requested twice in a row: the first answer (normally {@code
 * X-Relay-Cache: S3}) times the S3 path, the second ({@code HIT}) the memory path. Answers are
 * classified by the header, not assumed. One client, sequential, keep-alive, whole body read. The
 * first 2,000 pairs (or a quarter of the iterations, if more) are not timed: the edge's S3 path
 * must be JIT-compiled like a running edge's, or the bench measures the interpreter.
 *
 * <p>Run: {@code bench/edge-s3-hit.sh [ITERATIONS]} (args: work dir, iterations per size, and
 * optionally the segment sizes in bytes, comma-separated).
 */
public final class EdgeS3HitBench {
  private static final int WARM_S3_GETS = 5000;

  private EdgeS3HitBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int iterations = Integer.parseInt(args[1]);
    System.out.println(
        "| segment | path | samples | p50 | p90 | p99 | mean |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    try (S3ProxyPeer s3 = S3ProxyPeer.start(work)) {
      int[] sizes =
          args.length > 2
              ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
              : new int[] {100 * 1024, 1024 * 1024};
      for (int size : sizes) {
        run(s3, size, iterations);
      }
    }
  }

  private static void run(S3ProxyPeer s3, int size, int iterations) throws Exception {
    long cache = Math.max(4L * size + size / 2, 1L << 20); // holds 4 (1 MiB) to 10 (100 KiB)
    int segments = (int) Math.max(24, 5 * cache / size); // most first requests miss memory
    try (ScriptedHttpServer upstream = ScriptedHttpServer.start()) {
      for (int i = 0; i < segments; i++) {
        upstream.on(
            "/live/bench/s_" + i + ".ts",
            ScriptedHttpServer.ok(ItWork.bytes(size, i), "video/mp2t"));
      }
      OverflowConfig tier =
          OverflowConfig.defaults(s3.settings().withKeyPrefix("b" + size + "/"))
              .withStoreOptions(S3Store.Options.defaults())
              .withCreateBucket(true);
      EdgeConfig config =
          EdgeHarness.config(upstream.baseUrl()).cacheSize(cache).overflow(tier).build();
      try (EdgeHarness edge = EdgeHarness.start(config)) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int round = 0; round < 3; round++) { // fill S3 (every segment evicted at least once)
          for (int i = 0; i < segments; i++) {
            get(client, edge, i);
            OverflowIt.settle(edge);
          }
        }
        // S3Proxy (a fresh JVM) and the SDK need thousands of requests before their JIT settles
        // (S3Proxy cold: ~3 ms a GET, warm: under 1 ms, section s3-store): warm both on the same
        // objects with a second store in this JVM before anything is timed.
        try (S3Store warm = S3Store.open(tier.s3(), new SimpleMeterRegistry())) {
          long[] direct = new long[WARM_S3_GETS / 2];
          for (int w = 0; w < WARM_S3_GETS; w++) {
            long start = System.nanoTime();
            warm.get(OverflowConfig.keyOf("/live/bench/s_" + (w % segments) + ".ts"))
                .get(10, TimeUnit.SECONDS);
            if (w >= WARM_S3_GETS - direct.length) {
              direct[w - (WARM_S3_GETS - direct.length)] = System.nanoTime() - start;
            }
          }
          String label = size / 1024 >= 1024 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
          row(label, "S3Store.get alone, same objects, warm", direct, direct.length);
          long[] mixed = new long[600];
          for (int w = 0; w < mixed.length; w++) {
            long start = System.nanoTime();
            warm.get(OverflowConfig.keyOf("/live/bench/s_" + (w % segments) + ".ts"))
                .get(10, TimeUnit.SECONDS);
            mixed[w] = System.nanoTime() - start;
            get(client, edge, w % segments);
            get(client, edge, w % segments);
          }
          row(label, "S3Store.get between edge requests", mixed, mixed.length);
          long[] sign = new long[5000];
          for (int w = 0; w < sign.length; w++) {
            long start = System.nanoTime();
            warm.presignGet(OverflowConfig.keyOf("/live/bench/s_" + (w % segments) + ".ts"));
            sign[w] = System.nanoTime() - start;
          }
          row(label, "presignGet", sign, sign.length);
        }
        long[] s3Times = new long[iterations];
        long[] memTimes = new long[iterations];
        int ns = 0;
        int nm = 0;
        int other = 0;
        int warm = Math.max(iterations / 4, 2000);
        for (int n = 0; n < iterations + warm; n++) {
          int i = n % segments;
          long t0 = System.nanoTime();
          String first = get(client, edge, i);
          long t1 = System.nanoTime();
          String second = get(client, edge, i);
          long t2 = System.nanoTime();
          if (n < warm) {
            continue;
          }
          if ("S3".equals(first)) {
            s3Times[ns++] = t1 - t0;
          } else {
            other++;
          }
          if ("HIT".equals(second)) {
            memTimes[nm++] = t2 - t1;
          }
          if (n % segments == 0) {
            OverflowIt.settle(edge); // let evictions reach S3 off the timed path
          }
        }
        String label = size / 1024 >= 1024 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
        row(label, "memory HIT", memTimes, nm);
        row(label, "S3-tier hit (X-Relay-Cache: S3)", s3Times, ns);
        System.out.printf(
            Locale.ROOT,
            "<!-- %s: first requests not served from S3: %d; S3 GETs %.0f (mean %.2f ms inside"
                + " S3Store); lookups skipped_live %.0f, hit %.0f, miss %.0f, error %.0f -->%n",
            label,
            other,
            OverflowIt.metric(edge, "relay_s3_requests_total", "operation=\"get\""),
            1000
                * OverflowIt.metric(edge, "relay_s3_request_seconds_sum", "operation=\"get\"")
                / Math.max(
                    1,
                    OverflowIt.metric(edge, "relay_s3_request_seconds_count", "operation=\"get\"")),
            OverflowIt.metric(edge, "relay_edge_overflow_lookups_total", "skipped_live"),
            OverflowIt.metric(edge, "relay_edge_overflow_lookups_total", "result=\"hit\""),
            OverflowIt.metric(edge, "relay_edge_overflow_lookups_total", "result=\"miss\""),
            OverflowIt.metric(edge, "relay_edge_overflow_lookups_total", "result=\"error\""));
      }
    }
  }

  private static String get(HttpClient client, EdgeHarness edge, int i) throws Exception {
    HttpResponse<java.io.InputStream> r =
        client.send(
            HttpRequest.newBuilder(URI.create(edge.liveUrl("bench", "s_" + i + ".ts")))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    String cache = r.headers().firstValue(EdgeHarness.CACHE_HEADER).orElse("");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("s_" + i + " answered " + r.statusCode());
    }
    try (java.io.InputStream in = r.body()) {
      in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "s_" + i + " (X-Relay-Cache: " + cache + ") broke off: " + e.getMessage(), e);
    }
    return cache;
  }

  private static void row(String size, String path, long[] times, int n) {
    if (n == 0) {
      System.out.printf("| %s | %s | 0 | | | | |%n", size, path);
      return;
    }
    long[] t = Arrays.copyOf(times, n);
    Arrays.sort(t);
    double mean = Arrays.stream(t).average().orElse(0);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %d | %.3f ms | %.3f ms | %.3f ms | %.3f ms |%n",
        size,
        path,
        n,
        t[(int) (n * 0.50)] / 1e6,
        t[(int) (n * 0.90)] / 1e6,
        t[Math.min(n - 1, (int) (n * 0.99))] / 1e6,
        mean / 1e6);
  }
}
