package dev.segmentrelay.edge;

import dev.segmentrelay.origin.OriginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Test bodies and origin settings of the edge ITs (working folders come from {@code ItWorkDirs}).
 */
final class ItWork {
  private ItWork() {}

  /** {@code n} reproducible pseudo-random bytes (a stand-in segment body). */
  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** An origin on loopback (ports 0) pulling {@code pull}, polling its sources every 500 ms. */
  static OriginConfig originConfig(List<OriginConfig.PullStream> pull) {
    OriginConfig d = OriginConfig.defaults(pull, List.of());
    return new OriginConfig(
        "127.0.0.1",
        0,
        0,
        d.pullStreams(),
        d.pushStreams(),
        d.playlistWindow(),
        d.storeMaxSegments(),
        d.storeMaxBytes(),
        d.maxObjectBytes(),
        d.fetchTimeout(),
        d.stalledAfter(),
        Optional.of(Duration.ofMillis(500)),
        Optional.empty());
  }
}
