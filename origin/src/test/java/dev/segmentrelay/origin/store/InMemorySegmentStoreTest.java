package dev.segmentrelay.origin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.media.ObjectKind;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemorySegmentStoreTest {
  private static StoredObject segment(String rendition, String path, int size) {
    return object(rendition, path, size, ObjectKind.SEGMENT);
  }

  private static StoredObject object(String rendition, String path, int size, ObjectKind kind) {
    return new StoredObject(
        "room", rendition, path, kind, Buffer.buffer(new byte[size]), "\"e\"", Instant.EPOCH);
  }

  @Test
  void evictsOldestSegmentsOfARenditionBeyondItsCount() {
    InMemorySegmentStore store = new InMemorySegmentStore(3, 1_000_000);
    for (int i = 0; i < 5; i++) {
      store.put(segment("hi", "hi/" + i + ".ts", 10));
    }
    store.put(segment("lo", "lo/0.ts", 10));
    assertThat(store.contains("room", "hi/0.ts")).isFalse();
    assertThat(store.contains("room", "hi/1.ts")).isFalse();
    assertThat(store.contains("room", "hi/4.ts")).isTrue();
    assertThat(store.contains("room", "lo/0.ts")).isTrue();
    assertThat(store.totalObjects()).isEqualTo(4);
    assertThat(store.totalBytes()).isEqualTo(40);
  }

  @Test
  void evictsByBytesButKeepsTheNewestSegment() {
    InMemorySegmentStore store = new InMemorySegmentStore(100, 250);
    store.put(segment("hi", "a.ts", 100));
    store.put(segment("hi", "b.ts", 100));
    store.put(segment("hi", "c.ts", 100));
    assertThat(store.contains("room", "a.ts")).isFalse();
    assertThat(store.totalBytes()).isEqualTo(200);
    store.put(segment("hi", "huge.ts", 1000));
    assertThat(store.contains("room", "huge.ts")).isTrue();
    assertThat(store.totalObjects()).isEqualTo(1);
  }

  @Test
  void initSegmentsAreWindowedApartFromMediaSegments() {
    InMemorySegmentStore store = new InMemorySegmentStore(2, 1_000_000);
    store.put(object("hi", "init.mp4", 10, ObjectKind.INIT));
    for (int i = 0; i < 10; i++) {
      store.put(segment("hi", i + ".m4s", 10));
    }
    assertThat(store.contains("room", "init.mp4")).isTrue();
    for (int i = 0; i < InMemorySegmentStore.INIT_SEGMENTS_KEPT + 1; i++) {
      store.put(object("hi", "init" + i + ".mp4", 10, ObjectKind.INIT));
    }
    assertThat(store.contains("room", "init.mp4")).isFalse();
  }

  @Test
  void storingTheSameNameTwiceDoesNotLeakBytes() {
    InMemorySegmentStore store = new InMemorySegmentStore(5, 1_000);
    store.put(segment("hi", "a.ts", 10));
    store.put(segment("hi", "a.ts", 10));
    assertThat(store.totalBytes()).isEqualTo(10);
    assertThat(store.totalObjects()).isEqualTo(1);
  }

  @Test
  void removeStreamForgetsEverything() {
    InMemorySegmentStore store = new InMemorySegmentStore(5, 1_000);
    store.put(segment("hi", "a.ts", 10));
    store.removeStream("room");
    assertThat(store.totalBytes()).isZero();
    assertThat(store.contains("room", "a.ts")).isFalse();
  }

  @Test
  void rejectsNonsensicalBounds() {
    assertThatThrownBy(() -> new InMemorySegmentStore(0, 10)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> new InMemorySegmentStore(1, 0)).hasMessageContaining("positive");
  }
}
