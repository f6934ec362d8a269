package dev.segmentrelay.common.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class S3AvailabilityTest {
  private static final S3StoreException REFUSED =
      new S3StoreException(S3StoreException.Kind.CONNECT, "connection refused");

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** Probe tasks scheduled but not yet run, with their delays. */
  private final Deque<Runnable> pending = new ArrayDeque<>();

  private final List<Duration> delays = new ArrayList<>();

  /** What the next probes answer. */
  private final Deque<Boolean> probeAnswers = new ArrayDeque<>();

  private int probes;
  private S3Availability availability;

  @BeforeEach
  void setUp() {
    availability =
        new S3Availability(
            "http://127.0.0.1:1 bucket b",
            () -> {
              probes++;
              return Boolean.TRUE.equals(probeAnswers.poll())
                  ? CompletableFuture.completedFuture(null)
                  : CompletableFuture.failedFuture(REFUSED);
            },
            clock,
            (task, delay) -> {
              delays.add(delay);
              pending.add(task);
            },
            3,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            registry);
  }

  private double gauge() {
    return registry.get("relay_s3_up").gauge().value();
  }

  /** Runs the next scheduled probe after advancing the clock by its delay. */
  private void runNextProbe() {
    clock.advance(delays.get(delays.size() - pending.size()));
    pending.poll().run();
  }

  @Test
  void staysUpBelowTheThresholdAndASuccessResetsTheRun() {
    availability.recordFailure(REFUSED);
    availability.recordFailure(REFUSED);
    availability.recordSuccess();
    availability.recordFailure(REFUSED);
    availability.recordFailure(REFUSED);
    assertThat(availability.isUp()).isTrue();
    assertThat(gauge()).isEqualTo(1.0);
    assertThat(pending).isEmpty();
  }

  @Test
  void nonOutageFailuresDoNotCount() {
    for (int i = 0; i < 10; i++) {
      availability.recordFailure(
          new S3StoreException(S3StoreException.Kind.INCOMPLETE, "short body"));
      availability.recordFailure(new S3StoreException(S3StoreException.Kind.CLIENT, "400"));
    }
    assertThat(availability.isUp()).isTrue();
  }

  @Test
  void goesDownAfterThreeOutageFailuresInARowAndProbesWithBackoff() {
    availability.recordFailure(REFUSED);
    availability.recordFailure(new S3StoreException(S3StoreException.Kind.SERVER, "503"));
    availability.recordFailure(new S3StoreException(S3StoreException.Kind.FORBIDDEN, "403"));
    assertThat(availability.isUp()).isFalse();
    assertThat(availability.state()).isEqualTo(S3Availability.State.DOWN);
    assertThat(availability.downSince()).hasValue(clock.instant());
    assertThat(gauge()).isEqualTo(0.0);
    assertThat(delays).containsExactly(Duration.ofSeconds(1));

    for (int i = 0; i < 7; i++) {
      runNextProbe();
    }
    assertThat(availability.isUp()).isFalse();
    assertThat(probes).isEqualTo(7);
    assertThat(delays)
        .extracting(Duration::toSeconds)
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
  }

  @Test
  void comesBackUpWhenAProbeSucceeds() {
    for (int i = 0; i < 3; i++) {
      availability.recordFailure(REFUSED);
    }
    runNextProbe(); // fails
    probeAnswers.add(true);
    runNextProbe();
    assertThat(availability.isUp()).isTrue();
    assertThat(availability.downSince()).isEmpty();
    assertThat(gauge()).isEqualTo(1.0);
    assertThat(pending).isEmpty();
    // A fresh run of failures is needed to go down again, and backoff starts at 1 s again.
    availability.recordFailure(REFUSED);
    availability.recordFailure(REFUSED);
    assertThat(availability.isUp()).isTrue();
    availability.recordFailure(REFUSED);
    assertThat(availability.isUp()).isFalse();
    assertThat(delays.get(delays.size() - 1)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void resultsOfCallsInFlightWhileDownAreIgnored() {
    for (int i = 0; i < 3; i++) {
      availability.recordFailure(REFUSED);
    }
    availability.recordSuccess();
    availability.recordFailure(REFUSED);
    assertThat(availability.isUp()).isFalse();
    assertThat(pending).hasSize(1);
  }

  @Test
  void closedAvailabilityStopsProbing() {
    for (int i = 0; i < 3; i++) {
      availability.recordFailure(REFUSED);
    }
    availability.close();
    pending.poll().run();
    assertThat(probes).isZero();
    assertThat(pending).isEmpty();
  }
}
