package dev.segmentrelay.origin.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StateLogTest {
  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @Test
  void sealsEveryChunkSizeEntriesUnderItsPrefixAndKeepsTheRestInTheTail() {
    StateLog<Integer> log = new StateLog<>(4, "e1-0");
    List<StateLog.Chunk<Integer>> sealed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      log.add(i);
      sealed.addAll(log.takeSealed());
    }

    assertThat(sealed).extracting(StateLog.Chunk::name).containsExactly("e1-0-0", "e1-0-1");
    assertThat(sealed.get(1).entries()).containsExactly(4, 5, 6, 7);
    StateLog.Snapshot<Integer> snap = log.snapshot();
    assertThat(snap.ranges()).containsExactly(new StateLog.Range("e1-0", 2));
    assertThat(snap.tail()).containsExactly(8, 9);
    assertThat(snap).isEqualTo(range(0, 10));
    assertThat(log.takeSealed()).as("each chunk is handed out once").isEmpty();
  }

  @Test
  void aSnapshotStaysAsTakenWhileTheLogGrowsPastChunksAndArrays() {
    StateLog<Integer> log = new StateLog<>(3, "p");
    for (int i = 0; i < 5; i++) {
      log.add(i);
    }
    StateLog.Snapshot<Integer> snap = log.snapshot();
    for (int i = 5; i < 200; i++) {
      log.add(i);
    }

    assertThat(snap).isEqualTo(range(0, 5));
    assertThat(snap.ranges()).containsExactly(new StateLog.Range("p", 1));
    assertThat(snap.tail()).containsExactly(3, 4);
    assertThat(log).isEqualTo(range(0, 200));
  }

  @Test
  void aRestoredLogKeepsItsChunksAndNamesNewOnesAfterTheNewPrefix() {
    StateLog<Integer> first = new StateLog<>(3, "a");
    range(0, 7).forEach(first::add);
    List<StateLog.Chunk<Integer>> written = first.takeSealed();
    StateLog.Snapshot<Integer> head = first.snapshot();

    StateLog<Integer> second =
        StateLog.restored(3, "b", StateLog.Snapshot.of(head.ranges(), written, head.tail()));
    assertThat(second.takeSealed()).isEmpty();
    range(7, 10).forEach(second::add);

    assertThat(second).isEqualTo(range(0, 10));
    assertThat(second.takeSealed()).extracting(StateLog.Chunk::name).containsExactly("b-0");
    assertThat(second.snapshot().ranges())
        .containsExactly(new StateLog.Range("a", 2), new StateLog.Range("b", 1));
    assertThat(second.snapshot().tail()).containsExactly(9);
  }

  @Test
  void aLongRestoredTailOfTheSingleObjectFormatIsSealedAtOnce() {
    StateLog<Integer> log = StateLog.restored(4, "n", StateLog.Snapshot.ofTail(range(0, 10)));

    assertThat(log.takeSealed()).extracting(StateLog.Chunk::name).containsExactly("n-0", "n-1");
    assertThat(log.snapshot().tail()).containsExactly(8, 9);
    assertThat(log).isEqualTo(range(0, 10));
  }

  @Test
  void aChunkLostAtRestoreHoldsNothingAndTheOthersStayInPlace() {
    StateLog.Snapshot<Integer> restored =
        StateLog.Snapshot.of(
            List.of(new StateLog.Range("a", 3)),
            List.of(
                new StateLog.Chunk<>("a-0", 0, range(0, 3)),
                new StateLog.Chunk<>("a-1", 0, List.of()),
                new StateLog.Chunk<>("a-2", 0, range(6, 9))),
            range(9, 10));

    assertThat(restored).containsExactly(0, 1, 2, 6, 7, 8, 9);
    assertThat(restored.get(3)).isEqualTo(6);
    assertThat(restored.ranges()).containsExactly(new StateLog.Range("a", 3));
  }

  @Test
  void sealTailClosesAShortChunk() {
    StateLog<Integer> log = new StateLog<>(4, "x");
    range(0, 6).forEach(log::add);
    log.takeSealed();
    log.sealTail();
    log.sealTail();

    assertThat(log.takeSealed())
        .singleElement()
        .extracting(StateLog.Chunk::entries)
        .isEqualTo(List.of(4, 5));
    assertThat(log.snapshot().tail()).isEmpty();
    log.add(6);
    assertThat(log).isEqualTo(range(0, 7));
  }

  @Test
  void refusesNamesThatAreNotSafeKeys() {
    assertThatThrownBy(() -> new StateLog<Integer>(4, "../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../x");
    assertThatThrownBy(() -> new StateLog<Integer>(0, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chunk size");
  }
}
