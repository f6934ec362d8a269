package dev.segmentrelay.georouter.selection;

import static dev.segmentrelay.georouter.selection.Edges.BANGKOK;
import static dev.segmentrelay.georouter.selection.Edges.TOKYO;
import static dev.segmentrelay.georouter.selection.Edges.edge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingSnapshotTest {
  @Test
  void keepsEveryEdgeSortedByIdAndFindsThemById() {
    RoutableEdge b = RoutableEdge.healthy(edge("b", "tyo1", TOKYO));
    RoutableEdge a = RoutableEdge.unhealthy(edge("a", "bkk1", BANGKOK), "probe refused");
    List<RoutableEdge> input = new ArrayList<>(List.of(b, a));
    RoutingSnapshot s = RoutingSnapshot.of(input);
    input.clear();
    assertThat(s.edges()).containsExactly(a, b);
    assertThat(s.size()).isEqualTo(2);
    assertThat(s.edge("a")).contains(a);
    assertThat(s.edge("c")).isEmpty();
    assertThat(s.siteId("tyo1")).isNotNegative();
    assertThat(s.siteId("fra1")).isEqualTo(-1);
    assertThatThrownBy(() -> s.edges().add(a)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsDuplicateIds() {
    assertThatThrownBy(
            () ->
                RoutingSnapshot.of(
                    List.of(
                        RoutableEdge.healthy(edge("x", "tyo1", TOKYO)),
                        RoutableEdge.healthy(edge("x", "bkk1", BANGKOK)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edge id x appears twice");
  }

  @Test
  void anUnhealthyEdgeNeedsAReason() {
    assertThatThrownBy(() -> RoutableEdge.unhealthy(edge("x", "tyo1", TOKYO), " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edge x is marked unhealthy without a reason");
  }
}
