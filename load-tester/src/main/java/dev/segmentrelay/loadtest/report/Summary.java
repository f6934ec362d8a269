package dev.segmentrelay.loadtest.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * The results of a whole run, read once at the end; the JSON and HTML reports and the SLO
 * evaluation read this.
 *
 * @param run the run parameters, when the engine set them
 * @param elapsedSeconds from the creation of the results to this summary
 * @param all every viewer
 * @param regions per region code
 * @param edges per {@code X-Relay-Edge} value ({@code -} when absent)
 * @param cache per {@code X-Relay-Cache} value
 * @param requestsByKind per request kind: {@code ok} and {@code failed} counts
 * @param errorsByKind per {@link dev.segmentrelay.loadtest.player.FetchResult.ErrorKind} (without
 *     NONE), only kinds that occurred
 * @param timeline one point per {@link Results#snapshot()}
 * @param loadTester the load tester's health over the run: mean CPU, worst lag, bottleneck if it
 *     ever was one, the latest heap per viewer
 * @param startupMicros startup times of all viewers, microseconds (a copy)
 * @param segmentMicros segment download times of all viewers, microseconds (a copy)
 */
public record Summary(
    Optional<RunInfo> run,
    double elapsedSeconds,
    GroupSummary all,
    Map<String, GroupSummary> regions,
    Map<String, GroupSummary> edges,
    Map<String, GroupSummary> cache,
    Map<String, KindCounts> requestsByKind,
    Map<String, Long> errorsByKind,
    List<TimelinePoint> timeline,
    List<DrillSummary> drills,
    LoadTesterHealth loadTester,
    Histogram startupMicros,
    Histogram segmentMicros) {

  public Summary {
    regions = ordered(regions);
    edges = ordered(edges);
    cache = ordered(cache);
    requestsByKind = ordered(requestsByKind);
    errorsByKind = ordered(errorsByKind);
    timeline = List.copyOf(timeline);
    drills = List.copyOf(drills);
  }

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** Requests of one kind. */
  public record KindCounts(long ok, long failed) {}
}
