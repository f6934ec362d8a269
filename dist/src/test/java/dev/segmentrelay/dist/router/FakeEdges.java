package dev.segmentrelay.dist.router;

import dev.segmentrelay.common.cluster.ClusterConfig;
import dev.segmentrelay.common.cluster.HazelcastRegistry;
import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Benchmark helper (bench/router-redirects.sh, bench/router-dns-qps.sh): one Hazelcast member that
 * registers {@code COUNT} fake edges in the cluster's {@code edges} map and reports each of them
 * every second, as a real edge would, without running {@code COUNT} edge JVMs. The records have no
 * management URL, so routers judge them by reports alone (no probes); their public URLs and
 * addresses ({@code 127.1.x.y}) are never contacted by the benchmarks (a redirect is not followed).
 * Positions: a fixed-seed scatter over the globe, so every demo GeoIP city has edges at various
 * distances. Runs until killed; prints {@code FAKE_EDGES_READY} once the first report is written.
 *
 * <p>Usage: {@code java [HazelcastRegistry.JAVA_FLAGS] -cp relay.jar:dist/target/test-classes
 * dev.segmentrelay.dist.router.FakeEdges CLUSTER_PORT MEMBERS COUNT}
 */
public final class FakeEdges {
  private static final Duration TTL = Duration.ofSeconds(5);

  private FakeEdges() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 3) {
      throw new IllegalArgumentException(
          "usage: FakeEdges CLUSTER_PORT MEMBERS(HOST:PORT,...) COUNT, got "
              + Arrays.toString(args));
    }
    int port = Integer.parseInt(args[0]);
    List<String> members = List.of(args[1].split(","));
    int count = Integer.parseInt(args[2]);
    HazelcastRegistry registry =
        HazelcastRegistry.join(ClusterConfig.of("127.0.0.1", port, members), "edge", "fakes");
    Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "fake-edges-stop"));
    List<EdgeRecord> edges = records(count, registry.localMemberId());
    EdgeDirectory directory = registry.edges();
    boolean announced = false;
    while (true) {
      Instant now = Instant.now();
      for (EdgeRecord e : edges) {
        directory.report(e.withReport(EdgeState.SERVING, e.load(), now), TTL);
      }
      if (!announced) {
        System.out.println("FAKE_EDGES_READY " + count);
        System.out.flush();
        announced = true;
      }
      Thread.sleep(1000);
    }
  }

  static List<EdgeRecord> records(int count, String memberId) {
    Random random = new Random(4);
    List<EdgeRecord> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String address = "127.1." + (i / 250) + "." + (i % 250 + 1);
      double lat = Math.toDegrees(Math.asin(2 * random.nextDouble() - 1)) * 0.8;
      double lon = random.nextDouble() * 360 - 180;
      out.add(
          new EdgeRecord(
              String.format("fake-%03d", i),
              "http://" + address + ":8080",
              List.of(address),
              "site" + i,
              lat,
              lon,
              "",
              10_000,
              100_000,
              EdgeState.SERVING,
              new EdgeLoad(random.nextDouble() * 2_000, random.nextInt(20_000), 0.9),
              Instant.now(),
              memberId,
              ""));
    }
    return out;
  }
}
