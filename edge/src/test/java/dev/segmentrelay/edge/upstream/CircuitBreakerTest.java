package dev.segmentrelay.edge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.MutableClock;
import dev.segmentrelay.edge.upstream.CircuitBreaker.Admission;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The breaker's state machine on a clock moved by hand. */
class CircuitBreakerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker(clock);

  private void failTimes(int times) {
    for (int i = 0; i < times; i++) {
      breaker.failed(breaker.admit());
    }
  }

  @Test
  void opensAfterThreeConsecutiveFailuresOnly() {
    failTimes(2);
    breaker.succeeded(breaker.admit());
    failTimes(2);
    assertThat(breaker.isOpen()).isFalse();
    failTimes(1);
    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.admit()).isEqualTo(Admission.REFUSED);
  }

  @Test
  void admitsOneTrialAfterTheCoolDownAndClosesOnItsSuccess() {
    failTimes(3);
    clock.advance(Duration.ofMillis(1999));
    assertThat(breaker.admit()).isEqualTo(Admission.REFUSED);
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.admit()).isEqualTo(Admission.TRIAL);
    assertThat(breaker.admit()).as("one trial at a time").isEqualTo(Admission.REFUSED);
    breaker.succeeded(Admission.TRIAL);
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.admit()).isEqualTo(Admission.ALLOWED);
    assertThat(breaker.coolDown()).isEqualTo(CircuitBreaker.FIRST_COOL_DOWN);
  }

  @Test
  void coolDownDoublesWhileTrialsFailUpToThirtySeconds() {
    failTimes(3);
    for (long expected : new long[] {4, 8, 16, 30, 30}) {
      clock.advance(breaker.coolDown());
      Admission trial = breaker.admit();
      assertThat(trial).isEqualTo(Admission.TRIAL);
      breaker.failed(trial);
      assertThat(breaker.coolDown()).isEqualTo(Duration.ofSeconds(expected));
      assertThat(breaker.admit()).isEqualTo(Admission.REFUSED);
    }
  }

  @Test
  void outcomesOfRequestsAdmittedBeforeItOpenedChangeNothing() {
    failTimes(3);
    breaker.succeeded(Admission.ALLOWED);
    assertThat(breaker.isOpen()).isTrue();
    Instant opened = breaker.openedAt();
    clock.advance(Duration.ofSeconds(1));
    breaker.failed(Admission.ALLOWED);
    assertThat(breaker.openedAt()).isEqualTo(opened);
  }

  @Test
  void aForcedRequestClosesOnSuccessAndReopensOnFailure() {
    failTimes(3);
    Admission forced = breaker.force();
    assertThat(forced).isEqualTo(Admission.FORCED);
    clock.advance(Duration.ofSeconds(1));
    breaker.failed(forced);
    assertThat(breaker.openedAt()).isEqualTo(clock.instant());
    assertThat(breaker.coolDown()).isEqualTo(Duration.ofSeconds(4));
    breaker.succeeded(breaker.force());
    assertThat(breaker.isOpen()).isFalse();
  }
}
