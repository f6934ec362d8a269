package dev.segmentrelay.dist.router;

import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.dist.cli.Hosts;
import dev.segmentrelay.dist.cli.RunUntilStopped;
import dev.segmentrelay.dist.cli.SchemaOptions;
import dev.segmentrelay.georouter.GeoRouterMain;
import dev.segmentrelay.georouter.RouterConfig;
import dev.segmentrelay.georouter.RunningRouter;
import io.vertx.core.Future;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relay router}: resolves {@link RouterSettings}, joins the cluster registry, starts {@link
 * GeoRouterMain}, prints where it listens and runs until the JVM is asked to stop.
 */
@Command(
    name = "router",
    sortOptions = false,
    description = {
      "Runs a geo-router: sends every viewer to the nearest healthy edge by HTTP redirect,"
          + " DNS answer or content-steering list, from the edges registered in the cluster.",
      "Every option can also be set in the YAML file (key = option name without --) or by its"
          + " environment variable; flags win over variables, variables over the file."
    },
    footer = {
      "",
      "Examples:",
      "  relay router --port 8088 --admin-port 9088 --geoip /var/lib/GeoLite2-City.mmdb \\",
      "      --trusted-proxy 10.0.0.0/8 --cluster-port 5701 --members 10.8.0.1:5701,10.8.0.2:5701",
      "  relay router --dns-port 53 --dns-name live.example.org --dns-ttl 20s ...",
      "  relay router --coverage-zone 10.20.0.0/16=tyo1 --site-location tyo1=35.68:139.69 ...",
      "",
      "docs/config/router.example.yaml lists every key with its default; docs/router.md explains"
          + " the routing."
    })
public final class RouterCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  private final Map<String, String> environment;

  private RouterCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** The {@code router} command with one option per {@link RouterSettings} setting. */
  public static CommandLine commandLine(Map<String, String> environment) {
    CommandLine router = new CommandLine(new RouterCommand(environment));
    SchemaOptions.addTo(router.getCommandSpec(), RouterSettings.SCHEMA);
    return router;
  }

  ResolvedConfig resolve() {
    return SchemaOptions.load(
        spec.commandLine().getParseResult(), RouterSettings.SCHEMA, environment);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ResolvedConfig resolved = resolve();
    RouterConfig config = RouterSettings.toRouterConfig(resolved);
    ClusterSettings.toClusterConfig(resolved); // settings errors before anything starts
    Future<Registry> registry = ClusterSettings.registry(resolved, "router", "router");
    return RunUntilStopped.run(
        "router",
        ClusterSettings.startWith(registry, r -> GeoRouterMain.start(config, r)),
        router -> router.close().andThen(v -> registry.result().close()),
        router -> printListening(config, router, out),
        err);
  }

  static void printListening(RouterConfig config, RunningRouter router, PrintWriter out) {
    String base = "http://" + Hosts.urlHost(config.bind()) + ":" + router.port();
    String admin = "http://" + Hosts.urlHost(config.bind()) + ":" + router.adminPort();
    out.printf(
        "relay router: listening on %s:%d (viewers), management on %s:%d%n",
        config.bind(), router.port(), config.bind(), router.adminPort());
    out.printf("  viewers    %s/live/{stream}/{playlist}  (302 to the chosen edge)%n", base);
    out.printf("  steering   %s/steer/{stream}/{master.m3u8|manifest.mpd}%n", base);
    out.printf("  explain    %s/api/v1/route?ip=ADDRESS   edges  %s/api/v1/edges%n", base, base);
    if (router.dnsPort().isPresent()) {
      out.printf(
          "  dns        %s port %d (UDP and TCP) for %s%n",
          config.bind(), router.dnsPort().getAsInt(), config.dns().get().names());
    }
    out.printf("  geoip      %s%n", config.geoip().map(Object::toString).orElse("none"));
    out.printf("  health     %s/health/ready   metrics  %s/metrics%n", admin, admin);
    out.flush();
  }
}
