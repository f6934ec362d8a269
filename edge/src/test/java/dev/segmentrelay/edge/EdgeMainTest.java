package dev.segmentrelay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EdgeMainTest {
  private static final long MB = 1L << 20;

  @Test
  void aCacheThatFitsUnderTheDirectMemoryLimitIsAccepted() {
    assertThat(EdgeMain.cacheDoesNotFit(512 * MB, 1024 * MB)).isEmpty();
  }

  @Test
  void aCacheAsLargeAsTheDirectMemoryLimitIsRefusedWithTheFix() {
    assertThat(EdgeMain.cacheDoesNotFit(1024 * MB, 1024 * MB))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("cache-size 1024m")
                    .contains("limit of 1024m")
                    .contains("-XX:MaxDirectMemorySize=")
                    .contains("lower --cache-size"));
  }
}
