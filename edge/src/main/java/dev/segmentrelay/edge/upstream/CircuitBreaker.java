package dev.segmentrelay.edge.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The circuit breaker of one upstream: closed, open or half-open, on an injected clock.
 *
 * <ul>
 *   <li><b>Closed</b>: every request is admitted. {@value #FAILURES_TO_OPEN} consecutive failures
 *       open the circuit; a success resets the count.
 *   <li><b>Open</b>: requests are refused for a cool-down, 2 s the first time, doubled each time
 *       the circuit opens again without having closed (2, 4, 8, 16, 30 s at most).
 *   <li><b>Half-open</b>: after the cool-down exactly one request, the trial, is admitted; the
 *       others are still refused. The trial's success closes the circuit (and resets the
 *       cool-down), its failure opens it again for the next, longer cool-down.
 * </ul>
 *
 * <p>When every upstream refuses, the pool {@linkplain #force forces} a request through the one
 * that opened longest ago; that attempt counts like a trial. Outcomes of requests admitted while
 * the circuit was closed but finishing after it opened are ignored: they describe the past.
 *
 * <p>Thread-safe: one breaker serves the fetches of every event loop.
 */
final class CircuitBreaker {
  static final int FAILURES_TO_OPEN = 3;
  static final Duration FIRST_COOL_DOWN = Duration.ofSeconds(2);
  static final Duration MAX_COOL_DOWN = Duration.ofSeconds(30);

  /** How a request got through, which decides what its outcome changes. */
  enum Admission {
    /** The circuit is closed. */
    ALLOWED,
    /** The one half-open trial. */
    TRIAL,
    /** Forced through an open circuit because every upstream refused. */
    FORCED,
    /** Not admitted: the circuit is open (or half-open with its trial under way). */
    REFUSED
  }

  private enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final Clock clock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Duration coolDown = FIRST_COOL_DOWN;
  private Instant openedAt = Instant.MIN;

  CircuitBreaker(Clock clock) {
    this.clock = clock;
  }

  /** Admits a request, moving an open circuit whose cool-down has passed to half-open. */
  synchronized Admission admit() {
    switch (state) {
      case CLOSED:
        return Admission.ALLOWED;
      case OPEN:
        if (clock.instant().isBefore(openedAt.plus(coolDown))) {
          return Admission.REFUSED;
        }
        state = State.HALF_OPEN;
        return Admission.TRIAL;
      default:
        return Admission.REFUSED;
    }
  }

  /** Admits a request whatever the state (every upstream refused; this one opened first). */
  synchronized Admission force() {
    return state == State.CLOSED ? Admission.ALLOWED : Admission.FORCED;
  }

  synchronized void succeeded(Admission admission) {
    if (state == State.CLOSED) {
      consecutiveFailures = 0;
    } else if (admission == Admission.TRIAL || admission == Admission.FORCED) {
      state = State.CLOSED;
      consecutiveFailures = 0;
      coolDown = FIRST_COOL_DOWN;
    }
  }

  synchronized void failed(Admission admission) {
    if (state == State.CLOSED) {
      if (++consecutiveFailures >= FAILURES_TO_OPEN) {
        state = State.OPEN;
        openedAt = clock.instant();
        coolDown = FIRST_COOL_DOWN;
      }
    } else if (admission == Admission.FORCED
        || (admission == Admission.TRIAL && state == State.HALF_OPEN)) {
      state = State.OPEN;
      openedAt = clock.instant();
      Duration doubled = coolDown.multipliedBy(2);
      coolDown = doubled.compareTo(MAX_COOL_DOWN) > 0 ? MAX_COOL_DOWN : doubled;
    }
  }

  /** True while requests are refused or only a trial may pass (open or half-open). */
  synchronized boolean isOpen() {
    return state != State.CLOSED;
  }

  /** When the circuit last opened ({@link Instant#MIN} if it never did). */
  synchronized Instant openedAt() {
    return openedAt;
  }

  /** The current (or next) cool-down. */
  synchronized Duration coolDown() {
    return coolDown;
  }
}
