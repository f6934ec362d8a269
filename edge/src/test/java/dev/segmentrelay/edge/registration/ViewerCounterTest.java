package dev.segmentrelay.edge.registration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViewerCounterTest {
  private static final long T0 = 1_740_823_200_000L; // a slot boundary

  private static String v4(int i) {
    return "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
  }

  @Test
  void smallAudiencesAreCountedExactly() {
    ViewerCounter c = new ViewerCounter();
    c.advance(T0);
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < 40; i++) {
        c.seen(v4(i));
      }
    }
    assertThat(c.estimate()).isEqualTo(40);
  }

  @Test
  void largeAudiencesAreEstimatedWithinAFewPercent() {
    ViewerCounter c = new ViewerCounter();
    c.advance(T0);
    for (int i = 0; i < 30_000; i++) {
      c.seen(v4(i));
      c.seen(v4(i));
    }
    assertThat(c.estimate()).isBetween(28_500, 31_500);
  }

  @Test
  void anAddressCountsForThirtySecondsAfterItsLastRequest() {
    ViewerCounter c = new ViewerCounter();
    c.advance(T0);
    c.seen("192.0.2.1");
    c.advance(T0 + 5_000);
    c.seen("192.0.2.2");
    c.advance(T0 + 34_999);
    assertThat(c.estimate()).as("just under 35 s after the first one's request").isEqualTo(2);
    c.advance(T0 + 35_000);
    assertThat(c.estimate()).as("35 s after the first one's request").isEqualTo(1);
    c.advance(T0 + 40_000);
    assertThat(c.estimate()).isZero();
  }

  @Test
  void aLongPauseClearsEverything() {
    ViewerCounter c = new ViewerCounter();
    c.advance(T0);
    c.seen("192.0.2.1");
    c.advance(T0 + 3_600_000);
    assertThat(c.estimate()).isZero();
    c.seen("192.0.2.1");
    assertThat(c.estimate()).isEqualTo(1);
  }

  @Test
  void nullAddressesAreIgnored() {
    ViewerCounter c = new ViewerCounter();
    c.seen(null);
    assertThat(c.estimate()).isZero();
  }
}
