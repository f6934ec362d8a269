package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A viewer's {@link Scheduler} on its Netty event loop: tasks are the loop's scheduled tasks, so
 * every task of one viewer runs on one thread, one at a time. {@link #nowMillis()} is {@code
 * System.nanoTime()} in milliseconds (monotonic; the same scale as {@link
 * DrillRecord#monotonicMillis()}, so results can relate viewer times to drill times).
 *
 * <p><b>Ticks.</b> Every player of the loop ticks once a second ({@link #everySecond}). Instead of
 * a timer per player (thousands of priority-queue inserts and polls per second, the loop's largest
 * Java cost after HTTP), the loop has one ticker every {@value #TICK_SLOT_MILLIS} ms that runs one
 * of {@value #TICK_SLOTS} slots of tick tasks: each player's in turn, once a second, within {@value
 * #TICK_SLOT_MILLIS} ms of when it registered plus whole seconds. New tasks go to the slot due
 * last, so that slots fill evenly as players start.
 *
 * <p>One scheduler per event loop, shared by the loop's players; {@link #everySecond} and its
 * cancellation must be called on the loop.
 */
public final class EventLoopScheduler implements Scheduler {
  static final int TICK_SLOTS = 10;
  static final long TICK_SLOT_MILLIS = 1000 / TICK_SLOTS;
  private static final Logger log = LoggerFactory.getLogger(EventLoopScheduler.class);

  private final EventLoop loop;
  private final LongSupplier nanoTime;
  private final TickSlots tickSlots = new TickSlots();
  private ScheduledFuture<?> ticker;

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
  public Cancellable everySecond(Runnable task) {
    if (!loop.inEventLoop()) {
      throw new IllegalStateException("everySecond is called on the scheduler's event loop");
    }
    if (ticker == null) {
      ticker =
          loop.scheduleAtFixedRate(
              tickSlots::runNext, TICK_SLOT_MILLIS, TICK_SLOT_MILLIS, TimeUnit.MILLISECONDS);
    }
    return tickSlots.add(task);
  }

  /** Stops the ticker (the loop is closing). */
  void close() {
    if (ticker != null) {
      ticker.cancel(false);
    }
  }

  /**
   * Once-a-second tasks in {@value #TICK_SLOTS} slots, one slot run per {@link #runNext()}: a task
   * runs every {@value #TICK_SLOTS}th call, first on the {@value #TICK_SLOTS}th after it was added.
   */
  static final class TickSlots {
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final ArrayList<Tick>[] slots = new ArrayList[TICK_SLOTS];

    private int next; // the next slot to run

    TickSlots() {
      for (int i = 0; i < TICK_SLOTS; i++) {
        slots[i] = new ArrayList<>();
      }
    }

    Cancellable add(Runnable task) {
      Tick tick = new Tick(task);
      // the slot run last is due again in a whole period: it fills as players start
      slots[(next + TICK_SLOTS - 1) % TICK_SLOTS].add(tick);
      return tick;
    }

    void runNext() {
      ArrayList<Tick> ticks = slots[next];
      next = (next + 1) % TICK_SLOTS;
      int kept = 0;
      int due = ticks.size();
      for (int i = 0; i < due; i++) {
        Tick t = ticks.get(i);
        if (t.cancelled) {
          continue;
        }
        ticks.set(kept++, t);
        try {
          t.task.run();
        } catch (RuntimeException e) {
          log.warn("a player's tick failed", e);
        }
      }
      // ticks added by the tasks just run belong to this slot from the next period on
      for (int i = due; i < ticks.size(); i++) {
        ticks.set(kept++, ticks.get(i));
      }
      ticks.subList(kept, ticks.size()).clear();
    }
  }

  private static final class Tick implements Cancellable {
    final Runnable task;
    boolean cancelled;

    Tick(Runnable task) {
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
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
