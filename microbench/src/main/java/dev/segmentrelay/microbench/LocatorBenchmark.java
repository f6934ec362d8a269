package dev.segmentrelay.microbench;

import dev.segmentrelay.georouter.location.Cidr;
import dev.segmentrelay.georouter.location.CoverageZones;
import dev.segmentrelay.georouter.location.DefaultLocator;
import dev.segmentrelay.georouter.location.GeoPoint;
import dev.segmentrelay.georouter.location.Location;
import dev.segmentrelay.georouter.location.ReloadingGeoIp;
import dev.segmentrelay.georouter.location.TrustedProxies;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Locating a viewer: coverage zones, then a GeoIP2 City database, then the default.
 *
 * <p>The City database is built in {@link #setUp()} by running {@code infra/geoip/write-mmdb.pl}
 * (MaxMind's own writer; {@code apt-get install libmaxmind-db-writer-perl}), so run it from the
 * repository root or a folder below it:
 *
 * <pre>
 * mvn -q -B package -pl common,geo-router,microbench -am -DskipTests
 * java -jar microbench/target/microbench.jar LocatorBenchmark -f 1 -wi 3 -i 5
 * </pre>
 *
 * <p>The database holds 8,192 IPv4 /24s and 2,048 IPv6 /48s spread over 400 cities; the address mix
 * is 80 % in the database (IPv4 and IPv6), 10 % in one of 16 coverage zones and 10 % in nothing
 * (default). {@code locate} is the routing hot path; {@code clientAddressAndLocate} adds the
 * trusted-proxy step from a text peer address and an {@code X-Forwarded-For} header, as the HTTP
 * server will call it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LocatorBenchmark {
  private static final int MASK = 4095;

  private Path dir;
  private ReloadingGeoIp geoip;
  private DefaultLocator locator;
  private TrustedProxies proxies;
  private InetAddress[] addresses;
  private List<String>[] forwardedFor;
  private int next;

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("locator-bench");
    SplittableRandom random = new SplittableRandom(42);
    StringBuilder spec = new StringBuilder("{\"database_type\":\"GeoIP2-City\",\"networks\":[");
    String[] countries = {"DE", "JP", "TH", "US", "BR", "AU", "GB", "SG", "IN", "ZA"};
    List<String> v4 = new ArrayList<>();
    List<String> v6 = new ArrayList<>();
    for (int i = 0; i < 8192; i++) {
      // 8,192 /24s scattered over 32.0.0.0 - 95.255.255.0
      int a = 32 + random.nextInt(64);
      String net = a + "." + random.nextInt(256) + "." + random.nextInt(256) + ".0/24";
      v4.add(net.substring(0, net.length() - 5)); // "a.b.c"
      entry(spec, net, i % 400, countries, i == 0);
    }
    for (int i = 0; i < 2048; i++) {
      String net = String.format(Locale.ROOT, "2a0%x:%x:%x::/48", i % 16, random.nextInt(65536), i);
      v6.add(net.substring(0, net.length() - 5));
      entry(spec, net, i % 400, countries, false);
    }
    spec.append("]}");
    Path json = Files.writeString(dir.resolve("bench.json"), spec, StandardCharsets.UTF_8);
    Path mmdb = dir.resolve("bench-city.mmdb");
    writeMmdb(json, mmdb);

    List<String> zones = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      zones.add("10." + (i * 16) + ".0.0/12=site" + (i % 4));
    }
    CoverageZones coverage =
        CoverageZones.parse(
            zones,
            List.of("site0=50.11,8.68", "site1=35.68,139.69", "site2=13.75,100.5", "site3=1,2"));
    geoip = ReloadingGeoIp.open(mmdb);
    locator =
        new DefaultLocator(
            coverage,
            Optional.of(geoip),
            Location.fallback(new GeoPoint(50.11, 8.68), Optional.empty()));
    proxies = TrustedProxies.parse(List.of("127.0.0.0/8", "::1"));

    addresses = new InetAddress[MASK + 1];
    forwardedFor = (List<String>[]) new List<?>[MASK + 1];
    for (int i = 0; i <= MASK; i++) {
      int kind = random.nextInt(10);
      String text;
      if (kind < 6) {
        text = v4.get(random.nextInt(v4.size())) + "." + random.nextInt(1, 255);
      } else if (kind < 8) {
        text =
            v6.get(random.nextInt(v6.size()))
                + ":"
                + Integer.toHexString(random.nextInt(65536))
                + "::1";
      } else if (kind < 9) {
        text = "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
      } else {
        text = "100." + random.nextInt(64, 128) + ".0." + random.nextInt(256); // in nothing
      }
      addresses[i] = Cidr.parse(text).network(); // a literal parser: never DNS
      forwardedFor[i] = List.of("203.0.113.9, " + text);
    }
    for (InetAddress a : addresses) {
      if (locator.locate(a) == null) {
        throw new IllegalStateException("null location for " + a);
      }
    }
  }

  private static void entry(
      StringBuilder spec, String net, int city, String[] countries, boolean first) {
    if (!first) {
      spec.append(',');
    }
    double lat = -60 + (city * 37 % 120);
    double lon = -180 + (city * 53 % 360);
    spec.append(
        String.format(
            Locale.ROOT,
            "{\"network\":\"%s\",\"country\":\"%s\",\"city\":\"City %d\",\"latitude\":%.2f,\"longitude\":%.2f}",
            net,
            countries[city % countries.length],
            city,
            lat,
            lon));
  }

  private static void writeMmdb(Path json, Path out) throws IOException, InterruptedException {
    Path script = repositoryFile("infra/geoip/write-mmdb.pl");
    Process p =
        new ProcessBuilder("perl", script.toString(), json.toString(), out.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "write-mmdb.pl failed (apt-get install libmaxmind-db-writer-perl?): " + log);
    }
  }

  /** A file of the repository, from the working directory or a folder above it. */
  static Path repositoryFile(String relative) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(relative))) {
        return p.resolve(relative);
      }
    }
    throw new IllegalStateException(
        relative + " not found: run the benchmark from the repository root or a folder below it");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    geoip.close();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @Benchmark
  public Location locate() {
    return locator.locate(addresses[next++ & MASK]);
  }

  @Benchmark
  public Location clientAddressAndLocate() {
    int i = next++ & MASK;
    return locator.locate(proxies.clientAddress("127.0.0.1", forwardedFor[i]));
  }
}
