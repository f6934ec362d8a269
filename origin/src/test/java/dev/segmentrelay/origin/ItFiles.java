package dev.segmentrelay.origin;

import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.SoftAssertions;

/** Shared assertions of the origin ITs (working folders come from {@code ItWorkDirs}). */
final class ItFiles {
  private ItFiles() {}

  /**
   * Asserts that at least {@code min} distinct published objects whose source lies in {@code
   * sourceDir} were compared, and that every one was identical.
   */
  static void assertIdentical(
      SoftAssertions soft, List<OriginHarness.Comparison> compared, Path sourceDir, int min) {
    List<OriginHarness.Comparison> mine =
        compared.stream()
            .filter(c -> c.source().getParent().equals(sourceDir.normalize()))
            .toList();
    soft.assertThat(mine.stream().map(OriginHarness.Comparison::published).distinct().count())
        .as("distinct published objects compared with %s", sourceDir)
        .isGreaterThanOrEqualTo(min);
    soft.assertThat(mine.stream().filter(c -> !c.identical()).toList())
        .as("published objects whose bytes differ from the transcoder's in %s", sourceDir)
        .isEmpty();
  }
}
