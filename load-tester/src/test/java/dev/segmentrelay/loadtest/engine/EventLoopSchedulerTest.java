package dev.segmentrelay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.loadtest.engine.EventLoopScheduler.TickSlots;
import dev.segmentrelay.loadtest.player.Scheduler.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared once-a-second ticker of a loop's players, driven slot by slot. */
class EventLoopSchedulerTest {
  private static final int SLOTS = EventLoopScheduler.TICK_SLOTS;

  @Test
  void everyTaskRunsOncePerPeriodFirstAWholePeriodAfterItWasAdded() {
    TickSlots slots = new TickSlots();
    List<AtomicInteger> counts = new ArrayList<>();
    List<Integer> addedAt = new ArrayList<>();
    for (int step = 0; step < 3 * SLOTS; step++) {
      if (step % 3 == 0) { // players join over the period, as in a ramp
        AtomicInteger count = new AtomicInteger();
        counts.add(count);
        addedAt.add(step);
        slots.add(count::incrementAndGet);
      }
      slots.runNext();
    }
    for (int i = 0; i < counts.size(); i++) {
      int steps = 3 * SLOTS - addedAt.get(i); // runNext calls since it was added
      assertThat(counts.get(i).get())
          .as("task added at step %d", addedAt.get(i))
          .isEqualTo(steps / SLOTS);
    }
  }

  @Test
  void tasksJoiningTogetherAreSpreadAsTheyJoinAndCancelledOnesStop() {
    TickSlots slots = new TickSlots();
    AtomicInteger perStep = new AtomicInteger();
    List<Cancellable> ticks = new ArrayList<>();
    for (int step = 0; step < SLOTS; step++) {
      ticks.add(slots.add(perStep::incrementAndGet));
      slots.runNext();
    }
    // one task per slot: every step of the next period runs exactly one
    for (int step = 0; step < SLOTS; step++) {
      perStep.set(0);
      slots.runNext();
      assertThat(perStep.get()).isEqualTo(1);
    }
    ticks.forEach(Cancellable::cancel);
    perStep.set(0);
    for (int step = 0; step < 2 * SLOTS; step++) {
      slots.runNext();
    }
    assertThat(perStep.get()).isZero();
  }

  @Test
  void aTaskThatFailsDoesNotStopTheOthersAndATaskAddedByATaskWaitsAPeriod() {
    TickSlots slots = new TickSlots();
    AtomicInteger count = new AtomicInteger();
    AtomicInteger added = new AtomicInteger();
    slots.add(
        () -> {
          throw new IllegalStateException("boom");
        });
    slots.add(
        () -> {
          if (count.incrementAndGet() == 1) {
            slots.add(added::incrementAndGet);
          }
        });
    for (int step = 0; step < SLOTS; step++) {
      slots.runNext();
    }
    assertThat(count.get()).isEqualTo(1);
    assertThat(added.get()).isZero();
    for (int step = 0; step < SLOTS; step++) {
      slots.runNext();
    }
    assertThat(count.get()).isEqualTo(2);
    assertThat(added.get()).isEqualTo(1);
  }
}
