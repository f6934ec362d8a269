package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.OverflowIt.DIR;
import static dev.segmentrelay.edge.OverflowIt.get;
import static dev.segmentrelay.edge.OverflowIt.metric;
import static dev.segmentrelay.edge.OverflowIt.settle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.s3.S3ObjectSummary;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.S3ProxyPeer;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import dev.segmentrelay.edge.overflow.OverflowConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge's S3 overflow tier against a real S3Proxy: evicted segments go to S3 and come back from
 * there byte-identical without asking the upstream again; a memory miss on a live segment makes no
 * S3 request; a damaged object is never served; two edges sharing a bucket share the segments. Each
 * test uses its own key prefix in one bucket. The sweeper keeps the prefix within its byte and age
 * bounds.
 */
@Timeout(60)
class OverflowTierIT {
  private static S3ProxyPeer s3;

  @BeforeAll
  static void startS3() {
    s3 = S3ProxyPeer.start(ItWorkDirs.freshDirectory(OverflowTierIT.class));
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void evictedSegmentsAreServedFromS3ByteIdenticalWithoutAskingUpstreamAgain() {
    try (ScriptedHttpServer upstream = OverflowIt.upstream(10);
        EdgeHarness edge =
            EdgeHarness.start(
                OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "t1/"), "edge-a"))) {
      for (int i = 0; i < 10; i++) {
        get(edge, i);
      }
      settle(edge);
      double written = metric(edge, "relay_edge_overflow_writes_total", "result=\"ok\"");
      assertThat(written).as("segments written to S3 after eviction").isGreaterThanOrEqualTo(4);
      assertThat(Files.exists(s3.objectFile(S3ProxyPeer.BUCKET, "t1/segments/room1/v0/seg_0.ts")))
          .as("keyed by media path under the prefix")
          .isTrue();

      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        answers.add(get(edge, i));
        settle(edge);
      }
      assertThat(answers).as("X-Relay-Cache of the second round").contains("S3");
      assertThat(answers).allMatch(a -> a.equals("HIT") || a.equals("S3"), "HIT or S3 only");
      for (int i = 0; i < 10; i++) {
        assertThat(upstream.requests(DIR + "seg_" + i + ".ts"))
            .as("upstream requests for seg_%s", i)
            .isEqualTo(1);
      }
      double hits = metric(edge, "relay_edge_overflow_lookups_total", "result=\"hit\"");
      assertThat(hits).isEqualTo(answers.stream().filter("S3"::equals).count());
      assertThat(metric(edge, "relay_edge_requests_total", "cache=\"S3\"")).isPositive();
      double looked =
          hits
              + metric(edge, "relay_edge_overflow_lookups_total", "result=\"miss\"")
              + metric(edge, "relay_edge_overflow_lookups_total", "result=\"error\"");
      assertThat(metric(edge, "relay_edge_overflow_hit_ratio"))
          .isCloseTo(hits / looked, org.assertj.core.data.Offset.offset(1e-9))
          .isPositive();
    }
  }

  @Test
  void aMemoryMissOnTheNewestLiveSegmentMakesNoS3RequestWhileAnOldEvictedOneDoes() {
    try (ScriptedHttpServer upstream = OverflowIt.upstream(10);
        EdgeHarness edge =
            EdgeHarness.start(
                OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "t3/"), "edge-l"))) {
      assertThat(edge.http().get(edge.liveUrl("room1", "v0/index.m3u8")).status()).isEqualTo(200);
      assertThat(get(edge, 22)).as("newest live segment").isEqualTo("MISS");
      assertThat(get(edge, 21)).isEqualTo("MISS");
      assertThat(metric(edge, "relay_s3_requests_total", "operation=\"get\""))
          .as("S3 GETs caused by memory misses on live segments")
          .isZero();
      assertThat(metric(edge, "relay_edge_overflow_lookups_total", "result=\"skipped_live\""))
          .isEqualTo(2);

      for (int i = 0; i < 10; i++) {
        get(edge, i); // old (below the window's start): looked up in S3 (a miss), then upstream
      }
      settle(edge);
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        answers.add(get(edge, i));
        settle(edge);
      }
      assertThat(answers).contains("S3");
      double gets = metric(edge, "relay_s3_requests_total", "operation=\"get\"");
      double looked =
          metric(edge, "relay_edge_overflow_lookups_total", "result=\"hit\"")
              + metric(edge, "relay_edge_overflow_lookups_total", "result=\"miss\"")
              + metric(edge, "relay_edge_overflow_lookups_total", "result=\"error\"");
      assertThat(gets).as("every S3 GET was a lookup of an old segment").isEqualTo(looked);
      assertThat(gets).isGreaterThanOrEqualTo(10);
    }
  }

  @Test
  void aDamagedObjectInS3IsNeverServedTheUpstreamAnswersInstead() throws IOException {
    try (ScriptedHttpServer upstream = OverflowIt.upstream(10);
        EdgeHarness edge =
            EdgeHarness.start(
                OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "t4/"), "edge-c"))) {
      for (int i = 0; i < 10; i++) {
        get(edge, i);
      }
      settle(edge);
      int damaged = 0;
      for (int i = 0; i < 10; i++) {
        Path file = s3.objectFile(S3ProxyPeer.BUCKET, "t4/segments/room1/v0/seg_" + i + ".ts");
        if (Files.exists(file)) {
          try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(1000);
            int b = f.read();
            f.seek(1000);
            f.write(b ^ 0xff); // same length, one byte flipped
          }
          damaged++;
        }
      }
      assertThat(damaged).isPositive();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        answers.add(get(edge, i)); // get() checks the bytes
      }
      assertThat(answers).doesNotContain("S3");
      assertThat(metric(edge, "relay_edge_overflow_lookups_total", "result=\"error\""))
          .isPositive();
      assertThat(metric(edge, "relay_s3_requests_total", "operation=\"get\"", "incomplete"))
          .isPositive();
    }
  }

  @Test
  void twoEdgesSharingABucketReadWhatTheOtherWrote() {
    try (ScriptedHttpServer upstream = OverflowIt.upstream(10);
        EdgeHarness a =
            EdgeHarness.start(
                OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "t5/"), "edge-a"));
        EdgeHarness b =
            EdgeHarness.start(
                OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "t5/"), "edge-b"))) {
      for (int i = 0; i < 10; i++) {
        get(a, i);
      }
      settle(a);
      List<Integer> written = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        if (Files.exists(
            s3.objectFile(S3ProxyPeer.BUCKET, "t5/segments/room1/v0/seg_" + i + ".ts"))) {
          written.add(i);
        }
      }
      assertThat(written).isNotEmpty();
      // Edge b learns the live window first: seg_0..9 are below it, so b asks S3.
      assertThat(b.http().get(b.liveUrl("room1", "v0/index.m3u8")).status()).isEqualTo(200);
      for (int i : written) {
        assertThat(get(b, i)).as("seg_%s at edge b", i).isEqualTo("S3");
        assertThat(upstream.requests(DIR + "seg_" + i + ".ts"))
            .as("upstream requests for seg_%s", i)
            .isEqualTo(1);
      }
    }
  }

  @Test
  void theSweeperBoundsTheTierByBytesAndAge() throws Exception {
    try (ScriptedHttpServer upstream = OverflowIt.upstream(16);
        S3Store lister =
            S3Store.open(s3.settings().withKeyPrefix("t6/"), new SimpleMeterRegistry());
        EdgeHarness bytes =
            EdgeHarness.start(
                OverflowIt.edgeConfig(
                    upstream,
                    OverflowIt.tier(s3.settings(), "t6/")
                        .withRetention(Duration.ofHours(1), 1024 * 1024, Duration.ofMillis(300)),
                    "edge-s"))) {
      for (int i = 0; i < 16; i++) {
        get(bytes, i); // ~11 of 16 evicted: over 2 MiB written
      }
      settle(bytes);
      assertThat(metric(bytes, "relay_edge_overflow_writes_total", "result=\"ok\""))
          .isGreaterThanOrEqualTo(8);
      Waits.until(
          "the sweeper to bring the prefix down to 1 MiB",
          Duration.ofSeconds(20),
          () -> storedBytes(lister) <= 1024 * 1024);
      assertThat(metric(bytes, "relay_edge_overflow_swept_total")).isPositive();
      List<String> kept =
          lister.list(OverflowConfig.KEY_ROOT).get(10, TimeUnit.SECONDS).stream()
              .map(S3ObjectSummary::key)
              .toList();
      assertThat(kept).as("the newest evictions stay").isNotEmpty().hasSizeLessThanOrEqualTo(5);
      for (int i = 0; i < 16; i++) {
        get(bytes, i); // swept or not, every segment still plays (S3, memory or upstream)
      }
    }
    try (ScriptedHttpServer upstream = OverflowIt.upstream(10);
        S3Store lister =
            S3Store.open(s3.settings().withKeyPrefix("t7/"), new SimpleMeterRegistry());
        EdgeHarness aged =
            EdgeHarness.start(
                OverflowIt.edgeConfig(
                    upstream,
                    OverflowIt.tier(s3.settings(), "t7/")
                        .withRetention(Duration.ofSeconds(1), 1L << 30, Duration.ofMillis(300)),
                    "edge-t"))) {
      for (int i = 0; i < 10; i++) {
        get(aged, i);
      }
      settle(aged);
      assertThat(metric(aged, "relay_edge_overflow_writes_total", "result=\"ok\"")).isPositive();
      Waits.until(
          "the sweeper to delete objects older than 1 s",
          Duration.ofSeconds(20),
          () -> lister.list(OverflowConfig.KEY_ROOT).get(10, TimeUnit.SECONDS).isEmpty());
      assertThat(metric(aged, "relay_edge_overflow_swept_total")).isPositive();
    }
  }

  private static long storedBytes(S3Store store) throws Exception {
    return store.list(OverflowConfig.KEY_ROOT).get(10, TimeUnit.SECONDS).stream()
        .mapToLong(S3ObjectSummary::size)
        .sum();
  }
}
