package dev.segmentrelay.common.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Bounded polling: every wait has a deadline, and a timeout names what was being waited for. There
 * are no timing assertions here, only upper bounds generous enough for a loaded two-core machine.
 */
public final class Waits {
  private static final Duration DEFAULT_POLL = Duration.ofMillis(200);

  private Waits() {}

  /**
   * Polls {@code condition} until it returns true.
   *
   * @throws AssertionError after {@code timeout}, with {@code what} and the last exception if any
   */
  public static void until(String what, Duration timeout, Callable<Boolean> condition) {
    until(what, timeout, DEFAULT_POLL, condition);
  }

  /**
   * Polls {@code condition} every {@code poll} until it returns true: for in-process waits of a few
   * milliseconds, where the default 200 ms poll would make a test wait longer than the work.
   *
   * @throws AssertionError after {@code timeout}, with {@code what} and the last exception if any
   */
  public static void until(
      String what, Duration timeout, Duration poll, Callable<Boolean> condition) {
    value(
        what,
        timeout,
        poll,
        () -> Boolean.TRUE.equals(condition.call()) ? Optional.of(true) : Optional.empty());
  }

  /**
   * Polls {@code probe} until it returns a value.
   *
   * @throws AssertionError after {@code timeout}, with {@code what} and the last exception if any
   */
  public static <T> T value(String what, Duration timeout, Callable<Optional<T>> probe) {
    return value(what, timeout, DEFAULT_POLL, probe);
  }

  private static <T> T value(
      String what, Duration timeout, Duration poll, Callable<Optional<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    int attempts = 0;
    long maxAttempts = Math.max(1, timeout.toMillis() / Math.max(1, poll.toMillis()) + 1);
    while (attempts++ <= maxAttempts * 2) {
      try {
        Optional<T> result = probe.call();
        if (result.isPresent()) {
          return result.get();
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        break;
      }
      sleep(poll);
    }
    AssertionError error =
        new AssertionError("timed out after " + timeout + " waiting for " + what);
    if (last != null) {
      error.initCause(last);
    }
    throw error;
  }

  /**
   * Blocks (off the event loop) until {@code future} completes.
   *
   * @throws AssertionError if it fails or takes longer than {@code timeout}
   */
  public static <T> T await(String what, Duration timeout, io.vertx.core.Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** Sleeps, restoring the interrupt flag if interrupted. */
  public static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
