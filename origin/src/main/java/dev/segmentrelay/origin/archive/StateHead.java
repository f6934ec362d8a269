package dev.segmentrelay.origin.archive;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A stream's state head as decoded from {@code state.json}: the chunk objects it names and how the
 * whole state is put together once they are read (see {@link ArchivedState#restore}).
 *
 * @param <S> the stream's state
 */
public interface StateHead<S> {
  /** Names of the chunk objects to read (empty for a head that holds everything inline). */
  List<String> chunks();

  /**
   * The whole state from the chunks read ({@code chunks}: name to body; absent when missing or
   * unreadable). A missing or damaged chunk is reported to {@code lost} (name, reason) and left
   * out: every readable entry is restored.
   *
   * @throws IllegalArgumentException when the state cannot be restored at all
   */
  S assemble(Map<String, byte[]> chunks, BiConsumer<String, String> lost);

  /**
   * The state of a head that holds everything inline (tests, and streams younger than one chunk).
   *
   * @throws IllegalArgumentException when the head names chunks, which must be read first
   */
  default S withoutChunks() {
    if (!chunks().isEmpty()) {
      throw new IllegalArgumentException(
          "archive state names " + chunks().size() + " chunk(s): read them first");
    }
    return assemble(Map.of(), (name, reason) -> {});
  }

  /** A head with nothing left to read. */
  static <S> StateHead<S> whole(S state) {
    return new StateHead<>() {
      @Override
      public List<String> chunks() {
        return List.of();
      }

      @Override
      public S assemble(Map<String, byte[]> chunks, BiConsumer<String, String> lost) {
        return state;
      }
    };
  }
}
