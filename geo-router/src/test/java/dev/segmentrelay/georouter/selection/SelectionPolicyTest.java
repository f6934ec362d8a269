package dev.segmentrelay.georouter.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SelectionPolicyTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    SelectionPolicy p = SelectionPolicy.DEFAULTS;
    assertThat(p.loadPenaltyKm()).isEqualTo(2000);
    assertThat(p.penaltyKm(0.5)).isEqualTo(500);
    assertThat(p.penaltyKm(1)).isEqualTo(2000);
    assertThat(p.penaltyKm(3)).isEqualTo(2000);
    assertThat(p.penaltyKm(0)).isZero();
    assertThat(p.bandKm(0)).isEqualTo(100);
    assertThat(p.bandKm(10_000)).isEqualTo(500);
    assertThat(new SelectionPolicy(1000, 1, 1, 0, 0, true).penaltyKm(0.25)).isEqualTo(250);
    assertThat(new SelectionPolicy(1000, 3, 1, 0, 0, true).penaltyKm(0.5)).isEqualTo(125);
  }

  @Test
  void badValuesAreRejectedByName() {
    assertThatThrownBy(() -> SelectionPolicy.DEFAULTS.withLoadPenaltyKm(-1))
        .hasMessage("load penalty must be 0..40000 km, got -1.0");
    assertThatThrownBy(() -> SelectionPolicy.DEFAULTS.withEgressHeadroom(0))
        .hasMessageContaining("egress headroom must be in (0, 1]");
    assertThatThrownBy(() -> SelectionPolicy.DEFAULTS.withEgressHeadroom(Double.NaN))
        .hasMessageContaining("got NaN");
    assertThatThrownBy(() -> SelectionPolicy.DEFAULTS.withNearEqual(100, 1.5))
        .hasMessageContaining("near-equal fraction must be 0..1");
    assertThatThrownBy(() -> SelectionPolicy.DEFAULTS.withNearEqual(-5, 0))
        .hasMessageContaining("near-equal band must be 0..40000 km");
    assertThatThrownBy(() -> new SelectionPolicy(1, 0.5, 1, 1, 0, true))
        .hasMessageContaining("load penalty exponent must be 1..16, got 0.5");
  }
}
