package dev.segmentrelay.dist.edge;

import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Units;
import dev.segmentrelay.dist.cli.Hosts;
import dev.segmentrelay.dist.cli.RoleCommand;
import dev.segmentrelay.edge.EdgeConfig;
import dev.segmentrelay.edge.EdgeMain;
import dev.segmentrelay.edge.RunningEdge;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code relay edge}: resolves {@link EdgeSettings} from defaults, {@code --config FILE}, {@code
 * RELAY_EDGE_*} and flags, starts {@link EdgeMain}, prints where it listens (never the admin token)
 * and runs until the JVM is asked to stop, when a shutdown hook closes the edge.
 */
@Command(
    name = "edge",
    sortOptions = false,
    description = {
      "Runs an edge: a viewer-facing cache of /live/{stream}/ that fetches from its upstreams"
          + " (an origin or a parent edge), one upstream request however many viewers ask.",
      "Every option can also be set in the YAML file (key = option name without --) or by its"
          + " environment variable; flags win over variables, variables over the file."
    },
    footer = {
      "",
      "Examples:",
      "  relay edge --port 8081 --admin-port 9091 \\",
      "      --upstream http://origin-a:8080,http://origin-b:8080 --cache-size 2g \\",
      "      --id fra1-a --site fra1 --lat 50.11 --lon 8.68 --capacity-mbps 1000",
      "  RELAY_EDGE_ADMIN_TOKEN=$(openssl rand -hex 16) \\",
      "      relay edge --upstream http://origin:8080",
      "  relay edge --config /etc/relay/edge.yaml",
      "",
      "docs/config/edge.example.yaml lists every key with its default."
    })
public final class EdgeCommand extends RoleCommand {

  private EdgeCommand(Map<String, String> environment) {
    super(EdgeSettings.SCHEMA, environment);
  }

  /** The {@code edge} command with one option per {@link EdgeSettings} setting. */
  public static CommandLine commandLine(Map<String, String> environment) {
    return withSchemaOptions(new EdgeCommand(environment));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ResolvedConfig resolved = resolve();
    EdgeConfig config = EdgeSettings.toEdgeConfig(resolved, environment());
    return runInRegistry(
        resolved,
        "edge",
        config.id(),
        r -> EdgeMain.start(config, r),
        RunningEdge::close,
        edge -> printListening(config, edge.port(), edge.adminPort(), out));
  }

  /** Where the edge listens and what it fetches from; the admin token is never printed. */
  static void printListening(EdgeConfig config, int port, int adminPort, PrintWriter out) {
    String base =
        config
            .publicUrl()
            .map(URI::toString)
            .map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url)
            .orElse("http://" + Hosts.urlHost(config.bind()) + ":" + port);
    String admin = "http://" + Hosts.urlHost(config.bind()) + ":" + adminPort;
    out.printf(
        "relay edge %s (site %s): listening on %s:%d (viewers), management on %s:%d%n",
        config.id(), config.site(), config.bind(), port, config.bind(), adminPort);
    out.printf(
        "  upstreams  %s%n",
        config.upstreams().stream().map(URI::toString).collect(Collectors.joining(", ")));
    out.printf("  viewers    %s/live/{stream}/{playlist}%n", base);
    config
        .overflow()
        .ifPresent(
            tier ->
                out.printf(
                    "  overflow   %s bucket %s prefix '%s'%s (evicted segments; kept %s, %s)%n",
                    tier.s3().endpoint(),
                    tier.s3().bucket(),
                    tier.s3().keyPrefix(),
                    tier.required() ? ", required" : "",
                    Units.formatDuration(tier.maxAge()),
                    Units.formatSize(tier.maxBytes())));
    out.printf("  health     %s/health/ready   metrics  %s/metrics%n", admin, admin);
    if (config.adminToken().isPresent()) {
      out.printf("  admin      %s/admin/purge, %s/admin/drain (bearer token)%n", admin, admin);
    } else {
      out.printf(
          "  admin      disabled: set --admin-token or %s to purge and drain%n",
          EdgeSettings.SCHEMA.environmentVariable(EdgeSettings.ADMIN_TOKEN));
    }
    out.flush();
  }
}
