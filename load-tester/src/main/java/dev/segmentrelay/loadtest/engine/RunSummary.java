package dev.segmentrelay.loadtest.engine;

import java.util.List;
import java.util.OptionalLong;

/**
 * What the engine measured about the run and about itself, reported beside the results.
 *
 * @param plannedViewers viewers in the plan, spikes included
 * @param startedViewers viewers started
 * @param failedStarts viewers whose factory threw
 * @param peakViewers most viewers running at once
 * @param durationMillis from the first start to the last stop
 * @param cpuPercentMean process CPU over the run, percent of all cores
 * @param cpuPercentMax the busiest second
 * @param cpuSeconds process CPU time used during the run
 * @param loopLagP99Millis event-loop lag (timer drift), 99th percentile over the run
 * @param loopLagMaxMillis largest event-loop lag seen
 * @param bottleneck whether the load tester itself limited the run (lag p99 over the threshold)
 * @param heapPerViewerBytes heap used after GC at the peak divided by the viewers running, if
 *     measured
 * @param eventLoops event loops the viewers ran on
 * @param drills drills as they happened
 */
public record RunSummary(
    int plannedViewers,
    int startedViewers,
    int failedStarts,
    int peakViewers,
    long durationMillis,
    double cpuPercentMean,
    double cpuPercentMax,
    double cpuSeconds,
    double loopLagP99Millis,
    double loopLagMaxMillis,
    boolean bottleneck,
    OptionalLong heapPerViewerBytes,
    int eventLoops,
    List<DrillRecord> drills) {
  /** Lag p99 above which the load tester calls itself the bottleneck. */
  public static final double BOTTLENECK_LAG_MILLIS = 50;

  public RunSummary {
    drills = List.copyOf(drills);
  }
}
