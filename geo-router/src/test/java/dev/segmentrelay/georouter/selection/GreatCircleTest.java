package dev.segmentrelay.georouter.selection;

import static dev.segmentrelay.georouter.selection.Edges.BANGKOK;
import static dev.segmentrelay.georouter.selection.Edges.FRANKFURT;
import static dev.segmentrelay.georouter.selection.Edges.LONDON;
import static dev.segmentrelay.georouter.selection.Edges.NEW_YORK;
import static dev.segmentrelay.georouter.selection.Edges.SYDNEY;
import static dev.segmentrelay.georouter.selection.Edges.TOKYO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.segmentrelay.georouter.location.GeoPoint;
import org.junit.jupiter.api.Test;

class GreatCircleTest {
  private static double km(GeoPoint a, GeoPoint b) {
    return GreatCircle.distanceKm(a.latitude(), a.longitude(), b.latitude(), b.longitude());
  }

  @Test
  void knownCityDistancesWithinOnePercent() {
    assertThat(km(FRANKFURT, TOKYO)).isCloseTo(9_360, withPercentage(1));
    assertThat(km(LONDON, NEW_YORK)).isCloseTo(5_570, withPercentage(1));
    assertThat(km(BANGKOK, TOKYO)).isCloseTo(4_600, withPercentage(1));
    assertThat(km(SYDNEY, TOKYO)).isCloseTo(7_820, withPercentage(1));
  }

  @Test
  void symmetricZeroAtTheSamePointAndHalfTheEarthAtTheAntipode() {
    assertThat(km(TOKYO, FRANKFURT)).isEqualTo(km(FRANKFURT, TOKYO));
    assertThat(km(TOKYO, TOKYO)).isZero();
    assertThat(GreatCircle.distanceKm(0, 0, 0, 180))
        .isCloseTo(Math.PI * GreatCircle.EARTH_RADIUS_KM, within(1e-6));
    assertThat(GreatCircle.distanceKm(90, 0, -90, 0))
        .isCloseTo(Math.PI * GreatCircle.EARTH_RADIUS_KM, within(1e-6));
  }

  @Test
  void metresApartStayAccurate() {
    // 0.00001 degree of latitude is about 1.11 m.
    assertThat(GreatCircle.distanceKm(35.0, 139.0, 35.00001, 139.0))
        .isCloseTo(0.00111, within(0.00001));
  }

  @Test
  void asinMatchesStrictMathAndNeverDecreases() {
    double previous = -1;
    double worstError = 0;
    int decreases = 0;
    for (int i = 0; i <= 200_000; i++) {
      double x = i / 200_000.0;
      double a = GreatCircle.asin(x);
      worstError = Math.max(worstError, Math.abs(a - StrictMath.asin(x)));
      decreases += a < previous ? 1 : 0;
      previous = a;
    }
    assertThat(worstError).isLessThan(1e-15);
    assertThat(decreases).isZero();
    assertThat(GreatCircle.asin(1)).isEqualTo(Math.PI / 2);
    assertThat(GreatCircle.asin(0)).isZero();
  }

  @Test
  void chordBoundNeverPrunesAnEdgeAtExactlyThatDistance() {
    double[] a = new double[3];
    double[] b = new double[3];
    for (double lat = -80; lat <= 80; lat += 7.3) {
      GreatCircle.unitVector(50, 8, a);
      GreatCircle.unitVector(lat, lat * 2, b);
      double c = GreatCircle.chord2(a[0], a[1], a[2], b[0], b[1], b[2]);
      assertThat(c).isLessThanOrEqualTo(GreatCircle.chord2AtMost(GreatCircle.km(c)));
    }
    assertThat(GreatCircle.chord2AtMost(20_100)).isInfinite();
  }
}
