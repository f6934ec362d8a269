package dev.segmentrelay.microbench;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.georouter.location.CoverageZones;
import dev.segmentrelay.georouter.location.DefaultLocator;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import dev.segmentrelay.georouter.location.ReloadingGeoIp;
import dev.segmentrelay.georouter.location.TrustedProxies;
import dev.segmentrelay.georouter.selection.EdgeSelector;
import dev.segmentrelay.georouter.selection.RoutingSnapshot;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole routing decision as the router's HTTP handler makes it for {@code GET /live/…}: the
 * viewer's address from a trusted peer's {@code X-Forwarded-For} ({@link TrustedProxies}), its
 * location ({@link DefaultLocator}: coverage zones, then the project's demo GeoIP2 City database,
 * then the default) and the redirect target ({@link EdgeSelector#best}) over the world-wide
 * snapshot of {@link SelectorBenchmark} (100 or 500 edges). Each call takes the next of 1,024
 * header values: IPv4 and IPv6 viewers in the demo database's 11 cities (80 %), a coverage zone (10
 * %), in no record (10 %); a quarter of them behind a second proxy hop ({@code "viewer,
 * 127.0.0.5"}).
 *
 * <p>Run from the repository root (it reads {@code dist/src/main/resources/…/demo-geoip.mmdb}):
 *
 * <pre>
 * mvn -q -B package -pl common,geo-router,microbench -am -DskipTests
 * java -jar microbench/target/microbench.jar RoutingDecisionBenchmark -f 1 -wi 3 -i 5
 * java -jar microbench/target/microbench.jar RoutingDecisionBenchmark -f 1 -wi 3 -i 5 -prof gc
 * </pre>
 *
 * Target (issue 4): under 5 µs for 100 edges. Figures: {@code docs/benchmarks.md}, section "Router:
 * redirects, decisions, failover".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingDecisionBenchmark {
  private static final int MASK = 1023;

  /** IPv4 /24 or /18 prefixes (first three octets) and IPv6 /48s of the demo database. */
  private static final String[] V4 = {
    "192.0.2",
    "198.51.100",
    "203.0.113",
    "198.18.0",
    "198.18.64",
    "198.18.128",
    "198.18.192",
    "198.19.0",
    "198.19.64",
    "198.19.128",
    "198.19.192"
  };

  private static final String[] V6 = {
    "2001:db8:de",
    "2001:db8:a",
    "2001:db8:b",
    "2001:db8:1",
    "2001:db8:2",
    "2001:db8:3",
    "2001:db8:4",
    "2001:db8:5",
    "2001:db8:6",
    "2001:db8:7",
    "2001:db8:8"
  };

  @Param({"100", "500"})
  public int edges;

  private final EdgeSelector selector = new EdgeSelector();
  private ReloadingGeoIp geoip;
  private DefaultLocator locator;
  private TrustedProxies proxies;
  private RoutingSnapshot snapshot;
  private String[] forwardedFor;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(7);
    snapshot = SelectorBenchmark.worldSnapshot(edges, rnd);
    geoip =
        ReloadingGeoIp.open(
            LocatorBenchmark.repositoryFile(
                "dist/src/main/resources/dev/segmentrelay/dist/demo/demo-geoip.mmdb"));
    CoverageZones zones =
        CoverageZones.parse(
            List.of("10.20.0.0/16=tyo1", "10.30.0.0/16=fra1"),
            List.of("tyo1=35.68,139.69", "fra1=50.11,8.68"));
    locator =
        new DefaultLocator(
            zones,
            Optional.of(geoip),
            Location.fallback(new GeoPoint(50.11, 8.68), Optional.of("fra1")));
    proxies = TrustedProxies.parse(List.of("127.0.0.0/8", "::1"));
    forwardedFor = new String[MASK + 1];
    for (int i = 0; i <= MASK; i++) {
      int kind = rnd.nextInt(10);
      String viewer;
      if (kind < 6) {
        viewer = V4[rnd.nextInt(V4.length)] + "." + rnd.nextInt(1, 255);
      } else if (kind < 8) {
        viewer = V6[rnd.nextInt(V6.length)] + ":" + Integer.toHexString(rnd.nextInt(65536)) + "::7";
      } else if (kind < 9) {
        viewer = "10." + (rnd.nextBoolean() ? 20 : 30) + "." + rnd.nextInt(256) + ".9";
      } else {
        viewer = "100.64." + rnd.nextInt(256) + "." + rnd.nextInt(1, 255);
      }
      forwardedFor[i] = i % 4 == 0 ? viewer + ", 127.0.0.5" : viewer;
    }
    for (String header : forwardedFor) {
      if (decide(header).isEmpty()) {
        throw new IllegalStateException("no edge chosen for X-Forwarded-For " + header);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    geoip.close();
  }

  private Optional<EdgeRecord> decide(String header) {
    // As GeoRouterMain wires it: the peer's text address and the one header value.
    InetAddress client = proxies.clientAddress("127.0.0.1", List.of(header));
    return selector.best(locator.locate(client), client, snapshot);
  }

  /** Trusted proxy + location + selection: one {@code GET /live/…} decision. */
  @Benchmark
  public Optional<EdgeRecord> decision() {
    return decide(forwardedFor[next++ & MASK]);
  }
}
