package dev.segmentrelay.loadtest.player;

/**
 * Time for a player: what it is now and running something later. The engine backs it with the
 * viewer's event loop; tests with a fake clock that they advance by hand. Every callback of one
 * player runs on one thread, one at a time, so the player needs no locks.
 */
public interface Scheduler {
  /** Milliseconds on a monotonic clock (not wall time). */
  long nowMillis();

  /** Runs {@code task} after {@code delayMillis} (0 = as soon as possible). */
  Cancellable schedule(long delayMillis, Runnable task);

  /**
   * Runs {@code task} every second from now until cancelled. A scheduler may serve many players'
   * ticks from one timer, each tick then within a fraction of a second of its due time; this one
   * keeps a one-second cadence through one timer at a time.
   */
  default Cancellable everySecond(Runnable task) {
    final class Ticks implements Cancellable {
      long next = nowMillis() + 1000;
      Cancellable timer;
      boolean cancelled;

      void arm() {
        timer = schedule(Math.max(1, next - nowMillis()), this::run);
      }

      void run() {
        if (!cancelled) {
          next += 1000;
          task.run();
          if (!cancelled) {
            arm();
          }
        }
      }

      @Override
      public void cancel() {
        cancelled = true;
        if (timer != null) {
          timer.cancel();
        }
      }
    }
    Ticks ticks = new Ticks();
    ticks.arm();
    return ticks;
  }

  /**
   * Wall-clock time in milliseconds since the epoch, for DASH segment availability (which is
   * defined against {@code MPD@availabilityStartTime}). Fake schedulers override it to move with
   * {@link #nowMillis()}.
   */
  default long wallClockMillis() {
    return System.currentTimeMillis();
  }

  /** A scheduled task that can be called off. */
  interface Cancellable {
    void cancel();
  }
}
