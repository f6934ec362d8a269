package dev.segmentrelay.microbench;

import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import dev.segmentrelay.georouter.selection.EdgeSelector;
import dev.segmentrelay.georouter.selection.Explanation;
import dev.segmentrelay.georouter.selection.RoutableEdge;
import dev.segmentrelay.georouter.selection.RoutingSnapshot;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One routing decision of the geo-router's {@link EdgeSelector}, location excluded: the redirect
 * target ({@code best}) and a content-steering list ({@code rank}, top 5) over a world-wide
 * snapshot of 100 (or 500) edges in 40 cities, 2 to 4 per city, with random loads, a few draining,
 * starting, unhealthy or full. Each call takes the next of 1,024 precomputed viewers (distinct
 * addresses, most near a city, some anywhere), so branch predictors and caches do not see one
 * viewer over and over.
 *
 * <p>Run (after {@code mvn -B -q package -pl microbench -am -DskipTests}):
 *
 * <pre>
 * java -jar microbench/target/microbench.jar SelectorBenchmark -f 1 -wi 3 -i 5
 * java -jar microbench/target/microbench.jar SelectorBenchmark -f 1 -wi 3 -i 5 -prof gc
 * </pre>
 *
 * Figures: {@code docs/benchmarks.md}, section "Router: selection".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SelectorBenchmark {
  private static final int VIEWERS = 1024;

  /** Cities with edges: name, latitude, longitude. */
  private static final Object[][] CITIES = {
    {"fra", 50.11, 8.68},
    {"ams", 52.37, 4.90},
    {"lon", 51.51, -0.13},
    {"par", 48.86, 2.35},
    {"mad", 40.42, -3.70},
    {"mil", 45.46, 9.19},
    {"waw", 52.23, 21.01},
    {"sto", 59.33, 18.07},
    {"hel", 60.17, 24.94},
    {"vie", 48.21, 16.37},
    {"ist", 41.01, 28.98},
    {"dxb", 25.20, 55.27},
    {"bom", 19.08, 72.88},
    {"del", 28.70, 77.10},
    {"sin", 1.35, 103.82},
    {"bkk", 13.76, 100.50},
    {"hkg", 22.32, 114.17},
    {"tpe", 25.03, 121.57},
    {"sel", 37.57, 126.98},
    {"tyo", 35.68, 139.69},
    {"osa", 34.69, 135.50},
    {"syd", -33.87, 151.21},
    {"mel", -37.81, 144.96},
    {"akl", -36.85, 174.76},
    {"jnb", -26.20, 28.05},
    {"nbo", -1.29, 36.82},
    {"lag", 6.52, 3.38},
    {"cai", 30.04, 31.24},
    {"gru", -23.55, -46.63},
    {"eze", -34.60, -58.38},
    {"bog", 4.71, -74.07},
    {"mex", 19.43, -99.13},
    {"mia", 25.76, -80.19},
    {"nyc", 40.71, -74.01},
    {"chi", 41.88, -87.63},
    {"dfw", 32.78, -96.80},
    {"den", 39.74, -104.99},
    {"lax", 34.05, -118.24},
    {"sea", 47.61, -122.33},
    {"yyz", 43.65, -79.38},
  };

  @Param({"100", "500"})
  public int edges;

  private final EdgeSelector selector = new EdgeSelector();
  private RoutingSnapshot snapshot;
  private Location[] locations;
  private byte[][] clients;
  private InetAddress[] addresses;
  private int next;

  @Setup
  public void setUp() throws UnknownHostException {
    Random rnd = new Random(42);
    snapshot = worldSnapshot(edges, rnd);
    locations = new Location[VIEWERS];
    clients = new byte[VIEWERS][];
    addresses = new InetAddress[VIEWERS];
    for (int v = 0; v < VIEWERS; v++) {
      GeoPoint p;
      if (v % 8 == 0) {
        p = new GeoPoint(rnd.nextDouble() * 140 - 70, rnd.nextDouble() * 360 - 180);
      } else {
        Object[] city = CITIES[rnd.nextInt(CITIES.length)];
        p =
            new GeoPoint(
                Math.max(-90, Math.min(90, (double) city[1] + rnd.nextGaussian() * 3)),
                Math.max(-180, Math.min(180, (double) city[2] + rnd.nextGaussian() * 3)));
      }
      locations[v] =
          new Location(
              p,
              Location.Source.GEOIP,
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty());
      byte[] address = new byte[v % 4 == 0 ? 16 : 4];
      rnd.nextBytes(address);
      clients[v] = address;
      addresses[v] = InetAddress.getByAddress(address);
    }
  }

  /**
   * A world-wide snapshot of {@code edges} edges in 40 cities (2 to 4 per city for 100), random
   * loads, about 1 in 30 draining and 1 in 40 unhealthy; shared with {@link
   * RoutingDecisionBenchmark}.
   */
  static RoutingSnapshot worldSnapshot(int edges, Random rnd) {
    Instant at = Instant.parse("2026-11-21T12:00:00Z");
    List<RoutableEdge> list = new ArrayList<>();
    for (int i = 0; i < edges; i++) {
      Object[] city = CITIES[i % CITIES.length];
      String site = (String) city[0];
      double lat = (double) city[1] + rnd.nextGaussian() * 0.05;
      double lon = (double) city[2] + rnd.nextGaussian() * 0.05;
      EdgeState state = rnd.nextInt(30) == 0 ? EdgeState.DRAINING : EdgeState.SERVING;
      EdgeLoad load = new EdgeLoad(rnd.nextDouble() * 950, rnd.nextInt(3000), 0.95);
      EdgeRecord r =
          new EdgeRecord(
              site + "-" + i,
              "http://192.0.2." + (i % 250 + 1) + ":8081",
              List.of("192.0.2." + (i % 250 + 1)),
              site,
              lat,
              lon,
              "",
              1000,
              5000,
              state,
              load,
              at,
              "",
              "http://192.0.2." + (i % 250 + 1) + ":9081");
      list.add(
          rnd.nextInt(40) == 0
              ? RoutableEdge.unhealthy(r, "readiness probe timed out")
              : RoutableEdge.healthy(r));
    }
    return RoutingSnapshot.of(list);
  }

  private int nextViewer() {
    int v = next;
    next = (v + 1) & (VIEWERS - 1);
    return v;
  }

  /** The redirect target for a viewer given as address bytes. */
  @Benchmark
  public Optional<EdgeRecord> best() {
    int v = nextViewer();
    return selector.best(locations[v], clients[v], snapshot);
  }

  /** The redirect target for a viewer given as an {@code InetAddress} (copies its bytes). */
  @Benchmark
  public Optional<EdgeRecord> bestInetAddress() {
    int v = nextViewer();
    return selector.best(locations[v], addresses[v], snapshot);
  }

  /** A content-steering list of 5 edges. */
  @Benchmark
  public List<EdgeRecord> rankTop5() {
    int v = nextViewer();
    return selector.rank(locations[v], clients[v], snapshot, 5);
  }

  /** The full explanation behind {@code /api/v1/route} (not a hot path; for scale). */
  @Benchmark
  public Explanation explain() {
    int v = nextViewer();
    return selector.explain(locations[v], clients[v], snapshot);
  }
}
