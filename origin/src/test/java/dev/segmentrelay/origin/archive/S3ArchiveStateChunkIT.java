package dev.segmentrelay.origin.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.S3ProxyPeer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * State chunks against a real S3 API server (S3Proxy): written under {@code
 * archive/{stream}/state/{name}.json}, read back, and kept when a queue that backed up during an S3
 * outage drops its oldest writes.
 */
class S3ArchiveStateChunkIT {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(90)
  void aStateChunkQueuedDuringAnOutageIsNeverDroppedToMakeRoom() throws Exception {
    Path work = ItWorkDirs.freshDirectory(S3ArchiveStateChunkIT.class);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (S3ProxyPeer s3 = S3ProxyPeer.start(work.resolve("s3"));
        S3Archive archive =
            new S3Archive(
                S3Store.open(
                    s3.settings(),
                    S3Store.Options.defaults()
                        .withProbeBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)),
                    meters),
                Duration.ofMinutes(5),
                meters)) {
      s3.kill();
      archive.writeSegment("room", "first.ts", Buffer.buffer("first"));
      archive.writeStateChunk("room", "e1-0-0", () -> utf8("{\"chunk\":0}"));
      archive.writeState("room", () -> utf8("{\"head\":1}"));
      // More than the queue holds: the oldest waiting writes go, the chunk does not.
      for (int i = 0; i < S3Archive.QUEUE_CAPACITY + 40; i++) {
        archive.writeSegment("room", "s" + i + ".ts", Buffer.buffer("s" + i));
      }
      archive.writeState("room", () -> utf8("{\"head\":2}"));
      s3.restart();
      assertThat(archive.drain(Duration.ofSeconds(60))).as("queue drained").isTrue();

      assertThat(archive.readStateChunk("room", "e1-0-0").await())
          .map(b -> new String(b, StandardCharsets.UTF_8))
          .contains("{\"chunk\":0}");
      assertThat(s3.objectFile(S3ProxyPeer.BUCKET, "archive/room/state/e1-0-0.json")).exists();
      assertThat(archive.readState("room").await())
          .map(b -> new String(b, StandardCharsets.UTF_8))
          .contains("{\"head\":2}");
      assertThat(archive.readStateChunk("room", "e1-0-9").await()).isEqualTo(Optional.empty());
      assertThat(writes(meters, "segment", "dropped")).isGreaterThanOrEqualTo(40);
      assertThat(writes(meters, "statechunk", "dropped")).isZero();
      assertThat(writes(meters, "statechunk", "ok")).isEqualTo(1);
    }
  }

  private static double writes(SimpleMeterRegistry meters, String kind, String result) {
    Counter c =
        meters
            .find("relay_origin_archive_writes")
            .tag("kind", kind)
            .tag("result", result)
            .counter();
    return c == null ? 0 : c.count();
  }
}
