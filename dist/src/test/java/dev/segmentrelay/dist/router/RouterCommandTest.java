package dev.segmentrelay.dist.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.dist.Relay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code relay router}'s command line: help and the usage errors that name the bad value. */
class RouterCommandTest {
  private record Run(int exit, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    CommandLine relay = Relay.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    relay.setOut(new PrintWriter(out));
    relay.setErr(new PrintWriter(err));
    relay.getSubcommands().get("router").setOut(new PrintWriter(out));
    relay.getSubcommands().get("router").setErr(new PrintWriter(err));
    int exit = relay.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void helpListsTheStableFlags() {
    Run r = run(Map.of(), "router", "--help");
    assertThat(r.exit).isZero();
    assertThat(r.out)
        .contains("--port", "--admin-port", "--dns-port", "--dns-name", "--geoip")
        .contains("--trusted-proxy", "--cluster-port", "--members", "--coverage-zone")
        .contains("RELAY_ROUTER_");
  }

  @Test
  void dnsPortWithoutANameIsAUsageError() {
    Run r = run(Map.of(), "router", "--dns-port", "5353");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("dns-port", "5353", "--dns-name");
  }

  @Test
  void aMissingGeoIpFileIsAUsageErrorNamingThePath() {
    Run r = run(Map.of(), "router", "--geoip", "/nonexistent/GeoLite2-City.mmdb");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("/nonexistent/GeoLite2-City.mmdb", "not a readable file");
  }

  @Test
  void aCorruptGeoIpFileStopsTheStartWithItsPath(@TempDir Path dir) throws Exception {
    Path corrupt = dir.resolve("GeoLite2-City.mmdb");
    Files.write(corrupt, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Run r =
        run(Map.of(), "router", "--geoip", corrupt.toString(), "--port", "0", "--admin-port", "0");
    assertThat(r.exit).isEqualTo(Relay.EXIT_FAILED);
    assertThat(r.err).contains("could not start", corrupt.toString());
  }

  @Test
  void aBadTrustedProxyNamesTheValue() {
    Run r = run(Map.of(), "router", "--trusted-proxy", "10.0.0.1/8");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("trusted-proxies", "10.0.0.1/8", "10.0.0.0/8");
  }

  @Test
  void aZoneWhoseSiteHasNoCoordinatesIsAUsageError() {
    Run r = run(Map.of(), "router", "--coverage-zone", "10.20.0.0/16=tyo1");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("coverage-zones", "tyo1", "--site-location");
  }

  @Test
  void aBadDefaultLocationFromTheEnvironmentNamesTheVariable() {
    Run r = run(Map.of("RELAY_ROUTER_DEFAULT_LOCATION", "somewhere"), "router");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("default-location", "somewhere", "RELAY_ROUTER_DEFAULT_LOCATION");
  }
}
