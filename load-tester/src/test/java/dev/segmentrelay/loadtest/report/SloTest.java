package dev.segmentrelay.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SloTest {
  @Test
  void parsesEveryMetricOperatorAndUnit() {
    Slo slo =
        Slo.parse(
            "stall_ratio<0.01, startup_p95<3s,segment_p99 <= 2000ms,errors<10,error_ratio<0.1%,"
                + "viewers>=100,rebuffer_ratio>0,startup_p50<1m,segment_p50<250,stalls<=0,"
                + "startup_p99<4s,segment_p95<1.5s");
    assertThat(slo.clauses()).hasSize(12);
    assertThat(slo.clauses().get(0))
        .isEqualTo(new Slo.Clause("stall_ratio<0.01", "stall_ratio", "<", 0.01));
    assertThat(slo.clauses().get(1).threshold()).isEqualTo(3000);
    assertThat(slo.clauses().get(2).op()).isEqualTo("<=");
    assertThat(slo.clauses().get(2).threshold()).isEqualTo(2000);
    assertThat(slo.clauses().get(4).threshold()).isCloseTo(0.001, within(1e-12));
    assertThat(slo.clauses().get(5).op()).isEqualTo(">=");
    assertThat(slo.clauses().get(6).metric()).isEqualTo("stall_ratio");
    assertThat(slo.clauses().get(7).threshold()).isEqualTo(60_000);
    assertThat(slo.clauses().get(8).threshold()).isEqualTo(250);
    assertThat(slo.clauses().get(11).threshold()).isEqualTo(1500);
  }

  @Test
  void unknownMetricIsNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> Slo.parse("stall_ratio<0.01,latency_p95<3s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'latency_p95<3s'")
        .hasMessageContaining("unknown metric 'latency_p95'")
        .hasMessageContaining("known metrics: stall_ratio, rebuffer_ratio, startup_p50");
  }

  @Test
  void malformedClausesAreNamed() {
    assertThatThrownBy(() -> Slo.parse("startup_p95 3s"))
        .hasMessageContaining("'startup_p95 3s'")
        .hasMessageContaining("METRIC OP VALUE");
    assertThatThrownBy(() -> Slo.parse("errors=3")).hasMessageContaining("operators are < <= > >=");
    assertThatThrownBy(() -> Slo.parse("errors<10,")).hasMessageContaining("empty clause");
    assertThatThrownBy(() -> Slo.parse(" ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> Slo.parse("startup_p95<3h")).hasMessageContaining("use ms, s or m");
    assertThatThrownBy(() -> Slo.parse("errors<10s")).hasMessageContaining("is a count");
    assertThatThrownBy(() -> Slo.parse("stall_ratio<1s")).hasMessageContaining("is a ratio");
    assertThatThrownBy(() -> Slo.parse("errors<-1")).hasMessageContaining("'errors<-1'");
  }

  @Test
  void evaluatesEachClauseAgainstTheRun() {
    Summary s = SampleRun.summary();
    // jp stalled 0.9 s out of 15 s watched in all: ratio 0.06
    Slo.Verdict v =
        Slo.parse(
                "stall_ratio<0.1,startup_p95<3s,segment_p99<2000ms,errors<10,"
                    + "error_ratio<0.001,viewers>=3,stalls<1")
            .evaluate(s);
    assertThat(v.checks())
        .extracting(Slo.Check::passed)
        .containsExactly(true, true, true, true, false, true, false);
    assertThat(v.passed()).isFalse();
    assertThat(v.checks().get(0).actual()).isCloseTo(0.9 / 15, within(1e-9));
    assertThat(v.checks().get(1).actual()).isCloseTo(800, within(1.0));
    assertThat(v.checks().get(3).actual()).isEqualTo(1);
    assertThat(v.checks().get(6).actual()).isEqualTo(1);
    assertThat(Slo.parse("stall_ratio<0.1,viewers>=3").evaluate(s).passed()).isTrue();
  }

  @Test
  void anEmptyRunFailsTimeAndRatioClauses() {
    Summary empty = new Results(new AtomicLong()::get).summary();
    Slo.Verdict v =
        Slo.parse("startup_p95<3s,stall_ratio<0.01,error_ratio<0.01,errors<1").evaluate(empty);
    assertThat(v.checks()).extracting(Slo.Check::passed).containsExactly(false, false, false, true);
    assertThat(v.checks().get(0).note()).isEqualTo("no samples");
    assertThat(v.checks().get(0).actual()).isNaN();
  }
}
