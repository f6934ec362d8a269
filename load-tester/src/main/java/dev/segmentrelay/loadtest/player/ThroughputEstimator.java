package dev.segmentrelay.loadtest.player;

/**
 * Segment throughput as hls.js estimates it: two exponentially weighted moving averages of bits per
 * second, weighted by each segment's media duration, with half-lives of 3 s (fast) and 9 s (slow)
 * of media, bias-corrected while young; the estimate is the lower of the two, so the player drops
 * quickly and climbs carefully.
 */
final class ThroughputEstimator {
  private static final double FAST_HALF_LIFE = 3.0;
  private static final double SLOW_HALF_LIFE = 9.0;

  private double fast;
  private double slow;
  private double fastWeight;
  private double slowWeight;

  /** Adds a segment: {@code bytes} downloaded in {@code millis}, carrying {@code seconds}. */
  void sample(long bytes, double millis, double seconds) {
    double bps = bytes * 8.0 / (Math.max(millis, 1.0) / 1000.0);
    double weight = Math.max(seconds, 0.001);
    double af = Math.pow(0.5, weight / FAST_HALF_LIFE);
    double as = Math.pow(0.5, weight / SLOW_HALF_LIFE);
    fast = af * fast + (1 - af) * bps;
    slow = as * slow + (1 - as) * bps;
    fastWeight += weight;
    slowWeight += weight;
  }

  boolean hasEstimate() {
    return fastWeight > 0;
  }

  /** Bits per second, or 0 before the first sample. */
  double estimate() {
    if (!hasEstimate()) {
      return 0;
    }
    double f = fast / (1 - Math.pow(0.5, fastWeight / FAST_HALF_LIFE));
    double s = slow / (1 - Math.pow(0.5, slowWeight / SLOW_HALF_LIFE));
    return Math.min(f, s);
  }
}
