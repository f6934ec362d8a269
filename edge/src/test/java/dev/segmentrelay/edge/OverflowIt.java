package dev.segmentrelay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.s3.S3Settings;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.edge.overflow.OverflowConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The fixture of the overflow-tier ITs: an upstream with ten old segments ({@code seg_0..9}, 200
 * KiB each) and a live playlist of three newer ones ({@code seg_20..22}) in {@code room1/v0/}, a 1
 * MiB memory tier (so about five segments fit and the rest are evicted), and metric reads.
 */
final class OverflowIt {
  static final String DIR = "/live/room1/v0/";
  static final int SEGMENT_BYTES = 200 * 1024;

  private OverflowIt() {}

  static byte[] segment(int n) {
    return ItWork.bytes(SEGMENT_BYTES, 1000 + n);
  }

  static String playlist() {
    StringBuilder b =
        new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:20\n");
    for (int i = 20; i <= 22; i++) {
      b.append("#EXTINF:2.0,\nseg_").append(i).append(".ts\n");
    }
    return b.toString();
  }

  /** Serves segments {@code 0..count-1} and {@code 20..22} and the live playlist. */
  static ScriptedHttpServer upstream(int count) {
    ScriptedHttpServer upstream = ScriptedHttpServer.start();
    for (int i = 0; i < count; i++) {
      upstream.on(DIR + "seg_" + i + ".ts", ScriptedHttpServer.ok(segment(i), "video/mp2t"));
    }
    for (int i = 20; i <= 22; i++) {
      upstream.on(DIR + "seg_" + i + ".ts", ScriptedHttpServer.ok(segment(i), "video/mp2t"));
    }
    upstream.on(
        DIR + "index.m3u8",
        ScriptedHttpServer.ok(
            playlist().getBytes(StandardCharsets.UTF_8), "application/vnd.apple.mpegurl"));
    return upstream;
  }

  /** A tier on {@code s3} under {@code prefix}, probing fast, sweeping rarely. */
  static OverflowConfig tier(S3Settings s3, String prefix) {
    return OverflowConfig.defaults(s3.withKeyPrefix(prefix))
        .withStoreOptions(
            S3Store.Options.defaults()
                .withProbeBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)));
  }

  static EdgeConfig edgeConfig(ScriptedHttpServer upstream, OverflowConfig tier, String id) {
    return EdgeHarness.config(upstream.baseUrl())
        .id(id)
        .cacheSize(1024 * 1024)
        .overflow(tier)
        .build();
  }

  /**
   * GET {@code seg_n} through {@code edge}: must be 200 with the right bytes; returns
   * X-Relay-Cache.
   */
  static String get(EdgeHarness edge, int n) {
    HttpTestClient.Response r = edge.http().get(edge.liveUrl("room1", "v0/seg_" + n + ".ts"));
    assertThat(r.status()).as("seg_%s: %s", n, r).isEqualTo(200);
    assertThat(r.body()).as("seg_%s body", n).isEqualTo(segment(n));
    return r.header(EdgeHarness.CACHE_HEADER);
  }

  /** Waits until every eviction so far has been written (or dropped): the queue is empty. */
  static void settle(EdgeHarness edge) {
    Waits.until(
        "overflow write queue to drain",
        Duration.ofSeconds(15),
        () -> metric(edge, "relay_edge_overflow_queue_depth") == 0);
  }

  /** Sum of the samples of {@code name} whose labels contain every {@code labels} part. */
  static double metric(EdgeHarness edge, String name, String... labels) {
    double sum = 0;
    for (String line : edge.metrics().split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
