package dev.segmentrelay.loadtest.engine;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated load test: what to play, the profile, the population, the drills, how requests behave
 * and where results go. Built by {@code relay loadtest} from flags, YAML and environment.
 *
 * @param url router or edge URL of a master playlist or MPD
 * @param viewers base viewers (spikes come on top)
 * @param ramp time over which the base viewers join
 * @param duration hold: how long all viewers play after the ramp
 * @param rampDown time over which viewers leave after the hold
 * @param spikes extra viewers joining in bursts
 * @param drills edge drains or kills during the run
 * @param regions the population
 * @param fetch how requests behave
 * @param rendition {@code auto} (throughput ABR), {@code lowest}, {@code highest} or a rendition
 *     index; passed to the player
 * @param eventLoops event loops the viewers are spread over
 * @param connectionsPerHost HTTP/1.1 connections per host and event loop; 0 = one per viewer
 * @param grace hard deadline after the planned end for stopping viewers and closing connections
 * @param progressInterval how often the console prints
 * @param measureHeap whether to measure heap per viewer (two full GCs)
 * @param routerApi where {@code /api/v1/edges} is read for drains (default: {@code url}'s host)
 * @param edgeAdminToken bearer token of the edges' {@code /admin/} actions
 * @param drillCommand shell command run for {@code kill=EDGE}, {@code {edge}} replaced
 * @param out JSON results file
 * @param report HTML report file
 * @param slo SLO expression, e.g. {@code stall_ratio<0.01,startup_p95<3s}
 */
public record LoadTestConfig(
    URI url,
    int viewers,
    Duration ramp,
    Duration duration,
    Duration rampDown,
    List<Spike> spikes,
    List<Drill> drills,
    RegionMix regions,
    FetchOptions fetch,
    String rendition,
    int eventLoops,
    int connectionsPerHost,
    Duration grace,
    Duration progressInterval,
    boolean measureHeap,
    Optional<URI> routerApi,
    Optional<String> edgeAdminToken,
    Optional<String> drillCommand,
    Optional<Path> out,
    Optional<Path> report,
    Optional<String> slo) {
  /** Most viewers in one run, spikes included: runs are bounded in count. */
  public static final int MAX_VIEWERS = 200_000;

  /** Longest run (ramp + hold + ramp down): runs are bounded in time. */
  public static final Duration MAX_RUN = Duration.ofHours(24);

  public LoadTestConfig {
    Objects.requireNonNull(url, "url");
    spikes = List.copyOf(spikes);
    drills = List.copyOf(drills);
    if (viewers < 1 || viewers > MAX_VIEWERS) {
      throw new IllegalArgumentException("viewers must be in 1-" + MAX_VIEWERS + ": " + viewers);
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("event-loops must be at least 1: " + eventLoops);
    }
    if (duration.isZero() || progressInterval.isZero()) {
      throw new IllegalArgumentException("duration and progress-interval must be positive");
    }
  }

  /** The start and stop times this configuration asks for. */
  public LoadPlan plan() {
    return LoadPlan.of(viewers, ramp, duration, rampDown, spikes);
  }

  /** Base URL of the router's API for drains: {@code routerApi}, else {@code url}'s origin. */
  public URI routerBase() {
    return routerApi.orElseGet(() -> url.resolve("/"));
  }
}
