package dev.segmentrelay.dist.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.dist.Relay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code relay loadtest}'s command line: help and usage errors that name the option. */
class LoadTestCommandTest {
  record Run(int exit, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    CommandLine relay = Relay.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    relay.setOut(new PrintWriter(out));
    relay.setErr(new PrintWriter(err));
    relay.getSubcommands().get("loadtest").setOut(new PrintWriter(out));
    relay.getSubcommands().get("loadtest").setErr(new PrintWriter(err));
    int exit = relay.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static final String URL = "http://127.0.0.1:9/live/room1/master.m3u8";

  @Test
  void helpListsTheStableFlags() {
    Run r = run(Map.of(), "loadtest", "--help");
    assertThat(r.exit).isZero();
    assertThat(r.out)
        .contains("--url", "--viewers", "--duration", "--ramp", "--out", "--report")
        .contains("--region", "--slo", "--spike", "--drill", "--ramp-down", "RELAY_LOADTEST_");
  }

  @Test
  void aMissingUrlIsAUsageError() {
    Run r = run(Map.of(), "loadtest", "--viewers", "10");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("url", "--url");
  }

  @Test
  void percentsThatDoNotAddUpTo100NameTheRegionOption() {
    Run r = run(Map.of(), "loadtest", "--url", URL, "--region", "jp=20,th=10,de=60");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("--region", "90, not 100");
  }

  @Test
  void anUnknownRegionWithoutCidrNamesTheFix() {
    Run r = run(Map.of(), "loadtest", "--url", URL, "--region", "xx=100");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("--region", "xx", "--region-cidr xx=CIDR");
  }

  @Test
  void aBadSpikeNamesTheSpikeOption() {
    Run r = run(Map.of(), "loadtest", "--url", URL, "--spike", "5000at60s");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("--spike", "5000at60s", "N@T/W");
  }

  @Test
  void aKillDrillWithoutACommandIsAUsageError() {
    Run r = run(Map.of(), "loadtest", "--url", URL, "--drill", "at=30s,kill=edge-tyo");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("--drill", "--drill-command");
  }

  @Test
  void aBadViewerCountFromTheEnvironmentNamesTheVariable() {
    Run r = run(Map.of("RELAY_LOADTEST_VIEWERS", "lots"), "loadtest", "--url", URL);
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("RELAY_LOADTEST_VIEWERS", "lots");
  }

  @Test
  void aBadForwardedForModeIsAUsageError() {
    Run r = run(Map.of(), "loadtest", "--url", URL, "--forwarded-for", "edge");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("--forwarded-for", "router, all, none");
  }

  @Test
  void aBadSloNamesTheClauseAndTheOption() {
    Run r = run(Map.of(), "loadtest", "--url", URL, "--slo", "stall_ratio<0.01,startup_p95~3s");
    assertThat(r.exit).isEqualTo(Relay.EXIT_USAGE);
    assertThat(r.err).contains("slo", "startup_p95~3s");
  }
}
