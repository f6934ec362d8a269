package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A viewer's {@link Scheduler} on its Netty event loop: tasks are the loop's scheduled tasks, so
 * every task of one viewer runs on one thread, one at a time. {@link #nowMillis()} is {@code
 * System.nanoTime()} in milliseconds (monotonic; the same scale as {@link
 * DrillRecord#monotonicMillis()}, so results can relate viewer times to drill times).
 */
public final class EventLoopScheduler implements Scheduler {
  private final EventLoop loop;
  private final LongSupplier nanoTime;

  public EventLoopScheduler(EventLoop loop) {
    this(loop, System::nanoTime);
  }

  EventLoopScheduler(EventLoop loop, LongSupplier nanoTime) {
    this.loop = loop;
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
    Task scheduled = new Task(task);
    if (delayMillis <= 0) {
      loop.execute(scheduled);
    } else {
      scheduled.future = loop.schedule(scheduled, delayMillis, TimeUnit.MILLISECONDS);
    }
    return scheduled;
  }

  private static final class Task implements Cancellable, Runnable {
    private final Runnable task;
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> future;

    Task(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (!cancelled) {
        cancelled = true;
        task.run();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
