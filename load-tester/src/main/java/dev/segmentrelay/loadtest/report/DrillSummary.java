package dev.segmentrelay.loadtest.report;

/**
 * A drill (an edge killed or drained at a given time) and how the viewers it hit recovered.
 *
 * @param atSeconds when the drill happened, seconds since the start of the results
 * @param affected viewers with a failed request after the drill
 * @param recovered affected viewers that received a whole segment again
 * @param recoveryMs from the drill to each recovered viewer's next whole segment
 */
public record DrillSummary(
    String name, double atSeconds, long affected, long recovered, Latency recoveryMs) {
  /** Affected viewers that had not recovered when the results were read. */
  public long unrecovered() {
    return affected - recovered;
  }
}
