package dev.segmentrelay.loadtest;

import dev.segmentrelay.loadtest.engine.DrillRecord;
import dev.segmentrelay.loadtest.engine.EventLoopScheduler;
import dev.segmentrelay.loadtest.engine.LiveCounters;
import dev.segmentrelay.loadtest.engine.LoadPlan;
import dev.segmentrelay.loadtest.engine.LoadTestConfig;
import dev.segmentrelay.loadtest.engine.RegionMix;
import dev.segmentrelay.loadtest.engine.RunComponents;
import dev.segmentrelay.loadtest.engine.RunListener;
import dev.segmentrelay.loadtest.engine.RunSummary;
import dev.segmentrelay.loadtest.engine.ViewerEventsTee;
import dev.segmentrelay.loadtest.player.ManifestParser;
import dev.segmentrelay.loadtest.player.Player;
import dev.segmentrelay.loadtest.player.PlayerConfig;
import dev.segmentrelay.loadtest.report.HtmlReport;
import dev.segmentrelay.loadtest.report.JsonReport;
import dev.segmentrelay.loadtest.report.LoadTesterHealth;
import dev.segmentrelay.loadtest.report.Results;
import dev.segmentrelay.loadtest.report.RunInfo;
import dev.segmentrelay.loadtest.report.Slo;
import dev.segmentrelay.loadtest.report.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code relay loadtest} run put together: every viewer is a {@link Player} whose events go to
 * the {@link Results} (reports, SLOs) and to the console's live counters; at the end the JSON and
 * HTML reports are written and the SLO verdict becomes the exit code.
 */
public final class PlayerRun {
  /** Exit code of a run whose SLOs failed. */
  public static final int EXIT_SLO_FAILED = 1;

  /** Manifests kept parsed for sharing among viewers (identical bodies parse once). */
  private static final int PARSE_CACHE_ENTRIES = 256;

  private PlayerRun() {}

  /**
   * The viewers, console figures and results listener of a run of {@code config}.
   *
   * @throws IllegalArgumentException for a rendition or SLO that does not parse
   */
  public static RunComponents components(LoadTestConfig config, PrintWriter console) {
    PlayerConfig player = playerConfig(config.rendition());
    Optional<Slo> slo = config.slo().map(Slo::parse);
    Results results = new Results(EventLoopScheduler::monotonicMillis);
    LiveCounters live = new LiveCounters();
    ManifestParser parser = ManifestParser.caching(PARSE_CACHE_ENTRIES);
    RunListener listener =
        new RunListener() {
          @Override
          public void started(LoadPlan plan, long monotonicMillis) {
            results.run(
                new RunInfo(
                    config.url().toString(),
                    plan.peakViewers(),
                    config.duration(),
                    profile(config),
                    regions(config.regions()),
                    Instant.now(),
                    Optional.empty()));
          }

          @Override
          public void tick(long offsetMillis, int activeViewers) {
            results.snapshot(); // closes the second: one point of the report's timeline
          }

          @Override
          public void drill(DrillRecord drill) {
            results.drill(drill.drill().toString(), drill.monotonicMillis());
          }

          @Override
          public int finished(RunSummary run) {
            results.loadTester(
                new LoadTesterHealth(
                    run.cpuPercentMean() * Runtime.getRuntime().availableProcessors(),
                    run.cpuPercentMean(),
                    run.loopLagP99Millis(),
                    run.loopLagMaxMillis(),
                    run.bottleneck(),
                    run.heapPerViewerBytes().orElse(0)));
            Summary summary = results.summary();
            Optional<Slo.Verdict> verdict = slo.map(s -> s.evaluate(summary));
            try {
              if (config.out().isPresent()) {
                JsonReport.write(summary, verdict, config.out().get());
                console.println("results: " + config.out().get());
              }
              if (config.report().isPresent()) {
                HtmlReport.write(summary, verdict, config.report().get());
                console.println("report:  " + config.report().get());
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            printSummary(summary, verdict, console);
            console.flush();
            return verdict.isPresent() && !verdict.get().passed() ? EXIT_SLO_FAILED : 0;
          }
        };
    return new RunComponents(
        slot -> {
          Player p =
              new Player(
                  slot.url(),
                  player,
                  slot.scheduler(),
                  slot.fetcher(),
                  ViewerEventsTee.of(results.viewer(slot.region()), live.events(slot.region())),
                  parser);
          p.start();
          return p::stop;
        },
        live,
        listener);
  }

  /** {@code auto}, {@code lowest}, {@code highest} or a rendition index (0 = lowest bandwidth). */
  static PlayerConfig playerConfig(String rendition) {
    PlayerConfig defaults = PlayerConfig.defaults();
    switch (rendition.toLowerCase(Locale.ROOT)) {
      case "auto":
        return defaults;
      case "lowest":
        return defaults.withFixedRendition(0);
      case "highest":
        return defaults.withFixedRendition(Integer.MAX_VALUE);
      default:
        try {
          return defaults.withFixedRendition(Integer.parseInt(rendition));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "rendition '" + rendition + "' is not auto, lowest, highest or an index", e);
        }
    }
  }

  private static String profile(LoadTestConfig config) {
    StringBuilder b =
        new StringBuilder()
            .append("ramp ")
            .append(config.ramp().toSeconds())
            .append("s, hold ")
            .append(config.duration().toSeconds())
            .append("s, ramp down ")
            .append(config.rampDown().toSeconds())
            .append('s');
    config.spikes().forEach(s -> b.append(", spike ").append(s));
    config.drills().forEach(d -> b.append(", drill ").append(d));
    return b.toString();
  }

  private static Map<String, Integer> regions(RegionMix mix) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (RegionMix.Region r : mix.regions()) {
      out.put(r.code(), r.percent());
    }
    return out;
  }

  private static void printSummary(
      Summary summary, Optional<Slo.Verdict> verdict, PrintWriter console) {
    var all = summary.all();
    console.printf(
        Locale.ROOT,
        "viewers %d peak | startup p50 %.0f ms p95 %.0f ms | segment p50 %.0f ms p99 %.0f ms |"
            + " stalls %d | rebuffer %.4f | requests %d | errors %d | %.1f MB%n",
        all.peakViewers(),
        all.startupMs().p50(),
        all.startupMs().p95(),
        all.segmentMs().p50(),
        all.segmentMs().p99(),
        all.stalls(),
        all.rebufferRatio(),
        all.requests(),
        all.errors(),
        all.bytes() / 1e6);
    verdict.ifPresent(
        v -> {
          console.println("SLO " + v.expression() + ": " + (v.passed() ? "passed" : "FAILED"));
          v.checks()
              .forEach(
                  c ->
                      console.printf(
                          Locale.ROOT,
                          "  %s %s: actual %s%s%n",
                          c.passed() ? "ok  " : "FAIL",
                          c.clause().text(),
                          c.actual(),
                          c.note().isEmpty() ? "" : " (" + c.note() + ")"));
        });
  }
}
