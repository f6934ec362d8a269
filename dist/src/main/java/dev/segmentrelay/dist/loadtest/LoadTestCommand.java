package dev.segmentrelay.dist.loadtest;

import dev.segmentrelay.dist.cli.RoleCommand;
import dev.segmentrelay.loadtest.PlayerRun;
import dev.segmentrelay.loadtest.engine.LiveCounters;
import dev.segmentrelay.loadtest.engine.LoadTestConfig;
import dev.segmentrelay.loadtest.engine.LoadTestMain;
import dev.segmentrelay.loadtest.engine.ProbeViewer;
import dev.segmentrelay.loadtest.engine.RunComponents;
import dev.segmentrelay.loadtest.engine.RunListener;
import dev.segmentrelay.loadtest.engine.RunSummary;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay loadtest}: resolves {@link LoadTestSettings}, wires the viewers and the results
 * ({@link Wiring}) and runs {@link LoadTestMain} to its end. Exit codes: 0, the results' SLO code,
 * 2 for bad options.
 */
@Command(
    name = "loadtest",
    sortOptions = false,
    description = {
      "Rehearses an event: thousands of virtual viewers, each a player model, through the real"
          + " router and edges, with live progress every second, JSON and HTML results and SLO"
          + " exit codes. Every run is bounded: ramp + duration + ramp-down, then a grace period.",
      "Every option can also be set in the YAML file (key = option name without --) or by its"
          + " environment variable; flags win over variables, variables over the file."
    },
    footer = {
      "",
      "Examples:",
      "  relay loadtest --url http://127.0.0.1:8088/live/room1/master.m3u8 --viewers 2000 \\",
      "      --ramp 30s --duration 5m --region jp=20,th=10,de=70 --out results.json",
      "  relay loadtest --url ... --viewers 500 --spike 5000@60s/30s --slo 'stall_ratio<0.01'",
      "  relay loadtest --url ... --drill at=30s,drain=edge-tyo --edge-admin-token TOKEN",
      "",
      "docs/config/loadtest.example.yaml lists every key with its default."
    })
public final class LoadTestCommand extends RoleCommand {
  /** Turns a configuration into the viewers, console figures and results of one run. */
  @FunctionalInterface
  public interface Wiring {
    RunComponents wire(LoadTestConfig config, PrintWriter console);
  }

  /**
   * Until the player model and the results are wired: {@link ProbeViewer}s and console figures
   * only. The lead replaces this with {@code Player} + {@code Results}.
   */
  public static final Wiring STAND_IN =
      (config, console) -> {
        LiveCounters live = new LiveCounters();
        return new RunComponents(
            slot -> ProbeViewer.start(slot, live.events(slot.region()), 2000),
            live,
            new RunListener() {
              @Override
              public int finished(RunSummary summary) {
                if (config.out().isPresent()
                    || config.report().isPresent()
                    || config.slo().isPresent()) {
                  console.println(
                      "relay loadtest: --out, --report and --slo are not wired in this build");
                }
                return 0;
              }
            });
      };

  private final Wiring wiring;

  private LoadTestCommand(Map<String, String> environment, Wiring wiring) {
    super(LoadTestSettings.SCHEMA, environment);
    this.wiring = wiring;
  }

  /** The {@code loadtest} command with one option per {@link LoadTestSettings} setting. */
  public static CommandLine commandLine(Map<String, String> environment) {
    return commandLine(environment, PlayerRun::components);
  }

  /** The same with the viewers and results of {@code wiring}. */
  public static CommandLine commandLine(Map<String, String> environment, Wiring wiring) {
    return withSchemaOptions(new LoadTestCommand(environment, wiring));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    LoadTestConfig config = LoadTestSettings.toLoadTestConfig(resolve());
    RunComponents components = wiring.wire(config, out);
    return LoadTestMain.run(
        config, components.viewers(), components.progress(), components.listener(), out);
  }
}
