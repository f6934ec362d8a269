package dev.segmentrelay.loadtest.player;

import java.util.PriorityQueue;

/** A scheduler on a clock the test advances by hand; tasks run in time order, then FIFO. */
final class FakeScheduler implements Scheduler {
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final long wallAtZero;
  private long now;
  private long seq;

  FakeScheduler(long wallAtZero) {
    this.wallAtZero = wallAtZero;
  }

  @Override
  public long nowMillis() {
    return now;
  }

  @Override
  public long wallClockMillis() {
    return wallAtZero + now;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    if (delayMillis < 0) {
      throw new IllegalArgumentException("negative delay " + delayMillis);
    }
    Task t = new Task(now + delayMillis, seq++, task);
    tasks.add(t);
    return () -> t.cancelled = true;
  }

  /** Runs everything due up to {@code time}, then sets the clock there. */
  void advanceTo(long time) {
    for (int guard = 0; guard < 10_000_000; guard++) {
      Task t = tasks.peek();
      if (t == null || t.at > time) {
        now = time;
        return;
      }
      tasks.poll();
      now = t.at;
      if (!t.cancelled) {
        t.task.run();
      }
    }
    throw new AssertionError("runaway scheduling before " + time);
  }

  void advance(long millis) {
    advanceTo(now + millis);
  }

  /** Live (not cancelled) tasks still queued. */
  long pending() {
    return tasks.stream().filter(t -> !t.cancelled).count();
  }

  private static final class Task {
    final long at;
    final long seq;
    final Runnable task;
    boolean cancelled;

    Task(long at, long seq, Runnable task) {
      this.at = at;
      this.seq = seq;
      this.task = task;
    }
  }
}
