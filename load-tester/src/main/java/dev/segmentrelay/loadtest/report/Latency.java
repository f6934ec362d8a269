package dev.segmentrelay.loadtest.report;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution in milliseconds, read from a histogram recorded in microseconds.
 *
 * @param count samples
 */
public record Latency(long count, double p50, double p95, double p99, double max, double mean) {
  public static final Latency EMPTY = new Latency(0, 0, 0, 0, 0, 0);

  /** Reads a histogram whose values are microseconds. */
  static Latency ofMicros(Histogram h) {
    if (h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new Latency(
        h.getTotalCount(),
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(95) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0,
        h.getMean() / 1000.0);
  }

  /** The value of the percentile {@code 50}, {@code 95} or {@code 99}. */
  double percentile(int which) {
    return switch (which) {
      case 50 -> p50;
      case 95 -> p95;
      case 99 -> p99;
      default -> throw new IllegalArgumentException("percentile " + which + " is not kept");
    };
  }
}
