package dev.segmentrelay.edge.overflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.edge.overflow.OverflowWriter.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OverflowWriterTest {
  private final List<String> put = new ArrayList<>();
  private final List<Outcome> drops = new ArrayList<>();
  private final List<String> written = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private final AtomicBoolean up = new AtomicBoolean(true);
  private CompletableFuture<Void> answer = CompletableFuture.completedFuture(null);

  private final OverflowWriter writer =
      new OverflowWriter(
          2,
          (key, body, type, meta) -> {
            put.add(key + ":" + body.length);
            return answer;
          },
          up::get,
          new OverflowWriter.Listener() {
            @Override
            public void dropped(Outcome reason) {
              drops.add(reason);
            }

            @Override
            public void written(String key) {
              written.add(key);
            }

            @Override
            public void failed(String key, Throwable error) {
              failed.add(key);
            }
          },
          1000);

  private static OverflowWriter.Write write(String key) {
    return new OverflowWriter.Write(key, () -> new byte[3], "video/mp2t", Map.of());
  }

  @Test
  void aFullQueueDropsAtOnceAndCounts() throws Exception {
    assertThat(writer.offer(write("a"))).isEqualTo(Outcome.QUEUED);
    assertThat(writer.offer(write("b"))).isEqualTo(Outcome.QUEUED);
    assertThat(writer.offer(write("c"))).isEqualTo(Outcome.DROPPED_FULL);
    assertThat(writer.depth()).isEqualTo(2);
    assertThat(drops).containsExactly(Outcome.DROPPED_FULL);

    assertThat(writer.runOnce(0)).isTrue();
    assertThat(writer.depth()).isEqualTo(1);
    assertThat(writer.offer(write("d"))).isEqualTo(Outcome.QUEUED);
    while (writer.runOnce(0)) {
      // drain
    }
    assertThat(put).containsExactly("a:3", "b:3", "d:3");
    assertThat(written).containsExactly("a", "b", "d");
    assertThat(writer.depth()).isZero();
  }

  @Test
  void s3DownDropsWithoutQueueingAndQueuedWritesAreDroppedToo() throws Exception {
    assertThat(writer.offer(write("a"))).isEqualTo(Outcome.QUEUED);
    up.set(false);
    assertThat(writer.offer(write("b"))).isEqualTo(Outcome.DROPPED_DOWN);
    assertThat(writer.runOnce(0)).isTrue();
    assertThat(put).isEmpty();
    assertThat(drops).containsExactly(Outcome.DROPPED_DOWN, Outcome.DROPPED_DOWN);
    assertThat(writer.depth()).isZero();
  }

  @Test
  void aFailedPutIsCountedAndFreesItsSlot() throws Exception {
    answer = CompletableFuture.failedFuture(new IllegalStateException("503"));
    writer.offer(write("a"));
    writer.runOnce(0);
    assertThat(failed).containsExactly("a");
    assertThat(written).isEmpty();
    assertThat(writer.depth()).isZero();
  }
}
