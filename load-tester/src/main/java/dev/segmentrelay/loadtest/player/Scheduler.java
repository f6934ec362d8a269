package dev.segmentrelay.loadtest.player;

/**
 * Time for a player: what it is now and running something later. The engine backs it with the
 * viewer's Vert.x event loop; tests with a fake clock that they advance by hand. Every callback of
 * one player runs on one thread, one at a time, so the player needs no locks.
 */
public interface Scheduler {
  /** Milliseconds on a monotonic clock (not wall time). */
  long nowMillis();

  /** Runs {@code task} after {@code delayMillis} (0 = as soon as possible). */
  Cancellable schedule(long delayMillis, Runnable task);

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
