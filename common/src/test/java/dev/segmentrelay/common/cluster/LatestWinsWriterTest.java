package dev.segmentrelay.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatestWinsWriterTest {
  @Test
  void whileAWriteIsStuckNewerWritesOfTheSameKeyReplaceOlderOnes() throws Exception {
    LatestWinsWriter writer = new LatestWinsWriter("test-writer");
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> done = new CopyOnWriteArrayList<>();
    try {
      writer.submit(
          "edge/a",
          () -> {
            stuck.countDown();
            await(release);
            done.add("a1");
          });
      assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
      // The first write is waiting on a (frozen) partition owner; reports keep coming.
      for (int i = 2; i <= 100; i++) {
        String name = "a" + i;
        writer.submit("edge/a", () -> done.add(name));
      }
      writer.submit("stream/room1", () -> done.add("room1"));
      release.countDown();
      assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(done).containsExactly("a1", "a100", "room1");
    } finally {
      writer.close();
    }
  }

  @Test
  void aFailingWriteDoesNotStopTheWriter() throws Exception {
    LatestWinsWriter writer = new LatestWinsWriter("test-writer");
    List<String> done = new CopyOnWriteArrayList<>();
    try {
      writer.submit(
          "x",
          () -> {
            throw new IllegalStateException("member left");
          });
      writer.submit("y", () -> done.add("y"));
      assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(done).containsExactly("y");
    } finally {
      writer.close();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
