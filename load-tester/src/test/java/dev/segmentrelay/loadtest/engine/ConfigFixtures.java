package dev.segmentrelay.loadtest.engine;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Small load test configurations for tests. */
final class ConfigFixtures {
  private ConfigFixtures() {}

  static LoadTestConfig config(URI url, FetchOptions fetch) {
    return new LoadTestConfig(
        url,
        1,
        Duration.ZERO,
        Duration.ofSeconds(1),
        Duration.ZERO,
        List.of(),
        List.of(),
        RegionMix.none(),
        fetch,
        "auto",
        1,
        0,
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
