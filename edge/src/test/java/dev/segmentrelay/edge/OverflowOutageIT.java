package dev.segmentrelay.edge;

import static dev.segmentrelay.edge.OverflowIt.get;
import static dev.segmentrelay.edge.OverflowIt.metric;
import static dev.segmentrelay.edge.OverflowIt.settle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.S3ProxyPeer;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import dev.segmentrelay.common.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * S3 killed mid-run: viewers keep getting every segment (memory or upstream) with no error, writes
 * are dropped and counted, the tier goes down; S3 restarted: the tier comes back and serves hits.
 * Also: a required tier on a dead S3 refuses to start, an optional one starts switched off and
 * switches on when S3 answers.
 */
@Timeout(60)
class OverflowOutageIT {
  @Test
  void viewersKeepPlayingWhileS3IsDownAndTheTierRecovers() {
    try (S3ProxyPeer s3 = S3ProxyPeer.start(ItWorkDirs.freshDirectory(OverflowOutageIT.class));
        ScriptedHttpServer upstream = OverflowIt.upstream(60);
        EdgeHarness edge =
            EdgeHarness.start(
                OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "o/"), "edge-o"))) {
      for (int i = 0; i < 10; i++) {
        get(edge, i);
      }
      settle(edge);
      assertThat(metric(edge, "relay_edge_overflow_writes_total", "result=\"ok\"")).isPositive();

      s3.kill();
      // Old segments (some in S3, lookups fail) and new ones (evictions: writes fail, then drop).
      int next = 10;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 10; i++) {
          get(edge, i); // asserts 200 and the bytes
        }
        get(edge, next++);
      }
      Waits.until(
          "tier to go DOWN and drop writes",
          Duration.ofSeconds(20),
          () -> {
            get(edge, 10 + (int) (Math.random() * 30));
            return metric(edge, "relay_s3_up") == 0
                && metric(edge, "relay_edge_overflow_dropped_total", "s3_down") > 0;
          });
      assertThat(metric(edge, "relay_edge_overflow_enabled")).isZero();
      assertThat(metric(edge, "relay_edge_requests_total", "cache=\"ERROR\"")).isZero();

      s3.restart();
      Waits.until(
          "tier to come back UP", Duration.ofSeconds(20), () -> metric(edge, "relay_s3_up") == 1);
      double writtenBefore = metric(edge, "relay_edge_overflow_writes_total", "result=\"ok\"");
      for (int i = 40; i < 50; i++) {
        get(edge, i);
      }
      settle(edge);
      assertThat(metric(edge, "relay_edge_overflow_writes_total", "result=\"ok\""))
          .isGreaterThan(writtenBefore);
      List<String> answers = new ArrayList<>();
      for (int i = 40; i < 50; i++) {
        answers.add(get(edge, i));
        settle(edge);
      }
      assertThat(answers).as("served from S3 again after the restart").contains("S3");
    }
  }

  @Test
  void aRequiredTierOnADeadS3FailsTheStartAnOptionalOneSwitchesOnLater() throws Exception {
    try (S3ProxyPeer s3 = S3ProxyPeer.start(ItWorkDirs.freshDirectory(OverflowOutageIT.class));
        ScriptedHttpServer upstream = OverflowIt.upstream(10)) {
      s3.kill();
      EdgeConfig required =
          OverflowIt.edgeConfig(
              upstream, OverflowIt.tier(s3.settings(), "r/").withRequired(true), "edge-r");
      assertThatThrownBy(
              () ->
                  EdgeMain.start(required)
                      .toCompletionStage()
                      .toCompletableFuture()
                      .get(30, TimeUnit.SECONDS))
          .hasMessageContaining("S3 tier unusable")
          .hasMessageContaining(s3.settings().endpoint().toString());

      try (EdgeHarness edge =
          EdgeHarness.start(
              OverflowIt.edgeConfig(upstream, OverflowIt.tier(s3.settings(), "r/"), "edge-p"))) {
        assertThat(metric(edge, "relay_edge_overflow_enabled")).isZero();
        get(edge, 1);
        s3.restart();
        Waits.until(
            "optional tier to switch on",
            Duration.ofSeconds(20),
            () -> metric(edge, "relay_edge_overflow_enabled") == 1);
      }
    }
  }
}
