package dev.segmentrelay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadTestMainTest {
  @Test
  void defaultEventLoopsAddsALoopPerFiveThousandViewersUpToTheCores() {
    assertThat(LoadTestMain.defaultEventLoops(0, 8)).isEqualTo(1);
    assertThat(LoadTestMain.defaultEventLoops(3_000, 8)).isEqualTo(1);
    assertThat(LoadTestMain.defaultEventLoops(5_000, 8)).isEqualTo(1);
    assertThat(LoadTestMain.defaultEventLoops(5_001, 8)).isEqualTo(2);
    assertThat(LoadTestMain.defaultEventLoops(10_000, 2)).isEqualTo(2);
    assertThat(LoadTestMain.defaultEventLoops(100_000, 2)).isEqualTo(2);
  }
}
