package dev.segmentrelay.dist.origin;

import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Units;
import dev.segmentrelay.dist.cli.Hosts;
import dev.segmentrelay.dist.cli.RoleCommand;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.OriginMain;
import dev.segmentrelay.origin.RunningOrigin;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay origin}: resolves {@link OriginSettings} from defaults, {@code --config FILE},
 * {@code RELAY_ORIGIN_*} and flags, starts {@link OriginMain}, prints where it listens and runs
 * until the JVM is asked to stop, when a shutdown hook closes the origin.
 */
@Command(
    name = "origin",
    sortOptions = false,
    description = {
      "Runs an origin: pulls streams from transcoders (HLS/DASH over HTTP) or accepts them by"
          + " HTTP PUT, and publishes them consistently under /live/{stream}/.",
      "Every option can also be set in the YAML file (key = option name without --) or by its"
          + " environment variable; flags win over variables, variables over the file."
    },
    footer = {
      "",
      "Examples:",
      "  relay origin --port 8080 --admin-port 9090 \\",
      "      --stream room1=http://transcoder:8000/hls/room1/index.m3u8",
      "  RELAY_ORIGIN_INGEST_TOKEN=$(openssl rand -hex 16) relay origin --push room2",
      "  relay origin --config /etc/relay/origin.yaml",
      "",
      "docs/config/origin.example.yaml lists every key with its default."
    })
public final class OriginCommand extends RoleCommand {

  private OriginCommand(Map<String, String> environment) {
    super(OriginSettings.SCHEMA, environment);
  }

  /** The {@code origin} command with one option per {@link OriginSettings} setting. */
  public static CommandLine commandLine(Map<String, String> environment) {
    return withSchemaOptions(new OriginCommand(environment));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ResolvedConfig resolved = resolve();
    OriginConfig config = OriginSettings.toOriginConfig(resolved, environment());
    warnAboutMissingStreams(config, err);
    return runInRegistry(
        resolved,
        "origin",
        "origin-" + config.port(),
        r -> OriginMain.start(config, r),
        RunningOrigin::close,
        origin -> printListening(config, origin, out));
  }

  static void warnAboutMissingStreams(OriginConfig config, PrintWriter err) {
    if (config.pullStreams().isEmpty() && config.pushStreams().isEmpty()) {
      err.println(
          "relay origin: warning: no streams configured; add --stream NAME=URL or --push NAME.");
    }
    err.flush();
  }

  static void printListening(OriginConfig config, RunningOrigin origin, PrintWriter out) {
    String base = "http://" + Hosts.urlHost(config.bind()) + ":" + origin.port();
    String admin = "http://" + Hosts.urlHost(config.bind()) + ":" + origin.adminPort();
    out.printf(
        "relay origin: listening on %s:%d (viewers, edges, push ingest), management on %s:%d%n",
        config.bind(), origin.port(), config.bind(), origin.adminPort());
    for (OriginConfig.PullStream stream : config.pullStreams()) {
      String path = stream.url().getPath();
      String file = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
      out.printf(
          "  pull %-12s %s/live/%s/%s  <- %s%n",
          stream.name(), base, stream.name(), file, stream.url());
    }
    for (OriginConfig.PushStream stream : config.pushStreams()) {
      out.printf(
          "  push %-12s PUT %s/ingest/%s/{playlist}  -> %s/live/%s/{playlist}%n",
          stream.name(), base, stream.name(), base, stream.name());
    }
    config
        .archive()
        .ifPresent(
            a ->
                out.printf(
                    "  archive %s bucket %s%s (DVR %s; ended streams replay on the same path)%n",
                    a.s3().endpoint(),
                    a.s3().bucket(),
                    a.required() ? ", required" : "",
                    Units.formatDuration(a.dvrWindow())));
    out.printf("  health  %s/health/ready   metrics  %s/metrics%n", admin, admin);
    out.flush();
  }
}
