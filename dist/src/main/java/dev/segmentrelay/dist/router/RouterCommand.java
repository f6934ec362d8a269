package dev.segmentrelay.dist.router;

import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.dist.cli.Hosts;
import dev.segmentrelay.dist.cli.RoleCommand;
import dev.segmentrelay.georouter.GeoRouterMain;
import dev.segmentrelay.georouter.RouterConfig;
import dev.segmentrelay.georouter.RunningRouter;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
public final class RouterCommand extends RoleCommand {

  private RouterCommand(Map<String, String> environment) {
    super(RouterSettings.SCHEMA, environment);
  }

  /** The {@code router} command with one option per {@link RouterSettings} setting. */
  public static CommandLine commandLine(Map<String, String> environment) {
    return withSchemaOptions(new RouterCommand(environment));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ResolvedConfig resolved = resolve();
    RouterConfig config = RouterSettings.toRouterConfig(resolved);
    return runInRegistry(
        resolved,
        "router",
        "router-" + config.port(),
        r -> GeoRouterMain.start(config, r),
        RunningRouter::close,
        router -> printListening(config, router, out));
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
