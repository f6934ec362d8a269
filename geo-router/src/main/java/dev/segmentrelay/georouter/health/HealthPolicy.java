package dev.segmentrelay.georouter.health;

import java.time.Duration;

/**
 * When the router stops and resumes sending viewers to an edge.
 *
 * @param probeInterval how often each edge's readiness is probed
 * @param probeTimeout how long one probe may take (connect and answer); a frozen edge accepts TCP
 *     connections through the kernel but never answers, so this timeout is what detects it
 * @param reportTimeout an edge whose last registry report arrived longer ago than this is unhealthy
 * @param probeStaleAfter an edge whose last probe answer is older than this is unhealthy
 * @param successesToRecover consecutive good probes an edge needs after a failure
 */
public record HealthPolicy(
    Duration probeInterval,
    Duration probeTimeout,
    Duration reportTimeout,
    Duration probeStaleAfter,
    int successesToRecover) {

  /**
   * Defaults that take a dead or frozen edge out of new answers within 3 s: a probe every second
   * that times out after 800 ms, reports (one a second) older than 2.5 s, and the membership event
   * for a killed process (well under a second).
   */
  public static final HealthPolicy DEFAULT =
      new HealthPolicy(
          Duration.ofSeconds(1),
          Duration.ofMillis(800),
          Duration.ofMillis(2500),
          Duration.ofMillis(2500),
          2);

  public HealthPolicy {
    requirePositive(probeInterval, "probe interval");
    requirePositive(probeTimeout, "probe timeout");
    requirePositive(reportTimeout, "report timeout");
    requirePositive(probeStaleAfter, "probe stale-after");
    if (probeTimeout.compareTo(probeInterval) > 0) {
      throw new IllegalArgumentException(
          "probe timeout "
              + probeTimeout.toMillis()
              + " ms is longer than the probe interval "
              + probeInterval.toMillis()
              + " ms: make it shorter so one probe ends before the next starts");
    }
    if (successesToRecover < 1) {
      throw new IllegalArgumentException(
          "successes to recover must be at least 1, got " + successesToRecover);
    }
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be longer than zero, got " + d);
    }
  }
}
