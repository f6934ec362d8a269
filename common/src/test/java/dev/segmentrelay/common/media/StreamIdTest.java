package dev.segmentrelay.common.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamIdTest {
  @Test
  void acceptsTheDocumentedAlphabet() {
    assertThat(StreamId.isValid("a")).isTrue();
    assertThat(StreamId.isValid("room1")).isTrue();
    assertThat(StreamId.isValid("9_talk-2")).isTrue();
    assertThat(StreamId.isValid("a".repeat(64))).isTrue();
  }

  @Test
  void refusesEverythingElse() {
    assertThat(StreamId.isValid(null)).isFalse();
    assertThat(StreamId.isValid("")).isFalse();
    assertThat(StreamId.isValid("a".repeat(65))).isFalse();
    assertThat(StreamId.isValid("_a")).isFalse();
    assertThat(StreamId.isValid("-a")).isFalse();
    assertThat(StreamId.isValid("Room")).isFalse();
    assertThat(StreamId.isValid("a.b")).isFalse();
    assertThat(StreamId.isValid("a/b")).isFalse();
    assertThatThrownBy(() -> new StreamId("Room 1")).hasMessageContaining("'Room 1'");
  }
}
