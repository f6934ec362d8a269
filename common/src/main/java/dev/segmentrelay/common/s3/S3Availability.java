package dev.segmentrelay.common.s3;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether S3 is usable right now, so that callers skip it cheaply while it is not.
 *
 * <p>State machine: {@code UP} counts consecutive outage failures ({@link
 * S3StoreException.Kind#outage()}: connect errors, timeouts, 5xx, 403, missing bucket); any success
 * resets the count. At {@code failureThreshold} in a row it goes {@code DOWN} with one WARN naming
 * the endpoint, bucket and last error. While down, {@link #isUp()} (a volatile read) is false and
 * {@link S3Store} fails calls at once without touching the network; a background probe ({@code
 * checkBucket}) runs after {@code minBackoff}, doubling up to {@code maxBackoff} while it fails,
 * and the first success brings the state back {@code UP} with one INFO. Results of calls that were
 * in flight when the state went down are ignored; only the probe decides recovery.
 *
 * <p>Time and scheduling are injected ({@link Clock}, {@link Scheduler}) so the state machine is
 * tested without sleeping. Transitions are synchronized; they are rare.
 */
public final class S3Availability implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3Availability.class);

  /** Where the probes run; {@link S3Store} passes a single daemon scheduler thread. */
  interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  public enum State {
    UP,
    DOWN
  }

  private final String describe;
  private final Supplier<CompletableFuture<?>> probe;
  private final Clock clock;
  private final Scheduler scheduler;
  private final int failureThreshold;
  private final Duration minBackoff;
  private final Duration maxBackoff;

  private volatile State state = State.UP;
  private int consecutiveFailures;
  private Instant downSince;
  private Duration nextBackoff;
  private boolean closed;

  S3Availability(
      String describe,
      Supplier<CompletableFuture<?>> probe,
      Clock clock,
      Scheduler scheduler,
      int failureThreshold,
      Duration minBackoff,
      Duration maxBackoff,
      MeterRegistry registry) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          "S3 failure threshold must be at least 1, was " + failureThreshold);
    }
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          "S3 probe backoff must be positive and min <= max, was "
              + minBackoff
              + ".."
              + maxBackoff);
    }
    this.describe = describe;
    this.probe = probe;
    this.clock = clock;
    this.scheduler = scheduler;
    this.failureThreshold = failureThreshold;
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.nextBackoff = minBackoff;
    Gauge.builder("relay_s3_up", this, a -> a.isUp() ? 1 : 0)
        .description("1 while the S3 tier is usable, 0 while it is skipped and probed")
        .register(registry);
  }

  /** The cheap check before any S3 call: false while S3 is down and being probed. */
  public boolean isUp() {
    return state == State.UP;
  }

  public State state() {
    return state;
  }

  /** When the current outage began, if S3 is down. */
  public synchronized Optional<Instant> downSince() {
    return Optional.ofNullable(downSince);
  }

  void recordSuccess() {
    if (state == State.UP) {
      synchronized (this) {
        consecutiveFailures = 0;
      }
    }
  }

  void recordFailure(S3StoreException failure) {
    if (!failure.kind().outage() || state != State.UP) {
      return;
    }
    synchronized (this) {
      if (state != State.UP || closed) {
        return;
      }
      consecutiveFailures++;
      if (consecutiveFailures < failureThreshold) {
        return;
      }
      state = State.DOWN;
      downSince = clock.instant();
      nextBackoff = minBackoff;
      LOG.warn(
          "S3 tier DOWN: {} failed {} calls in a row, last {}: {}; skipping S3 and probing every"
              + " {}..{}",
          describe,
          consecutiveFailures,
          failure.kind().label(),
          failure.getMessage(),
          minBackoff,
          maxBackoff);
      scheduleProbe();
    }
  }

  private void scheduleProbe() {
    Duration delay = nextBackoff;
    Duration doubled = nextBackoff.multipliedBy(2);
    nextBackoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    scheduler.schedule(this::probeOnce, delay);
  }

  private void probeOnce() {
    synchronized (this) {
      if (closed || state != State.DOWN) {
        return;
      }
    }
    CompletableFuture<?> result;
    try {
      result = probe.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete(
        (ok, error) -> {
          synchronized (this) {
            if (closed || state != State.DOWN) {
              return;
            }
            if (error == null) {
              Duration down = Duration.between(downSince, clock.instant());
              state = State.UP;
              consecutiveFailures = 0;
              downSince = null;
              LOG.info("S3 tier UP again: {} answers (was down for {})", describe, down);
            } else {
              LOG.debug("S3 probe of {} failed: {}", describe, error.toString());
              scheduleProbe();
            }
          }
        });
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
