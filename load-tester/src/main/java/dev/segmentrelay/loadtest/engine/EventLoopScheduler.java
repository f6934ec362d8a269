package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.LongSupplier;

/**
 * A viewer's {@link Scheduler} on its Vert.x event-loop context: tasks are Vert.x timers on that
 * context, so every task of one viewer runs on one thread, one at a time. {@link #nowMillis()} is
 * {@code System.nanoTime()} in milliseconds (monotonic; the same scale as {@link
 * DrillRecord#monotonicMillis()}, so results can relate viewer times to drill times).
 */
public final class EventLoopScheduler implements Scheduler {
  private final Context context;
  private final LongSupplier nanoTime;

  public EventLoopScheduler(Context context) {
    this(context, System::nanoTime);
  }

  EventLoopScheduler(Context context, LongSupplier nanoTime) {
    this.context = context;
    this.nanoTime = nanoTime;
  }

  /** The monotonic clock of every scheduler, in milliseconds. */
  public static long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }

  @Override
  public long nowMillis() {
    return nanoTime.getAsLong() / 1_000_000;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    Task scheduled = new Task(context, delayMillis, task);
    if (Vertx.currentContext() == context) {
      scheduled.arm();
    } else {
      context.runOnContext(v -> scheduled.arm());
    }
    return scheduled;
  }

  private static final class Task implements Cancellable {
    private final Context context;
    private final long delayMillis;
    private final Runnable task;
    private volatile boolean cancelled;
    private volatile long timerId = -1;

    Task(Context context, long delayMillis, Runnable task) {
      this.context = context;
      this.delayMillis = delayMillis;
      this.task = task;
    }

    void arm() {
      if (cancelled) {
        return;
      }
      if (delayMillis <= 0) {
        context.runOnContext(v -> run());
      } else {
        timerId = context.owner().setTimer(delayMillis, id -> run());
      }
    }

    private void run() {
      if (!cancelled) {
        cancelled = true;
        task.run();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      long id = timerId;
      if (id >= 0) {
        context.owner().cancelTimer(id);
      }
    }
  }
}
