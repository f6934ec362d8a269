package dev.segmentrelay.loadtest.report;

import java.util.Map;

/**
 * What the console shows each second: the whole run so far and the last interval, overall and per
 * region.
 *
 * @param elapsedSeconds since the results were created
 * @param all every viewer
 * @param regions per region code, in the order regions first appeared
 * @param loadTester the latest health the engine reported
 */
public record Snapshot(
    double elapsedSeconds,
    GroupSnapshot all,
    Map<String, GroupSnapshot> regions,
    LoadTesterHealth loadTester) {

  /** One group (all viewers, or one region). */
  public record GroupSnapshot(
      String name, long activeViewers, long peakViewers, Window total, Window lastSecond) {}

  /**
   * Counts over a time window.
   *
   * @param seconds how long the window is
   * @param segmentMs download time of the segments that completed in the window
   */
  public record Window(
      double seconds,
      long requests,
      long errors,
      long bytes,
      long segments,
      long stalls,
      Latency segmentMs) {

    public double requestsPerSecond() {
      return seconds <= 0 ? 0 : requests / seconds;
    }

    public double mbitPerSecond() {
      return seconds <= 0 ? 0 : bytes * 8 / seconds / 1e6;
    }
  }
}
